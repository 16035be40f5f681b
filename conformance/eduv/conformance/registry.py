"""The check registry: every check has a stable id, a spec and a small function.

Checks register themselves with :func:`check`; the runner looks them up by mode. The
checks that assert a rule of the catalogue (``EDUV-CONF-RULE-...``) are generated from
``spec/rules/catalogue.json`` so that every rule has exactly one check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from eduv.conformance.model import CheckSpec, Mode, Result, Text

CheckFn = Callable[[Any], Iterable[Result]]


@dataclass(frozen=True, slots=True)
class Check:
    spec: CheckSpec
    run: CheckFn | None  # None: evaluated by a shared pass (rule checks, scenario checks)


CHECKS: dict[str, Check] = {}
PREFIX = "EDUV-CONF-"


def register(spec: CheckSpec, run: CheckFn | None = None) -> None:
    if not spec.id.startswith(PREFIX):
        raise ValueError(f"check ids start with {PREFIX}: {spec.id}")
    if spec.id in CHECKS:
        raise ValueError(f"check id registered twice: {spec.id}")
    CHECKS[spec.id] = Check(spec, run)


def check(
    check_id: str,
    mode: Mode,
    title: tuple[str, str],
    explain: tuple[str, str],
    cites: Iterable[str],
    applies: Mapping[str, Iterable[str]] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check ``check_id``.

    ``title`` and ``explain`` are (English, Dutch) pairs.
    """

    def decorate(fn: CheckFn) -> CheckFn:
        register(spec_of(check_id, mode, title, explain, cites, applies), fn)
        return fn

    return decorate


def spec_of(
    check_id: str,
    mode: Mode,
    title: tuple[str, str],
    explain: tuple[str, str],
    cites: Iterable[str],
    applies: Mapping[str, Iterable[str]] | None = None,
) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        mode=mode,
        title=Text(*title),
        explain=Text(*explain),
        cites=tuple(cites),
        applies={api: tuple(vs) for api, vs in (applies or {}).items()},
    )


def rule_check_id(rule_id: str) -> str:
    """``EDUV-GROUP-015`` -> ``EDUV-CONF-RULE-GROUP-015``."""
    return PREFIX + "RULE-" + rule_id.removeprefix("EDUV-")


@cache
def register_rule_checks() -> None:
    """One check per rule of the catalogue, evaluated by the observe and scenario modes."""
    from eduv.rules import load_catalogue

    for rule in load_catalogue().rules:
        explain = Text(
            en=f"Asserts rule {rule.id} of the eduv rule catalogue over everything the "
            f"source serves ({rule.kind} rule, {rule.severity}). {rule.message['en']}",
            nl=f"Toetst regel {rule.id} uit de eduv-regelcatalogus op alles wat de bron "
            f"levert ({rule.kind}-regel, {rule.severity}). {rule.message['nl']}",
        )
        spec = CheckSpec(
            id=rule_check_id(rule.id),
            mode="observe",
            title=Text(rule.title["en"], rule.title["nl"]),
            explain=explain,
            cites=(rule.id,),
            applies={api: tuple(vs) for api, vs in rule.applies_to.items()},
        )
        if spec.id not in CHECKS:
            register(spec)


def load_all() -> dict[str, Check]:
    """Import every module that registers checks, then return the registry."""
    import eduv.conformance.consumer
    import eduv.conformance.known_issues
    import eduv.conformance.observe.conventions
    import eduv.conformance.observe.data
    import eduv.conformance.preflight
    import eduv.conformance.scenario.checks  # noqa: F401

    register_rule_checks()
    return CHECKS


def by_mode(mode: Mode) -> list[Check]:
    return [c for c in load_all().values() if c.spec.mode == mode]
