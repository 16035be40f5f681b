"""Consumer mode for the chain: the suite sends a component requests and confirmations.

Per writing API and version the suite acts as the requester. It sends every request
the API defines (orders, credit orders, delivery orders, activation codes and their
withdrawal, first activations, results, progress) and judges the answers: the request
taken with the status the operation gives, a bad one refused, and, for the requests the
texts confirm later, the confirmation at the suite's callback: within the configured
time, with a token of the suite's token endpoint, in the request's version, a valid
message that pairs with its request (the chain rules over what was exchanged), sent
again with the same id when the request is repeated and again later when the callback
failed. It also sends the confirmations a component takes, the other side's operations
(405), and pushed data about a school that gave no consent (403/22).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.chain.context import ChainContext, context
from eduv.conformance.chain.exchange import Exchanged, shaped
from eduv.conformance.http import Answer
from eduv.conformance.model import Note, Outcome, Result, Where
from eduv.conformance.state import SuiteState
from eduv.conformance.tally import Tally

JsonObject = dict[str, Any]

TAKEN = "EDUV-CONF-XCH-001"
REFUSED = "EDUV-CONF-XCH-002"
CONFIRMED = "EDUV-CONF-XCH-003"
PAIRED = "EDUV-CONF-XCH-004"
REPEATED = "EDUV-CONF-XCH-005"
RETRIED = "EDUV-CONF-XCH-006"
OTHER_SIDE = "EDUV-CONF-XCH-007"
CONFIRMATIONS = "EDUV-CONF-XCH-008"
CONSENT = "EDUV-CONF-XCH-009"

# The rules about requests and their confirmations, judged over what was exchanged.
PAIRING_RULES = frozenset(
    {
        "EDUV-CHAIN-004",
        "EDUV-CHAIN-005",
        "EDUV-CHAIN-006",
        "EDUV-CHAIN-007",
        "EDUV-CHAIN-010",
        "EDUV-CHAIN-019",
        "EDUV-CHAIN-020",
        "EDUV-CHAIN-021",
        "EDUV-CHAIN-033",
        "EDUV-CHAIN-034",
        "EDUV-CHAIN-035",
        "EDUV-CHAIN-036",
    }
)
# The operations whose requests the texts confirm later, per API, in the order sent.
REQUESTS: dict[str, tuple[str, ...]] = {
    "order-api": ("accept-order-request", "accept-credit-order-request"),
    "delivery-api": ("accept-delivery-order",),
    "activationcode-api": (
        "accept-activation-code-request",
        "accept-activation-code-revoke-request",
    ),
}
# Messages whose HTTP status is their only answer.
MESSAGES: dict[str, str] = {
    "usage-api": "accept-initial-activation",
    "results-api": "postResults",
    "progress-api": "putSimpleProgress",
}
WRITING = (*REQUESTS, *MESSAGES)
CONFIRMING = tuple(REQUESTS)
# Operations of the other side, sent to the component that takes the requests: the order
# system and the licence registry take no confirmations of their own API.
OTHER_SIDES: dict[str, tuple[str, ...]] = {
    "order-api": ("confirm-order-request", "confirm-credit-order-request"),
    "activationcode-api": (
        "confirm-activation-code-request",
        "confirm-activation-code-revoke-request",
    ),
}
# Confirmations a component takes back: the ordering environment's and the entitlement
# manager's.
TAKES_CONFIRMATIONS: dict[str, str] = {
    "delivery-api": "confirm-delivery-order",
    "entitlement-api": "confirm-entitlement",
}


@dataclass
class Trial:
    """One writing operation tried at one version: what was sent and answered."""

    api: str
    version: str
    operation: str
    valid: Exchanged | None = None
    repeat: Exchanged | None = None
    retried: Exchanged | None = None
    invalid: Answer | None = None
    anonymous: Answer | None = None
    narrow: Answer | None = None  # with a token that lacks the operation's scopes
    skipped: Note | None = None


@dataclass
class Trials:
    ctx: ChainContext
    found: list[Trial] = field(default_factory=list)


def _expected(api: str, version: str, operation: str) -> int:
    return int(spec.operation(api, version, operation).success[0])


def _try(ctx: ChainContext, api: str, version: str, operation: str, body: JsonObject) -> Trial:
    """Send one operation its valid request, then the variants the checks need."""
    requester, bodies = ctx.requester, ctx.bodies
    assert requester is not None and bodies is not None
    trial = Trial(api, version, operation)
    sent = shaped(api, version, _component(api, operation), body)
    if sent is None:
        trial.skipped = Note("chain-not-expressible", {"shape": version})
        return trial
    trial.valid = requester.send(api, operation, version, sent)
    status = trial.valid.answer.status
    if status in (404, 405):
        ctx.not_served.add((api, version))
        trial.skipped = Note("pair-not-served")
        return trial
    ctx.log.add(trial.valid)
    trial.invalid = requester.send(api, operation, version, {}, wait=False).answer
    trial.anonymous = requester.send(api, operation, version, sent, token=None, wait=False).answer
    narrow = ctx.narrow_token(spec.operation(api, version, operation).scopes)
    if narrow is not None:
        trial.narrow = requester.send(
            api, operation, version, sent, token=narrow, wait=False
        ).answer
    # Only a request that was confirmed can be confirmed again.
    if trial.valid.kind.confirm is not None and trial.valid.confirmation is not None:
        trial.repeat = requester.send(api, operation, version, sent)
        ctx.log.add(trial.repeat, request=False)
    return trial


def _component(api: str, operation: str) -> str:
    body = spec.operation(api, spec.api(api).current, operation).request
    assert body is not None
    return body.message


def _retry(ctx: ChainContext, api: str, version: str, body: JsonObject) -> Exchanged | None:
    """A request whose first confirmation the callback refuses: it must come again."""
    requester = ctx.requester
    assert requester is not None and requester.listener is not None
    operation = REQUESTS[api][0]
    sent = shaped(api, version, _component(api, operation), body)
    if sent is None:
        return None
    requester.listener.fail_next(1, 503)
    before = requester.listener.count
    found = requester.send(api, operation, version, sent, wait=False)
    requester.wait(found, after=before, count=2)
    requester.listener.fail_next(0)
    ctx.log.add(found)
    return found


def trials(state: SuiteState) -> Trials:
    """Every writing operation tried once per pair, shared by the checks of this mode."""
    cached = state.extra.get("chain-trials")
    if isinstance(cached, Trials):
        return cached
    ctx = context(state)
    found = Trials(ctx)
    state.extra["chain-trials"] = found
    if ctx.why_not is not None:
        return found
    bodies = ctx.bodies
    assert bodies is not None
    for api, version in ctx.pairs:
        if api in REQUESTS:
            found.found += _requests(ctx, api, version)
        elif api in MESSAGES:
            body = _message(ctx, api)
            if body is None:
                why = "chain-no-pupil" if api == "progress-api" else "chain-no-entitlement"
                trial = Trial(api, version, MESSAGES[api], skipped=Note(why))
                found.found.append(trial)
                continue
            found.found.append(_try(ctx, api, version, MESSAGES[api], body))
    return found


def _requests(ctx: ChainContext, api: str, version: str) -> list[Trial]:
    bodies = ctx.bodies
    assert bodies is not None
    out: list[Trial] = []
    product = bodies.product()
    # The previous order version takes one product per order.
    lines = None if version == spec.api(api).current else 1
    if api == "order-api":
        order = bodies.order(lines=lines)
        out.append(_try(ctx, api, version, "accept-order-request", order))
        out.append(_try(ctx, api, version, "accept-credit-order-request", bodies.credit(order)))
        retry_body = bodies.order(lines=lines)
    elif api == "delivery-api":
        # A delivery to the whole school has a total for its confirmation to repeat.
        whole = bodies.delivery_order(product, 30, whole=True)
        out.append(_try(ctx, api, version, "accept-delivery-order", whole))
        retry_body = bodies.delivery_order(product)
    else:
        codes = _try(ctx, api, version, "accept-activation-code-request", bodies.codes(product))
        out.append(codes)
        issued = _codes(codes)
        operation = "accept-activation-code-revoke-request"
        if issued:
            out.append(_try(ctx, api, version, operation, bodies.revoke(issued[0])))
        elif codes.skipped is None:
            # Only a code the target issued can be withdrawn.
            why = Note("chain-no-code", {"operation": operation})
            out.append(Trial(api, version, operation, skipped=why))
        retry_body = bodies.codes(product, 1)
    first = out[0].valid
    # A target that never confirmed cannot be seen to confirm again.
    if first is not None and first.confirmation is not None:
        out[0].retried = _retry(ctx, api, version, retry_body)
    return out


def _codes(trial: Trial) -> list[str]:
    got = trial.valid.confirmation if trial.valid is not None else None
    if got is None or not isinstance(got.json, dict):
        return []
    return [str(c) for c in got.json.get("activationCodes", [])]


def _message(ctx: ChainContext, api: str) -> JsonObject | None:
    bodies = ctx.bodies
    assert bodies is not None
    if api == "results-api":
        return bodies.results()
    served = _served_entitlements(ctx)
    if api == "progress-api":
        # A pupil the target knows, as the learning platform would: the previous
        # version names the pupil only, and the dashboard must place them.
        named = [
            e["entitlementSpecification"]["student"]
            for e in served
            if isinstance(e.get("entitlementSpecification", {}).get("student"), dict)
        ]
        return bodies.progress(student=named[0]) if named else None
    fresh = [e for e in served if e.get("entitlementStatus") == "entitled"]
    return bodies.activation(fresh[0]) if fresh else None


def _served_entitlements(ctx: ChainContext) -> list[JsonObject]:
    """The entitlements the target serves for the school, when it serves them."""
    requester, bodies = ctx.requester, ctx.bodies
    assert requester is not None and bodies is not None
    api = "entitlement-api"
    op = spec.operation(api, spec.api(api).current, "get-entitlements-for-school")
    school = bodies.school.organisationMasterIdentifier or ""
    answer = ctx.session.call(op, token=requester.token, params={"orgMasterId": school})
    found = _json(answer) if answer.status == 200 else None
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


# -- the checks ----------------------------------------------------------------------------


def _place(operation: str, answer: Answer | None, item: Any = None) -> Where:
    return Where(operation, answer.exchange if answer is not None else None, item=item)


def _judged(
    state: SuiteState,
    check_id: str,
    judge: Callable[[Trial, Tally], None],
    apis: tuple[str, ...],
) -> list[Result]:
    """Judge every trial of ``apis`` (the APIs the check applies to)."""
    found = trials(state)
    tally = Tally(check_id)
    if found.ctx.why_not is not None:
        return [Result(check_id, Outcome.SKIP, found.ctx.why_not)]
    mine = [t for t in found.found if t.api in apis]
    for trial in mine:
        if trial.skipped is None:
            judge(trial, tally)
    skip_notes(tally, mine)
    return tally.results(p for p in found.ctx.pairs if p[0] in apis)


def skip_notes(tally: Tally, mine: list[Trial]) -> None:
    """A pair is skipped, with the reason, only when none of its trials could be sent."""
    sent = {(t.api, t.version) for t in mine if t.skipped is None}
    for trial in mine:
        if trial.skipped is not None and (trial.api, trial.version) not in sent:
            tally.skip(trial.api, trial.version, trial.skipped.key, **trial.skipped.params)


def taken(state: SuiteState) -> list[Result]:
    def judge(trial: Trial, tally: Tally) -> None:
        assert trial.valid is not None
        expected = _expected(trial.api, trial.version, trial.operation)
        answer = trial.valid.answer
        place = _place(trial.operation, answer)
        if answer.status != expected:
            params = {"operation": trial.operation, "status": answer.status, "expected": expected}
            tally.problem(trial.api, trial.version, "http", params, where=place)
            return
        # The answer says in which version it was produced (convention api-version-header).
        header = answer.header("api-version")
        if header != trial.version:
            params = {"operation": trial.operation, "got": header, "expected": trial.version}
            tally.problem(trial.api, trial.version, "header", params, where=place)
        else:
            tally.ok(trial.api, trial.version)

    return _judged(state, TAKEN, judge, WRITING)


def expect_refusal(
    tally: Tally,
    trial: tuple[str, str, str],
    answer: Answer | None,
    key: str,
    http: int,
    code: int | None = None,
) -> None:
    """Count ``answer`` (to ``trial``: api, version, operation) as ``http`` with Edu-V
    status ``code`` (``None``: any body), or report it under ``key``."""
    if answer is None:
        return
    api, version, operation = trial
    found = spec.status_code(_json(answer)) if code is not None else None
    if answer.status != http or found != code:
        params = {"operation": operation, "status": answer.status, "code": found}
        tally.problem(api, version, key, params, where=_place(operation, answer))
    else:
        tally.ok(api, version)


def refused(state: SuiteState) -> list[Result]:
    def judge(trial: Trial, tally: Tally) -> None:
        which = (trial.api, trial.version, trial.operation)
        expect_refusal(tally, which, trial.invalid, "invalid", 400, 11)
        expect_refusal(tally, which, trial.anonymous, "anonymous", 401)
        expect_refusal(tally, which, trial.narrow, "scope", 403, 21)

    return _judged(state, REFUSED, judge, WRITING)


def _json(answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
