"""Rules on one report message: usage, results and progress.

Value scales, counted score types and patterns come from the rule's ``parameters``;
``CHECKS`` at the end binds the rules to their checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.exchanges import status_totals
from eduv.rules.hits import Hit, JsonObject, MessageCheck
from eduv.rules.values import as_list, as_object, compiled, dicts, text, timestamp

CODE_TYPES = ("school-activationcode", "customer-activationcode")
SCHOOL_TYPES = ("school-student", "school-employee", "school-activationcode")
USER_TYPES = ("school-student", "school-employee", "customer-student")


def _number(value: Any) -> float | None:
    """A score or result value written as a decimal number, else None."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


# --- usage -------------------------------------------------------------------------


def _usages(m: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    """The per-entitlement parts of a usage report, or the activation itself."""
    if "entitlements" in m:
        for index, item in dicts(m.get("entitlements")):
            yield f"/entitlements/{index}", item
    else:
        yield "", m


def _initial_type(a: JsonObject, rule: Rule) -> Iterator[Hit]:
    if a.get("usageType", "initial-activation") != "initial-activation":
        yield "/usageType", {"entitlementId": a.get("entitlementId"), "usageType": a["usageType"]}


def _named(types: tuple[str, ...], member: str, *, parts_only: bool) -> MessageCheck:
    """Usage of an entitlement of one of ``types`` names its ``member``."""

    def check(m: JsonObject, rule: Rule) -> Iterator[Hit]:
        for where, item in _usages(m):
            if parts_only and not where:
                continue
            kind = item.get("entitlementType")
            if kind in types and member not in item:
                params = {"entitlementId": item.get("entitlementId"), "entitlementType": kind}
                component = "EntitlementUsage" if where else "InitialActivation"
                yield where, {**params, "object": component}

    return check


def _last_after_first(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    for where, item in _usages(m):
        usage = as_object(item.get("usage"))
        first, last = usage.get("firstUsed"), usage.get("lastUsed")
        if isinstance(first, str) and isinstance(last, str) and last < first:
            yield f"{where}/usage/lastUsed", {"lastUsed": last, "firstUsed": first}


# --- results -----------------------------------------------------------------------


def _statements(m: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    for index, statement in dicts(m.get("studentScoresAndResults")):
        yield f"/studentScoresAndResults/{index}", statement


def _entries(m: JsonObject, name: str) -> Iterator[tuple[str, JsonObject, JsonObject]]:
    """(pointer, statement, entry) for every score or result entry of the message."""
    for where, statement in _statements(m):
        for index, entry in dicts(statement.get(name)):
            yield f"{where}/{name}/{index}", statement, entry


def _fits_scale(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    patterns: dict[str, str] = rule.parameters["patterns"]
    ranges: dict[str, list[float]] = rule.parameters["ranges"]
    for where, _, entry in _entries(m, "results"):
        kind, value = entry.get("resultType"), text(entry, "resultValue")
        if value is None or not isinstance(kind, str):
            continue
        if kind in patterns:
            bad = not compiled(patterns[kind]).search(value)
        elif kind in ranges:
            number, (low, high) = _number(value), ranges[kind]
            bad = number is None or not low <= number <= high
        else:
            continue
        if bad:
            yield f"{where}/resultValue", {"resultValue": value, "resultType": kind}


def _score_counted(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    counted: list[str] = rule.parameters["types"]
    percentages: list[str] = rule.parameters["percentages"]
    for where, _, entry in _entries(m, "scores"):
        kind = entry.get("scoreType")
        if kind not in counted:
            continue
        value, most = _number(entry.get("scoreValue")), _number(entry.get("scoreMaximum"))
        limit = 100.0 if kind in percentages else most
        if value is None or value < 0 or (limit is not None and value > limit):
            params = {"scoreValue": entry.get("scoreValue"), "scoreType": kind}
            yield f"{where}/scoreValue", {**params, "scoreMaximum": limit if limit else "?"}


def _scale_rows(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    row_form = compiled(rule.parameters["pattern"])
    for index, scale in dicts(m.get("scoreScaleDefinitions")):
        rows = scale.get("scoreScaleEntries")
        # The previous version holds one row as an object, the current one a list.
        listed = isinstance(rows, list)
        for at, row in dicts(rows if listed else [rows]):
            lhs = row.get("LHS")
            if not isinstance(lhs, str):
                continue
            found = row_form.match(lhs)
            upside_down = found is not None and found.group(2) is not None
            if found is None or (upside_down and float(found.group(1)) > float(found.group(2))):
                suffix = f"/{at}" if listed else ""
                where = f"/scoreScaleDefinitions/{index}/scoreScaleEntries{suffix}/LHS"
                yield where, {"LHS": lhs, "id": scale.get("id")}


def _scales_defined(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    defined = {s.get("id") for _, s in dicts(m.get("scoreScaleDefinitions"))}
    for where, statement, entry in _entries(m, "scores"):
        cited = as_list(entry.get("scoreScaleIds")) or (
            [entry["scoreScaleId"]] if "scoreScaleId" in entry else []
        )
        for scale in cited:
            if scale not in defined:
                yield where, {"statement": statement.get("id"), "scale": scale}


def _cite_assessment(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    definition = as_object(m.get("assessmentDefinition"))
    parts = {p.get("id") for _, p in dicts(definition.get("parts"))}
    allowed = {definition.get("id")}
    if rule.parameters["assessmentIdMayNamePart"]:
        allowed |= parts
    for name in ("results", "scores"):
        for where, statement, entry in _entries(m, name):
            for member, known in (("assessmentId", allowed), ("assessmentPartId", parts)):
                value = entry.get(member)
                if value is not None and value not in known:
                    params = {"statement": statement.get("id"), "field": member, "value": value}
                    yield f"{where}/{member}", params


def _parts_distinct(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    definition = as_object(m.get("assessmentDefinition"))
    seen: set[Any] = set()
    for index, part in dicts(definition.get("parts")):
        position = part.get("index")
        if position in seen:
            params = {"id": definition.get("id"), "index": position}
            yield f"/assessmentDefinition/parts/{index}/index", params
        seen.add(position)


def _statement_ids_distinct(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    seen: set[Any] = set()
    for where, statement in _statements(m):
        if statement.get("id") in seen:
            yield f"{where}/id", {"statement": statement.get("id")}
        seen.add(statement.get("id"))


def _missing_without_outcome(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    for where, statement in _statements(m):
        outcome = as_list(statement.get("results")) or as_list(statement.get("scores"))
        if statement.get("missing") is True and outcome:
            yield where, {"id": statement.get("id")}


def _after_sitting(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    sitting, made = timestamp(m.get("assessmentDateTime")), timestamp(m.get("timestamp"))
    if sitting is not None and made is not None and made < sitting:
        params = {"timestamp": m["timestamp"], "assessmentDateTime": m["assessmentDateTime"]}
        yield "/timestamp", params


def _references_name(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    refs: list[tuple[str, str, Any]] = []
    if "school" in m:
        refs.append(("/school", "school", m["school"]))
    refs += [(f"/employees/{i}", "employee", e) for i, e in dicts(m.get("employees"))]
    refs += [(f"{w}/student", "student", s["student"]) for w, s in _statements(m) if "student" in s]
    for where, kind, raw in refs:
        ref = as_object(raw)
        master = text(ref, "userMasterIdentifier") or text(ref, "organisationMasterIdentifier")
        if (
            not master
            and not as_list(ref.get("userIds"))
            and not as_list(ref.get("organisationIds"))
        ):
            yield where, {"object": Phrase(kind)}


# --- progress ----------------------------------------------------------------------


def _followup_signal(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    if p.get("pleaseFollowup") is True and not p.get("additionalInfo") and not p.get("detailsUrl"):
        yield "/pleaseFollowup", {"id": p.get("id")}


def _eck_id(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    eck = text(p, "eckId")
    if eck and not compiled(rule.parameters["pattern"]).search(eck):
        yield "/eckId", {"eckId": eck}


# Which check each report message rule is bound to.
CHECKS: dict[str, MessageCheck] = {
    "EDUV-USAGE-001": _initial_type,
    "EDUV-USAGE-002": _named(CODE_TYPES, "activationCode", parts_only=False),
    "EDUV-USAGE-003": _named(SCHOOL_TYPES, "school", parts_only=True),
    "EDUV-USAGE-004": _named(USER_TYPES, "user", parts_only=True),
    "EDUV-USAGE-005": _named(SCHOOL_TYPES, "school", parts_only=False),
    "EDUV-USAGE-006": _last_after_first,
    "EDUV-USAGE-007": status_totals(("entitled", "licensed", "cancelled", "blocked"), None),
    "EDUV-RESULT-001": _fits_scale,
    "EDUV-RESULT-003": _score_counted,
    "EDUV-RESULT-004": _scale_rows,
    "EDUV-RESULT-005": _scales_defined,
    "EDUV-RESULT-006": _cite_assessment,
    "EDUV-RESULT-007": _parts_distinct,
    "EDUV-RESULT-008": _statement_ids_distinct,
    "EDUV-RESULT-009": _missing_without_outcome,
    "EDUV-RESULT-010": _after_sitting,
    "EDUV-RESULT-011": _references_name,
    "EDUV-PROGRESS-001": _followup_signal,
    "EDUV-PROGRESS-002": _eck_id,
}
