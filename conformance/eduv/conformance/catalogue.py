"""The check catalogue (``spec/conformance/checks.json``) as Python objects.

The catalogue says what each check asserts, in which mode, citing what, and where it
applies; :mod:`eduv.conformance.binding` says which function evaluates it. Besides
the checks listed in the file there is one check per rule of the rule catalogue
(``EDUV-CONF-RULE-...``), made here from the file's ``ruleChecks`` template, so that
every rule has exactly one check. ``appliesTo`` is written against the registry (an API
family, ``t`` and ``t-1``) and resolved here into API ids and full versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from eduv import spec
from eduv.conformance.model import CheckSpec, Mode, Text
from eduv.spec import Lang
from eduv.text import fill

CATALOGUE = "conformance/checks.json"
PREFIX = "EDUV-CONF-"
RULE_PREFIX = PREFIX + "RULE-"


@dataclass(frozen=True, slots=True)
class ModeSpec:
    """One mode of the suite, in the order modes run."""

    id: Mode
    title: Text
    explain: Text
    selectable: bool
    needs: tuple[Mode, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    modes: tuple[ModeSpec, ...]
    checks: Mapping[str, CheckSpec]
    texts: Mapping[str, Text]  # the sentences every check shares (counts, crashes, ...)

    def render(self, check_id: str, key: str, params: Mapping[str, Any], lang: Lang) -> str:
        """A check's sentence ``key`` (its own, else a shared one) with its values."""
        chk = self.checks.get(check_id)
        if chk is not None and key in chk.messages:
            return chk.render(key, params, lang)
        if key in self.texts:
            return fill(self.texts[key].get(lang), params)
        return f"<{check_id}: no message {key!r}>"

    def mode(self, mode_id: str) -> ModeSpec:
        for mode in self.modes:
            if mode.id == mode_id:
                return mode
        raise KeyError(f"no mode {mode_id!r}; modes: {', '.join(m.id for m in self.modes)}")

    def of_mode(self, mode: Mode) -> list[CheckSpec]:
        """The checks a mode reports under, its own and those it shares, in id order."""
        return [c for _, c in sorted(self.checks.items()) if c.runs_in(mode)]

    def run_order(self, chosen: tuple[str, ...]) -> list[ModeSpec]:
        """The modes to run for a choice, with what they need and the fixed ones, in order."""
        wanted = set(chosen)
        for mode in self.modes:
            if mode.id in wanted:
                wanted.update(mode.needs)
        return [m for m in self.modes if m.id in wanted or not m.selectable]


def rule_check_id(rule_id: str) -> str:
    """``EDUV-GROUP-015`` -> ``EDUV-CONF-RULE-GROUP-015``."""
    return RULE_PREFIX + rule_id.removeprefix("EDUV-")


def _text(doc: Mapping[str, str]) -> Text:
    return Text(doc["en"], doc["nl"])


def _applies(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    if not doc:
        return {}
    apis = [a.id for a in spec.apis(doc["family"])] if "family" in doc else list(doc["apis"])
    out: dict[str, tuple[str, ...]] = {}
    for api in apis:
        versions = (spec.resolve_version(api, v)[1] for v in doc["versions"])
        out[api] = tuple(dict.fromkeys(versions))
    return out


def _check(doc: Mapping[str, Any]) -> CheckSpec:
    return CheckSpec(
        id=doc["id"],
        mode=cast(Mode, doc["mode"]),
        title=_text(doc["title"]),
        explain=_text(doc["explanation"]),
        cites=tuple(doc["cites"]),
        applies=_applies(doc["appliesTo"]),
        also=tuple(cast(Mode, m) for m in doc.get("also", ())),
        messages={key: _text(text) for key, text in doc.get("messages", {}).items()},
    )


def _rule_checks(template: Mapping[str, Any]) -> dict[str, CheckSpec]:
    # Imported here: reading a configuration (every suite command does) needs the modes,
    # not the rule engine.
    from eduv.rules import load_catalogue

    found: dict[str, CheckSpec] = {}
    for rule in load_catalogue().rules:
        explain = {
            lang: text.format(
                rule=rule.id, kind=rule.kind, severity=rule.severity, title=rule.title[lang]
            )
            for lang, text in template["explanation"].items()
        }
        check_id = rule_check_id(rule.id)
        found[check_id] = CheckSpec(
            id=check_id,
            mode=cast(Mode, template["mode"]),
            title=Text(rule.title["en"], rule.title["nl"]),
            explain=_text(explain),
            cites=(rule.id,),
            applies={api: tuple(vs) for api, vs in rule.applies_to.items()},
            also=tuple(cast(Mode, m) for m in template["also"]),
        )
    return found


@cache
def load() -> Catalogue:
    """The packaged check catalogue, with the rule checks (read once)."""
    doc = spec.document(CATALOGUE)
    modes = tuple(
        ModeSpec(
            id=cast(Mode, m["id"]),
            title=_text(m["title"]),
            explain=_text(m["explanation"]),
            selectable=bool(m["selectable"]),
            needs=tuple(cast(Mode, n) for n in m.get("needs", ())),
        )
        for m in doc["modes"]
    )
    checks = {c["id"]: _check(c) for c in doc["checks"]}
    rule_checks = _rule_checks(doc["ruleChecks"])
    twice = checks.keys() & rule_checks.keys()
    if twice:
        raise ValueError(f"check ids listed twice: {', '.join(sorted(twice))}")
    texts = {key: _text(text) for key, text in doc["texts"].items()}
    return Catalogue(modes, {**checks, **rule_checks}, texts)


def selectable_modes() -> tuple[str, ...]:
    return tuple(m.id for m in load().modes if m.selectable)
