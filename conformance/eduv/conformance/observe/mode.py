"""Observe mode: read what the source serves, judge it check by check, then by the rules.

``CHECKS`` binds every check of the mode to its function (the rule checks aside, which
the rule pass evaluates together). The checks that make calls of their own come first;
those that judge every answer recorded so far come last, so they judge the probes'
answers too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from eduv.conformance.catalogue import load
from eduv.conformance.model import CheckSpec, Note, Outcome, Result, result
from eduv.conformance.observe import (
    agreements,
    consent,
    conventions,
    data,
    parameters,
    person,
    search,
)
from eduv.conformance.observe.collect import collect
from eduv.conformance.observe.data import observed_dataset, rule_results
from eduv.conformance.reads import ObserveContext
from eduv.conformance.state import Pair, SuiteState, guard

ObserveCheck = Callable[[ObserveContext], list[Result]]

CHECKS: dict[str, ObserveCheck] = {
    "EDUV-CONF-AUTH-001": conventions.no_token,
    "EDUV-CONF-AUTH-002": conventions.bad_token,
    "EDUV-CONF-SCOPE-001": conventions.missing_scope,
    "EDUV-CONF-SCOPE-002": conventions.data_minimisation,
    "EDUV-CONF-ORG-001": conventions.unknown_school,
    "EDUV-CONF-ORG-002": search.organisation_search,
    "EDUV-CONF-PARAM-001": parameters.broken_parameters,
    "EDUV-CONF-CONSENT-001": consent.no_consent,
    "EDUV-CONF-VER-001": conventions.unsupported_version,
    "EDUV-CONF-NOTFOUND-001": conventions.unknown_object,
    "EDUV-CONF-LIST-001": data.lookups_match_lists,
    "EDUV-CONF-FILTER-001": data.period_filter,
    "EDUV-CONF-PERSON-001": person.person_reads,
    "EDUV-CONF-DPA-001": agreements.verifications_agree,
    "EDUV-CONF-VER-002": data.previous_version,
    # Passive: they judge every answer recorded so far, the probes' answers included.
    "EDUV-CONF-SCHEMA-001": conventions.schema_valid,
    "EDUV-CONF-HDR-001": conventions.version_header,
    "EDUV-CONF-STATUS-001": conventions.status_bodies,
}


def run(state: SuiteState) -> list[Result]:
    ctx = state.observe
    every = load().of_mode("observe")
    if not ctx.pairs:
        return [result(c.id, Outcome.SKIP, "nothing-observed") for c in every]
    failed = guard([c.id for c in every], lambda: _collect(state))
    if failed:
        return failed
    results: list[Result] = []
    for check_id, check in CHECKS.items():
        state.say(check_id)
        results += guard(check_id, partial(check, ctx))
    state.say("rules")
    rule_checks = [c.id for c in every if c.id not in CHECKS]
    results += guard(rule_checks, lambda: rule_results(ctx, observed_dataset(ctx)))
    return results + _skips(state.reasons, every)


def _collect(state: SuiteState) -> list[Result]:
    collect(state.observe, state.say)
    return []


def _skips(reasons: dict[Pair, Note], checks: Iterable[CheckSpec]) -> list[Result]:
    """Each check that applies to a pair preflight could not test is skipped there."""
    out = []
    for (api, version), reason in reasons.items():
        for chk in checks:
            if version in chk.applies.get(api, ()):
                out.append(Result(chk.id, Outcome.SKIP, reason, api, version))
    return out
