"""The rule catalogue (``spec/rules/catalogue.json``) as Python objects."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, Literal, cast

from eduv import spec
from eduv.days import previous_day
from eduv.findings import Severity, SourceKind
from eduv.spec import Lang

Kind = Literal["message", "dataset"]


@dataclass(frozen=True, slots=True)
class Nest:
    """Where, inside a message, a nested shape (e.g. a student reference) sits."""

    path: tuple[str, ...]
    shape: str


@dataclass(frozen=True)
class Rule:
    """One catalogue entry."""

    id: str
    severity: Severity
    kind: Kind
    applies_to: Mapping[str, tuple[str, ...]]
    shapes: tuple[str, ...]
    title: Mapping[str, str]
    message: Mapping[str, str]
    source: Mapping[str, Any]
    cases: tuple[str, ...]
    parameters: Mapping[str, Any]

    def applies(self, api: str, version: str) -> bool:
        return version in self.applies_to.get(api, ())

    @property
    def source_kind(self) -> SourceKind:
        """What the rule rests on; only a normative rule may be an error."""
        return cast(SourceKind, self.source["kind"])

    @property
    def time(self) -> str | None:
        """``forbids`` (a state on any day judged) or ``requires`` (something on some day)."""
        found = self.source.get("time")
        return str(found) if found is not None else None

    @cached_property
    def area(self) -> str:
        return self.id.split("-")[1]

    def render(self, lang: Lang, params: Mapping[str, object]) -> str:
        """The message in ``lang`` with its placeholders filled in.

        A placeholder without a value renders as ``?`` rather than failing, so that a
        missing detail never hides the violation itself.
        """
        template = self.message.get(lang) or self.message["en"]
        return _FORMATTER.vformat(template, (), _Lenient(params))


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> object:
        return "?"


_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]
    nesting: Mapping[str, tuple[Nest, ...]]
    interval: Mapping[str, str]  # the sentence that names the days a finding holds on
    source_kinds: Mapping[str, Mapping[str, str]]  # kind -> what it means, per language

    def interval_text(self, lang: Lang, days: tuple[str, str]) -> str:
        """``This holds from 2025-08-25 to 2025-12-31.``: the end day is the last one."""
        return self.interval[lang].format(first=days[0], last=previous_day(days[1]))

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule:
        return self.by_id[rule_id]


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("/")[1:]) if path else ()


def _rule(doc: Mapping[str, Any]) -> Rule:
    return Rule(
        id=doc["id"],
        severity=cast(Severity, doc["severity"]),
        kind=cast(Kind, doc["kind"]),
        applies_to={api: tuple(v) for api, v in doc["appliesTo"].items()},
        shapes=tuple(doc["shapes"]),
        title=doc["title"],
        message=doc["message"],
        source=doc["source"],
        cases=tuple(doc.get("cases", ())),
        parameters=doc.get("parameters", {}),
    )


CATALOGUE = "rules/catalogue.json"


@cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue (read once)."""
    doc = spec.document(CATALOGUE)
    nesting = {
        name: tuple(Nest(_split(n["path"]), n["shape"]) for n in nests)
        for name, nests in doc["nesting"].items()
    }
    return Catalogue(
        rules=tuple(_rule(r) for r in doc["rules"]),
        nesting=nesting,
        interval=doc["interval"],
        source_kinds=doc["sourceKinds"],
    )
