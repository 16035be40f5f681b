"""Dataset rules about study and subject offerings: codes, years and duplicates."""

from __future__ import annotations

from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.context import Context
from eduv.rules.dataset.common import hit, missing_listed, years_fit_level
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import compiled, integer, strings, text


def _study_code_of_sector(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    sectors: dict[str, JsonObject] = rule.parameters["sectors"]
    for s in ctx.schools:
        wanted = sectors.get(s.facts.sector) if s.facts else None
        if wanted is None:
            continue
        for index, offering, _ in ctx.in_scope(s, "studyOfferings"):
            code = text(offering, "studyCode")
            if code and not _full_match(wanted["pattern"], code):
                yield hit(
                    ctx,
                    s,
                    "studyOfferings",
                    index,
                    offering,
                    "/studyCode",
                    value=code,
                    sector=s.facts.sector if s.facts else "?",
                    expected=wanted["name"],
                )


def _full_match(pattern: str, value: str) -> bool:
    return compiled(pattern).search(value) is not None


def _offerings_distinct(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        seen: dict[tuple[object, ...], JsonObject] = {}
        for index, offering, _ in ctx.in_scope(s, "studyOfferings"):
            code = text(offering, "studyCode")
            if code is None:
                continue
            key = _offering_key(offering, code)
            first = seen.setdefault(key, offering)
            if first is not offering:
                yield hit(
                    ctx,
                    s,
                    "studyOfferings",
                    index,
                    offering,
                    "",
                    other=first.get("studyOfferingId"),
                )


def _offering_key(offering: JsonObject, code: str) -> tuple[object, ...]:
    level = offering.get("studyLevel")
    level_id = text(level, "studyLevelId") if isinstance(level, dict) else None
    marks = frozenset(v for _, v in strings(offering, "studyCharacteristics"))
    return (code, integer(offering, "studyYear"), level_id, marks)


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-OFFER-010": _study_code_of_sector,
    "EDUV-OFFER-011": missing_listed("subjectOfferings", "studyOfferings", "studyOfferings"),
    "EDUV-OFFER-012": years_fit_level("studyOfferings", lambda s, offering: offering),
    "EDUV-OFFER-013": _offerings_distinct,
}
