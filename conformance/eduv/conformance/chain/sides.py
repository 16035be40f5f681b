"""Consumer mode for the chain: the other side's operations, confirmations taken back,
and data pushed about a school that gave no consent.

Both parties of a request and its confirmation offer endpoints under the same API, so a
component answers 405 to a call meant for the other side (EDUV-CONF-XCH-007): the order
system and the licence registry take no confirmations of their own API. The ordering
environment and the entitlement manager take confirmations back (XCH-008): a valid one
is accepted with 202, one that is not a valid message is refused with 400 and status 11.
Results and progress about a school's pupils need that school's consent for the sender
(XCH-009): for a school configured without consent the answer is 403 with status 22.
"""

from __future__ import annotations

from typing import Any

from eduv import spec
from eduv.conformance.chain.context import ChainContext, context
from eduv.conformance.chain.exchange import shaped
from eduv.conformance.chain.receiving import (
    CONFIRMATIONS,
    CONSENT,
    OTHER_SIDE,
    OTHER_SIDES,
    TAKES_CONFIRMATIONS,
    _component,
    _place,
    expect_refusal,
)
from eduv.conformance.model import Outcome, Result
from eduv.conformance.state import SuiteState
from eduv.conformance.tally import Tally

JsonObject = dict[str, Any]


def _open(state: SuiteState, check_id: str) -> tuple[ChainContext, Tally] | list[Result]:
    ctx = context(state)
    if ctx.why_not is not None:
        return [Result(check_id, Outcome.SKIP, ctx.why_not)]
    return ctx, Tally(check_id)


def other_side(state: SuiteState) -> list[Result]:
    opened = _open(state, OTHER_SIDE)
    if isinstance(opened, list):
        return opened
    ctx, tally = opened
    requester = ctx.requester
    assert requester is not None
    for api, version in ctx.open_pairs(tuple(OTHER_SIDES)):
        for operation in OTHER_SIDES[api]:
            op = spec.operation(api, version, operation)
            answer = ctx.session.call(op, token=requester.token, body={})
            if answer.status != 405:
                params = {"operation": operation, "status": answer.status}
                tally.problem(api, version, "not-405", params, where=_place(operation, answer))
            else:
                tally.ok(api, version)
    return tally.results(p for p in ctx.pairs if p[0] in OTHER_SIDES)


def confirmations(state: SuiteState) -> list[Result]:
    opened = _open(state, CONFIRMATIONS)
    if isinstance(opened, list):
        return opened
    ctx, tally = opened
    requester, bodies = ctx.requester, ctx.bodies
    assert requester is not None and bodies is not None
    made = {
        "delivery-api": bodies.delivery_confirmation,
        "entitlement-api": bodies.entitlement_confirmation,
    }
    for api, version in ctx.open_pairs(tuple(TAKES_CONFIRMATIONS)):
        operation = TAKES_CONFIRMATIONS[api]
        op = spec.operation(api, version, operation)
        body = shaped(api, version, _component(api, operation), made[api]())
        if body is None:
            continue
        good = ctx.session.call(op, token=requester.token, body=body)
        bad = ctx.session.call(op, token=requester.token, body={"success": "yes"})
        expected = int(op.success[0])
        if good.status != expected:
            params = {"operation": operation, "status": good.status, "expected": expected}
            tally.problem(api, version, "valid", params, where=_place(operation, good, body))
        else:
            tally.ok(api, version)
        expect_refusal(tally, (api, version, operation), bad, "invalid", 400, 11)
    return tally.results(p for p in ctx.pairs if p[0] in TAKES_CONFIRMATIONS)


PUSHED = {"results-api": "postResults", "progress-api": "putSimpleProgress"}


def consent(state: SuiteState) -> list[Result]:
    opened = _open(state, CONSENT)
    if isinstance(opened, list):
        return opened
    ctx, tally = opened
    requester, bodies = ctx.requester, ctx.bodies
    assert requester is not None and bodies is not None
    refusing = [s for s in ctx.cfg.schools if not s.consent]
    pairs = [p for p in ctx.pairs if p[0] in PUSHED]
    if not refusing:
        for api, version in pairs:
            tally.skip(api, version, "no-school-without-consent")
        return tally.results(pairs)
    school = {"organisationMasterIdentifier": refusing[0].id}
    for api, version in ctx.open_pairs(tuple(PUSHED)):
        operation = PUSHED[api]
        made = bodies.results(school) if api == "results-api" else bodies.progress(school)
        body = shaped(api, version, _component(api, operation), made)
        if body is None or "school" not in body:
            # A message that names no school (progress 0.0.1) says nothing to refuse on.
            tally.skip(api, version, "chain-no-school", operation=operation)
            continue
        sent = requester.send(api, operation, version, body, wait=False)
        expect_refusal(tally, (api, version, operation), sent.answer, "not-refused", 403, 22)
    return tally.results(pairs)
