"""The chain's writing checks, bound: consumer mode's (requests, confirmations, the other
side, consent, consent requests and withdrawals) and scenario mode's (one product from
order to first use).

Each check is a function of the run's state; the exchanges they judge are made once and
shared (``eduv.conformance.chain.receiving.trials``, ``eduv.conformance.chain.flow.walk``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from eduv.conformance.chain import confirming, consents, flow, receiving, sides
from eduv.conformance.model import Result
from eduv.conformance.state import SuiteState, guard

ChainCheck = Callable[[SuiteState], list[Result]]
# Under which check a crash of the rule pass is reported.
RULE_PASS = "EDUV-CONF-XCH-004"

CONSUMER_CHECKS: Mapping[str, ChainCheck] = {
    receiving.TAKEN: receiving.taken,
    receiving.REFUSED: receiving.refused,
    receiving.CONFIRMED: confirming.confirmed,
    receiving.PAIRED: confirming.paired,
    receiving.REPEATED: confirming.repeated,
    receiving.RETRIED: confirming.retried,
    receiving.OTHER_SIDE: sides.other_side,
    receiving.CONFIRMATIONS: sides.confirmations,
    receiving.CONSENT: sides.consent,
    consents.CHECK: consents.requests_and_withdrawals,
}
SCENARIO_CHECKS: Mapping[str, ChainCheck] = flow.CHECKS


def _run(checks: Mapping[str, ChainCheck], state: SuiteState) -> list[Result]:
    results: list[Result] = []
    for check_id, check in checks.items():
        state.say(check_id)
        results += guard(check_id, partial(check, state))
    return results


def run_consumer(state: SuiteState) -> list[Result]:
    # The message rules judge the confirmations after the checks made the exchanges.
    found = _run(CONSUMER_CHECKS, state)
    return found + guard(RULE_PASS, partial(confirming.rule_pass, state))


def run_scenario(state: SuiteState) -> list[Result]:
    return _run(SCENARIO_CHECKS, state)
