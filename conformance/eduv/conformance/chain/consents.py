"""Consumer mode and the Consent API: a source's consent management takes consent requests
and withdrawals (EDUV-CONF-XCH-010).

The suite, as a consumer's consent management, asks the source to register a consent
for the first school configured with consent (``PUT /consent/requests``): the answer is
202, and a ConsentNotification naming the request's reference follows at the callback
within its timeout, valid, with a token, in the version of the request. The registration
is then read back for that school and reference and must carry the source's reference
from the notification. The suite withdraws it (``PUT /consent/revokes``, consumer status
``revoked``): 202, and the registration read back is withdrawn on the consumer's side.
A withdrawal of a registration the source does not hold is 404. In 0.0.2 the messages
name the school by ``edu_org_id`` and the API and school are parts of the reading path.
"""

from __future__ import annotations

import uuid
from typing import Any

from eduv import spec
from eduv.conformance.chain.context import ChainContext, context
from eduv.conformance.chain.listener import Received
from eduv.conformance.chain.receiving import _place
from eduv.conformance.http import Answer
from eduv.conformance.model import Outcome, Result, Where
from eduv.conformance.state import SuiteState
from eduv.conformance.tally import Tally

JsonObject = dict[str, Any]

CHECK = "EDUV-CONF-XCH-010"
API = "consent-api"
REQUEST, REVOKE, NOTIFY = "put-consent-request", "put-consent-revoke", "put-consent-notification"
READ = "get-consent-statuses-by-school"
# What a request asks consent for: a chain API that needs it, with a scope of that API.
ASKED_API = "entitlement-api"
SCOPES = {"0.9.1": ["entitlement.portal"], "0.0.2": ["entitlement"]}
STATUSES = frozenset({"pending", "accepted", "declined"})


def requests_and_withdrawals(state: SuiteState) -> list[Result]:
    ctx = context(state)
    if ctx.why_not is not None:
        return [Result(CHECK, Outcome.SKIP, ctx.why_not)]
    tally = Tally(CHECK)
    pairs = [
        (api, version)
        for api, version in state.cfg.plan()
        if api == API and not state.cfg.left_out(api, version)
    ]
    schools = [s.id for s in state.cfg.schools if s.consent]
    for api, version in pairs:
        if not schools:
            tally.skip(api, version, "pair-no-school")
            continue
        _exchange(ctx, tally, version, schools[0])
    return tally.results(pairs)


def _exchange(ctx: ChainContext, tally: Tally, version: str, school: str) -> None:
    requester = ctx.requester
    assert requester is not None
    reference = str(uuid.uuid4())
    asked = _named(version, school) | {
        "consumerReferenceId": reference,
        "api": ASKED_API,
        "scopes": SCOPES.get(version, SCOPES["0.9.1"]),
    }
    if version == spec.api(API).current:
        asked["consumerStatus"] = "accepted"
    else:
        asked["schemaVersion"] = version
    before = requester.listener.count if requester.listener is not None else 0
    answer = _put(ctx, version, REQUEST, asked)
    if answer.status != 202:
        params = {"operation": REQUEST, "status": answer.status, "expected": 202}
        tally.problem(API, version, "http", params, where=_place(REQUEST, answer, asked))
        return
    got = _notification(ctx, version, reference, before)
    place = Where(REQUEST, answer.exchange, "ConsentNotification", reference)
    if got is None:
        waited: JsonObject = {"seconds": ctx.cfg.callback.timeout}
        tally.problem(API, version, "no-notification", waited, where=place)
        return
    problem = _notification_problem(version, got)
    if problem is not None:
        key, params = problem
        tally.problem(API, version, key, params, where=_with(place, got))
        return
    provider_ref = str(got.json["providerReferenceId"])
    if not _registered(ctx, version, school, reference, provider_ref, "accepted"):
        params = {"reference": reference, "status": "-"}
        tally.problem(API, version, "not-registered", params, where=_with(place, got))
        return
    withdrawal = {
        **{k: v for k, v in asked.items() if k != "consumerStatus"},
        "providerReferenceId": provider_ref,
        "consumerStatus": "revoked",
    }
    ended = _put(ctx, version, REVOKE, withdrawal)
    unknown = _put(ctx, version, REVOKE, {**withdrawal, "providerReferenceId": str(uuid.uuid4())})
    if ended.status != 202:
        params = {"operation": REVOKE, "status": ended.status, "expected": 202}
        tally.problem(API, version, "http", params, where=_place(REVOKE, ended, withdrawal))
    elif not _registered(ctx, version, school, reference, provider_ref, "revoked"):
        params = {"reference": reference, "status": "revoked"}
        tally.problem(API, version, "not-withdrawn", params, where=_place(REVOKE, ended))
    elif unknown.status != 404:
        params = {"operation": REVOKE, "status": unknown.status, "expected": 404}
        tally.problem(API, version, "http", params, where=_place(REVOKE, unknown))
    else:
        tally.ok(API, version)


def _named(version: str, school: str) -> JsonObject:
    if version == spec.api(API).current:
        return {"school": {"organisationMasterIdentifier": school}}
    return {"edu_org_id": school}


def _put(ctx: ChainContext, version: str, operation: str, body: JsonObject) -> Answer:
    requester = ctx.requester
    assert requester is not None
    op = spec.operation(API, version, operation)
    return ctx.session.call(op, token=requester.token, body=body)


def _notification(ctx: ChainContext, version: str, reference: str, after: int) -> Received | None:
    requester = ctx.requester
    assert requester is not None
    if requester.listener is None:
        return None
    path = spec.operation(API, version, NOTIFY).path

    def names(call: Received) -> bool:
        body = call.json if isinstance(call.json, dict) else {}
        return call.path.endswith(path) and body.get("consumerReferenceId") == reference

    return requester.listener.wait_for(names, requester.timeout, after=after)


def _notification_problem(version: str, got: Received) -> tuple[str, JsonObject] | None:
    if not got.authenticated:
        return "unauthenticated", {"operation": NOTIFY}
    header = got.headers.get("api-version")
    if header != version:
        return "notification-version", {"got": header or "-", "expected": version}
    validator = spec.validator(API, version, "ConsentNotification")
    errors = [e.message for e in validator.iter_errors(got.json)]
    if errors:
        return "notification-invalid", {"version": version, "error": errors[0]}
    if got.json.get("providerStatus") not in STATUSES:
        return "notification-invalid", {"version": version, "error": "no status of a request"}
    return None


def _registered(
    ctx: ChainContext, version: str, school: str, reference: str, provider_ref: str, status: str
) -> bool:
    """Whether the school's registration with ``reference`` carries the source's
    reference, and (for ``revoked``) is withdrawn on the consumer's side."""
    requester = ctx.requester
    assert requester is not None
    op = spec.operation(API, version, READ)
    params: JsonObject = {"consumerReferenceId": reference}
    if "edu_org_id" in op.parameter_in:
        params |= {"api": ASKED_API, "edu_org_id": school}
    else:
        params |= {"orgMasterId": school}
    answer = ctx.session.call(op, token=requester.token, params=params)
    try:
        body = answer.json() if answer.status == 200 else []
    except ValueError:
        return False
    found = body if isinstance(body, list) else [body]
    for registration in found:
        if not isinstance(registration, dict):
            continue
        if registration.get("providerReferenceId") != provider_ref:
            continue
        return status != "revoked" or registration.get("consumerStatus") == "revoked"
    return False


def _with(place: Where, got: Received) -> Where:
    return Where(place.operation, place.evidence, place.component, place.object_id, item=got.json)
