"""The writing side of the chain: the requests, messages and confirmations the provider takes.

Every writing operation the provider's components serve (``roles.WRITES``) but the
Consent API's (``eduv.provider.chain.consent_writes``) is one row of :data:`EXCHANGES`:
what taking it does (``eduv.provider.chain.processing``), while
the member that names the request and the operation its confirmation goes to follow
from the specification (``eduv.dataset.chain.exchanges``). Taking one runs in one database
transaction: the request is stored once per (client, operation, reference), its effect
is applied to the chain objects the reads serve (a delivery order and its entitlements,
issued activation codes, a licensed entitlement, results, progress), and the
confirmation it is owed is stored beside it. The sender
(``eduv.provider.chain.sender``) later PUTs that confirmation to the client's endpoint.

A delivery order's entitlements are pushed on: the entitlement manager sends each, as an
EntitlementRequest, to the licence registries and portals among the clients, through the
same sender, and takes their confirmations back.

A request that arrives again with the same reference is not taken again: its stored
confirmation, with the same id, is sent once more, as the texts ask. A request in the
previous version's shape is converted up with the chain conversion table, handled as
the current one, and confirmed in the shape of the version it came in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from eduv import spec
from eduv.dataset.chain import (
    ChainDataset,
    SchoolFacts,
    chain_object_in,
)
from eduv.dataset.chain.exchanges import ExchangeKind, exchange_kind
from eduv.provider import roles
from eduv.provider.chain import consent_writes
from eduv.provider.chain.processing import (
    Work,
    activation,
    codes,
    credit,
    delivery_order,
    new_id,
    order,
    pushed,
    received,
    revoke,
)
from eduv.provider.chain.sender import due_again, owe
from eduv.provider.chain.shapes import current_shape
from eduv.provider.chain.store import (
    chain_objects_where,
    known_school,
    store_chain_object,
    unknown_school,
)
from eduv.provider.config import Client
from eduv.provider.db import reading, utc_now, writing
from eduv.provider.errors import (
    CONSENT_REQUIRED,
    SCHEMA_INCORRECT,
    Answer,
    RefusalError,
)
from eduv.provider.faults import SKIP_CONSENT, Faults
from eduv.provider.faults_writes import (
    ENTITLEMENTS_NOT_PUSHED,
    NEW_CONFIRMATION_ON_REPEAT,
    PROGRESS_ANSWER_200,
    PUSH_CONSENT_UNCHECKED,
    REFERENCE_NOT_ECHOED,
    RESULTS_ANSWER_202,
    WRITES_UNVALIDATED,
)
from eduv.provider.keys import school_keys
from eduv.provider.schema import chain_exchanges, chain_objects

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Exchange:
    """How the provider takes one writing operation: ``process`` applies the request and
    returns the confirmation's content (``None`` for a message that its HTTP status
    alone confirms); what names the request and where its confirmation goes is
    ``kind`` (from the specification)."""

    api: str
    operation: str
    process: Callable[[Work], JsonObject | None]
    http: int = 202

    @property
    def kind(self) -> ExchangeKind:
        return exchange_kind(self.api, self.operation)


EXCHANGES: Mapping[str, Exchange] = {
    e.operation: e
    for e in (
        Exchange("order-api", "accept-order-request", order),
        Exchange("order-api", "accept-credit-order-request", credit),
        Exchange("delivery-api", "accept-delivery-order", delivery_order),
        Exchange("activationcode-api", "accept-activation-code-request", codes),
        Exchange("activationcode-api", "accept-activation-code-revoke-request", revoke),
        # An entitlement is activated for the first time once: its id names the message.
        Exchange("usage-api", "accept-initial-activation", activation),
        Exchange("results-api", "postResults", pushed("results"), http=201),
        Exchange("progress-api", "putSimpleProgress", pushed("progress")),
        Exchange("delivery-api", "confirm-delivery-order", received("deliveryOrderConfirmations")),
        Exchange("entitlement-api", "confirm-entitlement", received("entitlementConfirmations")),
    )
}


@dataclass(frozen=True, slots=True)
class Taken:
    """What a writing call needs of the request path."""

    op: spec.Operation
    version: str
    client: Client
    scopes: frozenset[str]
    params: Mapping[str, Any]
    body: Any


# What the entitlement manager pushes, and to whom: PUT /entitlements of every client
# that plays a licence registry or a portal there (one of the operation's scopes) and
# has an endpoint configured.
PUSH_API, PUSH = "entitlement-api", "accept-entitlement"


def push_receivers(clients: Mapping[str, Client]) -> tuple[str, ...]:
    op = spec.operation(PUSH_API, spec.api(PUSH_API).current, PUSH)
    return tuple(
        c.client_id
        for c in clients.values()
        if c.confirmations is not None and c.scopes & set(op.scopes)
    )


class ExchangeService:
    def __init__(self, engine: Engine, faults: Faults, receivers: tuple[str, ...] = ()) -> None:
        self.engine = engine
        self.faults = faults
        self.receivers = receivers

    def take(self, call: Taken) -> Answer:
        if call.op.operation_id in consent_writes.WRITES:
            return self._guarded(
                202,
                lambda: consent_writes.take(
                    self.engine,
                    self.faults,
                    call.op.operation_id,
                    call.version,
                    call.client,
                    call.body,
                ),
            )
        exchange = EXCHANGES[call.op.operation_id]
        return self._guarded(exchange.http, lambda: self._take(call, exchange))

    def _guarded(self, http: int, work: Callable[[], Answer]) -> Answer:
        try:
            return work()
        except (KeyError, TypeError, ValueError, AttributeError, RefusalError) as exc:
            # A component that checks nothing takes what it cannot read, too; only a body
            # the schema check let through can break the processing.
            unchecked = self.faults.has(WRITES_UNVALIDATED)
            if unchecked and getattr(exc, "status", SCHEMA_INCORRECT) == SCHEMA_INCORRECT:
                return Answer(http, None)
            raise

    def _take(self, call: Taken, exchange: Exchange) -> Answer:
        kind = exchange.kind
        with reading(self.engine) as conn:
            known = _known(conn, call.body)
        body = current_shape(call.op.api, call.version, kind.request.component, call.body, known)
        reference = str(body.get(kind.reference) or "")
        path_id = str(call.params["id"]) if "id" in call.params else None
        if path_id is not None and reference and path_id != reference:
            raise RefusalError(
                400, SCHEMA_INCORRECT, "the id in the path is not the id in the request body"
            )
        if not reference:
            # Where the schema leaves the reference out, the request is still taken: under
            # the id in its path, else one made up here, which its confirmation then names.
            reference = path_id or new_id()
            body = {**body, kind.reference: reference}
        with writing(self.engine) as conn:
            self._consent(conn, call, body)
            repeated = self._repeat(conn, call, exchange, reference)
            if repeated is None:
                work = Work(conn, body, call.client, self.faults, utc_now())
                content = exchange.process(work)
                self._record(conn, call, exchange, reference, content)
                self._push(conn, call, work.made)
        status = exchange.http
        if status == 201 and self.faults.has(RESULTS_ANSWER_202):
            status = 202
        if exchange.operation == "putSimpleProgress" and self.faults.has(PROGRESS_ANSWER_200):
            status = 200
        return Answer(status, None)

    def _consent(self, conn: Connection, call: Taken, body: JsonObject) -> None:
        """Data pushed about a school's pupils needs the school's consent (403/22)."""
        if not roles.needs_consent(call.op, call.scopes):
            return
        if self.faults.has(SKIP_CONSENT) or self.faults.has(PUSH_CONSENT_UNCHECKED):
            return
        school = body.get("school")
        keys = school_keys(school) if isinstance(school, Mapping) else []
        key = known_school(conn, keys)
        if key is None:
            raise unknown_school(keys)
        if not call.client.has_consent(key, call.op.api):
            raise RefusalError(
                403,
                CONSENT_REQUIRED,
                f"school {key} has not given client {call.client.client_id!r} consent "
                f"for the {call.op.api}",
            )

    def _repeat(
        self, conn: Connection, call: Taken, exchange: Exchange, reference: str
    ) -> int | None:
        """The stored exchange of a request that came before (its confirmation is due
        again), or ``None`` for a new one."""
        t = chain_exchanges
        found = conn.execute(
            select(t.c.pk, t.c.confirmation).where(
                t.c.client_id == call.client.client_id,
                t.c.operation == call.op.operation_id,
                t.c.reference == reference,
            )
        ).first()
        if found is None:
            return None
        pk, confirmation = int(found[0]), found[1]
        if confirmation is not None:
            changes: dict[str, Any] = {}
            own_id = exchange.kind.confirmation_id
            if self.faults.has(NEW_CONFIRMATION_ON_REPEAT) and own_id is not None:
                doc = orjson.loads(confirmation)
                doc[own_id] = new_id()
                changes["confirmation"] = orjson.dumps(doc).decode()
            due_again(conn, pk, **changes)
        return pk

    def _record(
        self,
        conn: Connection,
        call: Taken,
        exchange: Exchange,
        reference: str,
        content: JsonObject | None,
    ) -> None:
        shaped = None
        confirms = exchange.kind.confirmation
        if content is not None and confirms is not None:
            if self.faults.has(REFERENCE_NOT_ECHOED):
                content = {**content, exchange.kind.reference: new_id()}
            (shaped,) = chain_object_in(call.op.api, call.version, confirms.component, content)
        owe(
            conn,
            client_id=call.client.client_id,
            api=call.op.api,
            version=call.version,
            operation=call.op.operation_id,
            reference=reference,
            request=call.body,
            confirm_operation=exchange.kind.confirm,
            message=shaped,
        )

    def _push(self, conn: Connection, call: Taken, made: list[JsonObject]) -> None:
        """Each entitlement made, as an EntitlementRequest to each receiver: stored as the
        chain's request, and sent by the confirmation sender like a confirmation."""
        if self.faults.has(ENTITLEMENTS_NOT_PUSHED):
            return
        version = spec.api(PUSH_API).current
        for entitlement in made:
            for receiver in self.receivers:
                reference = new_id()
                sent_on = {"entitlementReferenceId": reference, "entitlement": entitlement}
                store_chain_object(conn, "entitlementRequests", sent_on)
                owe(
                    conn,
                    client_id=receiver,
                    api=PUSH_API,
                    version=version,
                    operation=PUSH,
                    reference=reference,
                    request=call.body,
                    confirm_operation=PUSH,
                    message=sent_on,
                )


def _known(conn: Connection, body: Any) -> ChainDataset:
    """What converting a previous version's request up may need to look at: the schools
    the stored chain names its pupil at (progress 0.0.1 names a pupil by ECK iD only),
    and the order a credit of one line refers to (0.9.1 names the line only)."""
    known = ChainDataset(shapes={})
    if not isinstance(body, dict):
        return known
    eck = body.get("eckId")
    if isinstance(eck, str) and eck:
        condition = chain_objects.c.doc.contains(eck, autoescape=True)
        keys = {
            stored.school
            for collection in ("entitlements", "deliveryOrders")
            for stored in chain_objects_where(conn, collection, [condition])
            if stored.school
        }
        pupil = {"userMasterIdentifier": eck}
        known.schools = [
            SchoolFacts(sector="PO", organisationMasterIdentifier=key, students=[pupil])
            for key in sorted(keys)
        ]
    order = body.get("purchaseOrderId")
    if isinstance(order, str) and order:
        # Stored in the current shape; the conversion looks for the previous one.
        condition = chain_objects.c.doc.contains(order, autoescape=True)
        previous = spec.api("order-api").previous
        for stored in chain_objects_where(conn, "orderRequests", [condition]):
            doc = orjson.loads(stored.doc)
            if doc.get("purchaseOrderId") == order:
                lines = chain_object_in("order-api", previous, "OrderRequest", doc)
                known.items("orderRequests").extend(lines)
    return known
