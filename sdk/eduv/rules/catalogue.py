"""The rule catalogue (``spec/rules/catalogue.json``) as Python objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import Any, Literal, cast

from eduv import spec
from eduv.days import previous_day
from eduv.findings import Severity, SourceKind
from eduv.spec import Lang
from eduv.text import fill

Kind = Literal["message", "dataset"]


class Phrase(str):
    """A message value that names one of the rule's ``phrases``, rendered in the report's language.

    A check that explains what is wrong in words ("it answers no request of the dataset")
    yields the phrase's key, so that a Dutch report reads Dutch throughout.
    """

    __slots__ = ()


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
    # key -> language -> text, for the Phrase values of its messages
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # api -> version -> parameters that replace the general ones in that version
    version_parameters: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    def applies(self, api: str, version: str) -> bool:
        return version in self.applies_to.get(api, ())

    def at(self, api: str, version: str) -> Rule:
        """The rule as it is checked in one API version: its parameters for that version.

        Most rules read the same in every version; where a text changed between versions
        (which identifier an entry may cite, say) the catalogue's ``versionParameters``
        say what differs, and the check reads it from ``parameters`` as usual.
        """
        own = self.version_parameters.get(api, {}).get(version)
        if not own:
            return self
        return replace(self, parameters={**self.parameters, **own})

    @property
    def list_shapes(self) -> tuple[str, ...]:
        """The messages whose whole list the rule looks at: shapes written ``Name[]``."""
        return tuple(s.removesuffix("[]") for s in self.shapes if s.endswith("[]"))

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

        A placeholder without a value renders as ``<name?>`` (see :mod:`eduv.text`).
        """
        template = self.message.get(lang) or self.message["en"]
        values = {
            k: self._phrase(v, lang, params) if isinstance(v, Phrase) else v
            for k, v in params.items()
        }
        return fill(template, values)

    def _phrase(self, key: Phrase, lang: Lang, params: Mapping[str, object]) -> str:
        """A phrase in ``lang``; its own placeholders take the message's other values."""
        texts = self.phrases.get(key, {})
        template = texts.get(lang) or texts.get("en") or str(key)
        return fill(template, params)


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
        phrases=doc.get("phrases", {}),
        version_parameters=doc.get("versionParameters", {}),
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
