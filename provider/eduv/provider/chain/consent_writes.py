"""The Consent API's writing side, as the consent management of the source (profile Bron).

A consumer asks the source to register a consent (``PUT /consent/requests``). The source
registers it with a reference of its own, answers 202, and gives its answer later as a
ConsentNotification PUT to the consumer's endpoint (``PUT /consent/notifications``),
through the confirmation sender: accepted where the school gave that consumer consent
for that API (the provider's configuration says which schools did), else pending, as
the school has not decided yet. A request that comes again with the same consumer
reference is not registered twice; its notification is sent again.

Either party withdraws a registration (``PUT /consent/revokes``) by naming both
references: the registration gets the withdrawing party's status ``revoked`` (a client
of the source withdraws as the consumer unless the message says otherwise); a
registration the source does not hold is 404.

In 0.0.2 requests, notifications and withdrawals carry a part of a registration's members,
under the names 0.0.2 gives them (``edu_org_id`` for the school); they are converted as
a registration (ConsentStatus) is, with the chain conversion table.

The registrations are the stored consents the reads serve; whether a client may read a
school's data still follows the provider's configuration, which a registration made
here does not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from eduv import spec
from eduv.dataset.chain import (
    ChainDataset,
    SchoolFacts,
    chain_object_in,
)
from eduv.provider.chain.processing import new_id
from eduv.provider.chain.sender import due_again, owe
from eduv.provider.chain.shapes import current_shape
from eduv.provider.chain.store import (
    chain_objects_where,
    known_school,
    store_chain_object,
    unknown_school,
)
from eduv.provider.db import writing
from eduv.provider.errors import OTHER, SCHEMA_INCORRECT, Answer, RefusalError
from eduv.provider.faults import Faults
from eduv.provider.faults_writes import CONSENT_NOT_ANSWERED, WITHDRAWAL_IGNORED
from eduv.provider.keys import school_keys
from eduv.provider.schema import chain_exchanges, chain_objects

JsonObject = dict[str, Any]

API = "consent-api"
REQUEST, REVOKE, NOTIFY = "put-consent-request", "put-consent-revoke", "put-consent-notification"
WRITES = frozenset({REQUEST, REVOKE})
# The message a registration stands in for when converting between versions.
REGISTRATION = "ConsentStatus"
REVOKED = "revoked"


def take(
    engine: Engine, faults: Faults, operation: str, version: str, client: Any, body: Any
) -> Answer:
    """Take a consent request or withdrawal from ``client``; 202 when taken."""
    if not isinstance(body, dict):
        # as current_shape says: what is no object has no school to look up either
        raise RefusalError(400, SCHEMA_INCORRECT, "the request body must be a JSON object")
    with writing(engine) as conn:
        school = _school(conn, version, body)
        current = _up(version, body, school)
        if operation == REQUEST:
            _request(conn, version, client, body, current, school, faults)
        elif not faults.has(WITHDRAWAL_IGNORED):
            _revoke(conn, current)
    return Answer(202, None)


def _school(conn: Connection, version: str, body: JsonObject) -> str:
    """The key of the school the message names (400/23 when the source knows none)."""
    named = body.get("school")
    if isinstance(named, Mapping):
        keys = school_keys(named)
    else:
        keys = [("master", str(body.get("edu_org_id", "")))]
    key = known_school(conn, keys)
    if key is None:
        raise unknown_school(keys)
    return key


def _up(version: str, body: JsonObject, school: str) -> JsonObject:
    known = ChainDataset(shapes={})
    known.schools = [SchoolFacts(sector="PO", organisationMasterIdentifier=school)]
    return current_shape(API, version, REGISTRATION, body, known)


def _request(
    conn: Connection,
    version: str,
    client: Any,
    body: JsonObject,
    current: JsonObject,
    school: str,
    faults: Faults,
) -> None:
    reference = str(current.get("consumerReferenceId") or body.get("consumerReferenceId"))
    t = chain_exchanges
    earlier = conn.execute(
        select(t.c.pk).where(
            t.c.client_id == client.client_id,
            t.c.operation == REQUEST,
            t.c.reference == reference,
        )
    ).first()
    if earlier is not None:
        due_again(conn, int(earlier[0]))
        return
    api = str(current.get("api"))
    registration: JsonObject = {
        "providerReferenceId": new_id(),
        "consumerReferenceId": reference,
        "school": current.get("school") or {"organisationMasterIdentifier": school},
        "api": api,
        "scopes": list(current.get("scopes") or ()),
        "providerStatus": "accepted" if client.has_consent(school, api) else "pending",
        "consumerStatus": str(current.get("consumerStatus") or "accepted"),
    }
    store_chain_object(conn, "consents", registration)
    notification = _shaped(version, registration, "ConsentNotification")
    if faults.has(CONSENT_NOT_ANSWERED):
        return
    owe(
        conn,
        client_id=client.client_id,
        api=API,
        version=version,
        operation=REQUEST,
        reference=reference,
        request=body,
        confirm_operation=NOTIFY,
        message=notification,
    )


def _revoke(conn: Connection, current: JsonObject) -> None:
    provider_ref = str(current.get("providerReferenceId", ""))
    consumer_ref = str(current.get("consumerReferenceId", ""))
    found = [
        stored
        for stored in chain_objects_where(
            conn, "consents", [chain_objects.c.obj_id == provider_ref]
        )
        if orjson.loads(stored.doc).get("consumerReferenceId", "") == consumer_ref
    ]
    if not found:
        raise RefusalError(
            404, OTHER, f"no consent registration {provider_ref!r} / {consumer_ref!r} here"
        )
    registration = orjson.loads(found[0].doc)
    parties = [p for p in ("providerStatus", "consumerStatus") if current.get(p) == REVOKED]
    for party in parties or ["consumerStatus"]:
        registration[party] = REVOKED
    store_chain_object(conn, "consents", registration, replace=True)


def _shaped(version: str, registration: JsonObject, message: str) -> JsonObject:
    """``registration`` as ``message`` of ``version`` carries it."""
    (doc,) = chain_object_in(API, version, REGISTRATION, registration)
    members = spec.schema(API, version, message).get("properties", {})
    return {k: v for k, v in doc.items() if k in members}
