"""Scenario mode for the chain: one product's way from order to first use, read back.

In the current versions, as the texts describe the flow: the suite, as the school's
ordering environment, orders a product and waits for the approval; hands the
entitlement manager a delivery order for two pupils and waits for its confirmation;
reads the delivery order back (it must carry the confirmed status, EDUV-CONF-FLOW-001);
reads the entitlements made of it (one for each pupil it lists, for its product, as the
chain rules about entitlements and their delivery order say, FLOW-002); takes, as the
licence registry, the entitlements the entitlement manager sends on (PUT /entitlements
at the callback), one for each entitlement read, and confirms each back (FLOW-004); asks the licence
registry for activation codes (as many as asked); reports, as the licence registry, the
first activation of one entitlement, and reads that entitlement back licensed (FLOW-003).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.chain.context import ChainContext, context
from eduv.conformance.chain.exchange import Exchanged
from eduv.conformance.chain.listener import Received
from eduv.conformance.http import Answer
from eduv.conformance.model import Note, Outcome, Result, Where
from eduv.conformance.observe.judging import rule_finding
from eduv.conformance.state import SuiteState
from eduv.conformance.tally import Tally
from eduv.dataset.chain import ChainDataset
from eduv.rules import check_chain_dataset

JsonObject = dict[str, Any]

DELIVERED = "EDUV-CONF-FLOW-001"
ENTITLED = "EDUV-CONF-FLOW-002"
LICENSED = "EDUV-CONF-FLOW-003"
SENT_ON = "EDUV-CONF-FLOW-004"
# Where the entitlement manager sends an entitlement on, and where it takes it back.
PUSH, PUSH_CONFIRMED = "accept-entitlement", "confirm-entitlement"
FLOW_APIS = ("order-api", "delivery-api", "entitlement-api", "activationcode-api", "usage-api")
# The rules about a delivery order and the entitlements made of it.
ENTITLEMENT_RULES = frozenset(
    {"EDUV-CHAIN-025", "EDUV-CHAIN-026", "EDUV-CHAIN-027", "EDUV-CHAIN-028"}
)
SUBJECT = "order-to-first-use"


@dataclass
class Walk:
    """What the flow sent and read, step by step."""

    ctx: ChainContext
    why_not: Note | None = None
    order: Exchanged | None = None
    delivery: Exchanged | None = None
    read_order: Answer | None = None
    read_entitlements: Answer | None = None
    codes: Exchanged | None = None
    activation: Exchanged | None = None
    read_licensed: Answer | None = None
    stopped: str | None = None  # the step the flow could not get past
    entitlements: list[JsonObject] = field(default_factory=list)
    # The entitlements sent on to the suite as licence registry, and its confirmations.
    pushes: list[Received] = field(default_factory=list)
    push_confirmations: list[Exchanged] = field(default_factory=list)


def _current(api: str) -> str:
    return spec.api(api).current


def walk(state: SuiteState) -> Walk:
    cached = state.extra.get("chain-flow")
    if isinstance(cached, Walk):
        return cached
    ctx = context(state)
    found = Walk(ctx, ctx.why_not)
    state.extra["chain-flow"] = found
    if found.why_not is not None:
        return found
    missing = [a for a in FLOW_APIS if (a, _current(a)) not in ctx.pairs]
    if missing:
        found.why_not = Note("chain-flow-incomplete", {"apis": ", ".join(missing)})
        return found
    _steps(found)
    return found


def _ok(answer: Answer) -> bool:
    return answer.status is not None and answer.status < 300


def _steps(found: Walk) -> None:
    ctx = found.ctx
    requester, bodies = ctx.requester, ctx.bodies
    assert requester is not None and bodies is not None
    token = requester.token
    order = bodies.order()
    found.order = requester.send("order-api", "accept-order-request", _current("order-api"), order)
    got = found.order.confirmation
    if got is None or not isinstance(got.json, dict) or got.json.get("orderStatus") != "approved":
        found.stopped = "order"
        return
    product = str(order["orderLines"][0]["productId"])
    request = bodies.delivery_order(product)
    ident = request["deliveryOrder"]["deliveryOrderId"]
    before = requester.listener.count if requester.listener is not None else 0
    found.delivery = requester.send(
        "delivery-api", "accept-delivery-order", _current("delivery-api"), request
    )
    if found.delivery.confirmation is None:
        found.stopped = "delivery"
        return
    found.read_order = ctx.session.call(
        _op("delivery-api", "get-delivery-order"), token=token, params={"id": ident}
    )
    found.read_entitlements = ctx.session.call(
        _op("entitlement-api", "get-entitlements-by-delivery-order"),
        token=token,
        params={"id": ident},
    )
    read = _json_list(found.read_entitlements)
    found.entitlements = read
    _take_pushes(
        found,
        ident,
        len(read) or len(request["deliveryOrder"]["deliverySpecification"].get("students", [])),
        before,
    )
    found.codes = requester.send(
        "activationcode-api",
        "accept-activation-code-request",
        _current("activationcode-api"),
        bodies.codes(product, 2),
    )
    if not read:
        found.stopped = "entitlements"
        return
    first = read[0]
    found.activation = requester.send(
        "usage-api", "accept-initial-activation", _current("usage-api"), bodies.activation(first)
    )
    found.read_licensed = ctx.session.call(
        _op("entitlement-api", "get-entitlement"),
        token=token,
        params={"id": first.get("entitlementId")},
    )


def _take_pushes(found: Walk, ident: str, expected: int, after: int) -> None:
    """Wait for the entitlements of delivery order ``ident`` sent on to the callback, and
    confirm each as a licence registry would."""
    requester = found.ctx.requester
    assert requester is not None and found.delivery is not None
    listener = requester.listener
    if listener is None:
        return
    path = _op("entitlement-api", PUSH).path

    def pushed(call: Received) -> bool:
        body = call.json if isinstance(call.json, dict) else {}
        entitlement = body.get("entitlement")
        return (
            call.method == "PUT"
            and call.path.endswith(path)
            and isinstance(entitlement, dict)
            and entitlement.get("deliveryOrderId") == ident
        )

    # Other clients that play a licence registry may share the callback: what counts is
    # that each entitlement came at least once.
    deadline = found.delivery.sent_at + requester.timeout
    index, came = after, set[str]()
    while len(came) < expected:
        got = listener.wait_for(pushed, max(deadline - time.monotonic(), 0), after=index)
        if got is None:
            break
        found.pushes.append(got)
        came.add(str(got.json["entitlement"].get("entitlementId")))
        index = listener.received().index(got) + 1
    for push in found.pushes:
        entitlement = push.json["entitlement"]
        confirmation = {
            "entitlementReferenceId": push.json.get("entitlementReferenceId"),
            "entitlementReceiveId": str(uuid.uuid4()),
            "entitlementId": entitlement.get("entitlementId"),
            "productId": entitlement.get("productId"),
            "processedTimestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "success": True,
            "status": 0,
        }
        version = push.headers.get("api-version") or _current("entitlement-api")
        sent = requester.send("entitlement-api", PUSH_CONFIRMED, version, confirmation)
        found.push_confirmations.append(sent)


def _op(api: str, operation_id: str) -> spec.Operation:
    return spec.operation(api, _current(api), operation_id)


def _json_list(answer: Answer | None) -> list[JsonObject]:
    if answer is None or answer.status != 200:
        return []
    try:
        found = answer.json()
    except ValueError:
        return []
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _json(answer: Answer | None) -> Any:
    if answer is None:
        return None
    try:
        return answer.json()
    except ValueError:
        return None


FlowCheck = Callable[[SuiteState], list[Result]]


def _check(check_id: str, judge: Callable[[Walk, Tally], None]) -> FlowCheck:
    """A check of the flow: skipped with the flow's reason, else ``judge`` over the walk."""

    def run(state: SuiteState) -> list[Result]:
        found = walk(state)
        if found.why_not is not None:
            return [Result(check_id, Outcome.SKIP, found.why_not, subject=SUBJECT)]
        tally = Tally(check_id, SUBJECT)
        judge(found, tally)
        return tally.results()

    return run


def _confirmed_delivery(tally: Tally, api: str, found: Walk) -> bool:
    """Whether the delivery order was confirmed; else the flow stopped before ``api``."""
    if found.delivery is not None and found.delivery.confirmation is not None:
        return True
    _stopped(tally, api, found, found.stopped or "delivery", found.delivery)
    return False


def _stopped(tally: Tally, api: str, found: Walk, step: str, sent: Exchanged | None) -> None:
    """The flow could not reach this check's step: the evidence is the last exchange
    that went out, whose answer or confirmation stopped it."""
    last = sent or next(
        (x for x in (found.activation, found.codes, found.delivery, found.order) if x), None
    )
    place = Where(last.kind.operation, last.answer.exchange) if last is not None else Where()
    params: dict[str, Any] = {"step": step}
    key = "stopped"
    if last is not None and not _ok(last.answer):
        key, params["status"] = "stopped-refused", last.answer.status
    elif last is not None and last.kind.confirm is not None and last.confirmation is None:
        # Most often the target does not know where this client takes confirmations.
        requester = found.ctx.requester
        listener = requester.listener if requester is not None else None
        key = "stopped-unconfirmed"
        params["seconds"] = found.ctx.cfg.callback.timeout
        params["url"] = listener.url if listener is not None else "-"
    tally.problem(api, _current(api), key, params, where=place)


def _delivered(found: Walk, tally: Tally) -> None:
    api = "delivery-api"
    if found.stopped in ("order", "delivery"):
        sent = found.order if found.stopped == "order" else found.delivery
        _stopped(
            tally, "order-api" if found.stopped == "order" else api, found, found.stopped, sent
        )
        return
    assert found.delivery is not None and found.delivery.confirmation is not None
    confirmed = found.delivery.confirmation.json
    served = _json(found.read_order)
    expected = confirmed.get("newStatus") if isinstance(confirmed, dict) else None
    place = Where("get-delivery-order", found.read_order.exchange if found.read_order else None)
    if found.read_order is None or found.read_order.status != 200 or not isinstance(served, dict):
        status = found.read_order.status if found.read_order else None
        tally.problem(api, _current(api), "not-served", {"status": status}, where=place)
    elif served.get("status") != expected:
        params = {"status": served.get("status"), "expected": expected}
        tally.problem(api, _current(api), "status", params, where=place)
    else:
        tally.ok(api, _current(api))


def _entitled(found: Walk, tally: Tally) -> None:
    api = "entitlement-api"
    if not _confirmed_delivery(tally, api, found):
        return
    assert found.delivery is not None
    order = found.delivery.body["deliveryOrder"]
    listed = {
        str(s.get("userMasterIdentifier"))
        for s in order["deliverySpecification"].get("students", [])
    }
    place = Where(
        "get-entitlements-by-delivery-order",
        found.read_entitlements.exchange if found.read_entitlements else None,
    )
    holders = [
        str(e.get("entitlementSpecification", {}).get("student", {}).get("userMasterIdentifier"))
        for e in found.entitlements
    ]
    if sorted(holders) != sorted(listed):
        params = {"count": len(found.entitlements), "expected": len(listed)}
        tally.problem(api, _current(api), "holders", params, where=place)
    else:
        tally.ok(api, _current(api))
    served = _json(found.read_order)
    shapes = {"delivery-api": _current("delivery-api"), api: _current(api)}
    dataset = ChainDataset(shapes=shapes, schools=found.ctx.log.schools)
    dataset.items("deliveryOrders").append(served if isinstance(served, dict) else order)
    dataset.items("entitlements").extend(found.entitlements)
    for violation in check_chain_dataset(dataset, found.ctx.cfg.lang, message_rules=False):
        if violation.rule in ENTITLEMENT_RULES:
            rule_finding(tally, violation, api, _current(api), place, SUBJECT)


def _licensed(found: Walk, tally: Tally) -> None:
    codes_api, usage_api = "activationcode-api", "usage-api"
    if found.codes is not None:
        got = found.codes.confirmation
        issued = got.json.get("activationCodes", []) if got and isinstance(got.json, dict) else []
        place = Where(
            found.codes.kind.operation, found.codes.answer.exchange, item=got.json if got else None
        )
        if len(set(issued)) != int(found.codes.body["quantity"]):
            params = {"count": len(set(issued)), "expected": found.codes.body["quantity"]}
            tally.problem(codes_api, _current(codes_api), "codes", params, where=place)
        else:
            tally.ok(codes_api, _current(codes_api))
    if found.activation is None:
        _stopped(tally, usage_api, found, found.stopped or "entitlements", found.delivery)
        return
    read = _json(found.read_licensed)
    place = Where("get-entitlement", found.read_licensed.exchange if found.read_licensed else None)
    if not _ok(found.activation.answer):
        params = {"status": found.activation.answer.status}
        where = Where(found.activation.kind.operation, found.activation.answer.exchange)
        tally.problem(usage_api, _current(usage_api), "not-taken", params, where=where)
    elif not isinstance(read, dict) or read.get("entitlementStatus") != "licensed":
        status = read.get("entitlementStatus") if isinstance(read, dict) else None
        tally.problem(
            usage_api, _current(usage_api), "not-licensed", {"status": status}, where=place
        )
    else:
        tally.ok(usage_api, _current(usage_api))


def _sent_on(found: Walk, tally: Tally) -> None:
    """EDUV-CONF-FLOW-004: each entitlement read is sent on to the licence registry, valid
    and authenticated, and the registry's confirmation is taken."""
    api = "entitlement-api"
    if not _confirmed_delivery(tally, api, found):
        return
    assert found.delivery is not None
    wanted = {str(e.get("entitlementId")) for e in found.entitlements}
    came = {str(p.json["entitlement"].get("entitlementId")) for p in found.pushes}
    missing = wanted - came
    if missing or not found.pushes:
        params = {"count": len(found.pushes), "expected": len(wanted) or "-"}
        place = Where(found.delivery.kind.operation, found.delivery.answer.exchange)
        tally.problem(api, _current(api), "not-sent-on", params, where=place)
    for push in found.pushes:
        version = push.headers.get("api-version") or _current(api)
        # The delivery order sent is the evidence; the entitlement sent on is the item.
        reference = str(push.json.get("entitlementReferenceId"))
        delivery = found.delivery
        place = Where(
            delivery.kind.operation,
            delivery.answer.exchange,
            "EntitlementRequest",
            reference,
            item=push.json,
        )
        errors = _errors(api, version, push.json)
        if not push.authenticated:
            tally.problem(api, _current(api), "unauthenticated", {}, where=place)
        elif errors:
            params = {"version": version, "error": errors[0]}
            tally.problem(api, _current(api), "invalid", params, where=place)
        else:
            tally.ok(api, _current(api))
    for sent in found.push_confirmations:
        if not _ok(sent.answer):
            place = Where(sent.kind.operation, sent.answer.exchange)
            status: dict[str, Any] = {"status": sent.answer.status}
            tally.problem(api, _current(api), "confirmation-refused", status, where=place)


def _errors(api: str, version: str, body: Any) -> list[str]:
    if version not in spec.versions(api):
        return [f"API-Version {version!r} is not a version of the {api}"]
    validator = spec.validator(api, version, "EntitlementRequest")
    return [e.message for e in validator.iter_errors(body)]


CHECKS = {
    DELIVERED: _check(DELIVERED, _delivered),
    ENTITLED: _check(ENTITLED, _entitled),
    LICENSED: _check(LICENSED, _licensed),
    SENT_ON: _check(SENT_ON, _sent_on),
}
