"""Answering the chain reads: catalogue, delivery orders, entitlements, usage, consents.

The HTTP layer has already picked the version, checked the token and the scopes and
decoded the parameters; this module finds the school (400/23 when unknown), checks the
school's consent where the texts ask for it (403/22), reads the stored objects and
shapes them: t as stored, t-1 converted with the chain conversion table, where an
object t-1 cannot express is left out (or not found, for a lookup by id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection

from eduv import spec
from eduv.dataset.chain import (
    chain_collection,
    chain_object_in,
)
from eduv.provider import roles
from eduv.provider.chain import agreements
from eduv.provider.chain.store import Stored, chain_objects_where, known_school, unknown_school
from eduv.provider.chain.usage import USAGE_API, entries, usage_answer
from eduv.provider.config import Client
from eduv.provider.errors import (
    CONSENT_REQUIRED,
    OTHER,
    SCHEMA_INCORRECT,
    Answer,
    RefusalError,
)
from eduv.provider.faults import (
    CHAIN_LOOKUP_MISSES,
    CONSENT_NOT_NARROWED,
    CONSENT_PER_CLIENT,
    CURRENT_SHAPE_FOR_PREVIOUS,
    PERSON_NOT_NARROWED,
    SKIP_CONSENT,
    UNKNOWN_ORG_OK,
    Faults,
)
from eduv.provider.keys import person_keys, school_keys
from eduv.provider.queries import Column
from eduv.provider.schema import chain_objects

KINDS = frozenset(
    {
        "chain-list",
        "chain-get",
        "chain-part",
        "chain-school",
        "chain-by",
        "chain-user",
        "consents",
        "consents-school",
        *agreements.KINDS,
    }
)
# The Consent API's parameters that ask for one consent registration by its references.
CONSENT_REFERENCES = ("providerReferenceId", "consumerReferenceId")
# Where an entitlement or a delivery order names the people it is for: the specification
# member per collection, and its members for one person and for several.
SPECIFICATIONS = {
    "entitlements": "entitlementSpecification",
    "deliveryOrders": "deliverySpecification",
}
HOLDERS = ("student", "employee")
GROUPS = ("students", "employees")


@dataclass(frozen=True, slots=True)
class ChainRequest:
    """What the chain service needs of a call (see ``eduv.provider.service.Call``)."""

    op: spec.Operation
    version: str
    kind: str
    collection: str
    filters: Mapping[str, Any]
    params: Mapping[str, Any]
    scopes: frozenset[str]
    client: Client
    body: Any = None


class ChainService:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._reads: dict[str, Callable[[Connection, ChainRequest], list[Stored]]] = {
            "chain-list": self._list,
            "chain-get": self._get,
            "chain-part": self._part,
            "chain-school": self._school_list,
            "chain-by": self._by,
            "chain-user": self._for_user,
            "consents": self._list,
            "consents-school": self._consents_for_school,
            "agreement": self._agreement,
        }

    def handle(self, conn: Connection, request: ChainRequest) -> Answer:
        if request.kind == "agreement-check":
            return agreements.verification(conn, request.params, request.version, self.faults)
        try:
            found = self._reads[request.kind](conn, request)
        except _UnknownSchoolError:
            return Answer(200, b"[]")
        return self._serve(request, found)

    # -- reads ---------------------------------------------------------------------------

    def _conditions(self, request: ChainRequest) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        for name, flt in request.filters.items():
            if name not in request.params or not isinstance(flt, Column):
                continue
            if name == "since":
                continue  # compared as moments, after reading (see _since)
            out.append(chain_objects.c[flt.column] == request.params[name])
        return out

    def _list(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        found = chain_objects_where(conn, request.collection, self._conditions(request))
        since = request.params.get("since")
        return found if since is None else _since(found, str(since))

    def _get(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        ident = str(request.params["id"])
        found = chain_objects_where(conn, request.collection, [chain_objects.c.obj_id == ident])
        return self._one(request, ident, found)

    def _one(self, request: ChainRequest, ident: str, found: list[Stored]) -> list[Stored]:
        """The first object found by id, or 404 (also under the lookup fault)."""
        missing = CHAIN_LOOKUP_MISSES.get(request.collection)
        if missing is not None and self.faults.has(missing):
            found = []
        if not found:
            raise RefusalError(404, OTHER, f"no {_message(request)} {ident!r} here")
        self._consent_for_objects(request, found)
        return found[:1]

    def _part(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        """The stored object holding one part by its id: the usage report with an
        entitlement's entry (the answer is that entry); 404 when none holds it."""
        ident = str(request.params["id"])
        # The text search only narrows; the entry's own id decides.
        candidates = chain_objects_where(
            conn, request.collection, [chain_objects.c.doc.contains(ident, autoescape=True)]
        )
        found = [
            s
            for s in candidates
            if any(e.get("entitlementId") == ident for e in entries([orjson.loads(s.doc)]))
        ]
        return self._one(request, ident, found)

    def _by(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        """The objects of one delivery order or contract; 404 when no delivery order
        has that id or contract."""
        found = chain_objects_where(conn, request.collection, self._conditions(request))
        if not found:
            flt = request.filters["id"]
            assert isinstance(flt, Column)
            # A delivery order is known by its own id; a contract by its delivery orders.
            column = "obj_id" if flt.column == "delivery_order" else flt.column
            ident = str(request.params["id"])
            condition = chain_objects.c[column] == ident
            if not chain_objects_where(conn, "deliveryOrders", [condition]):
                raise RefusalError(404, OTHER, f"no delivery order with {column} {ident!r} here")
        self._consent_for_objects(request, found)
        return found

    def _school_list(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        key = self._school(conn, request)
        if roles.needs_consent(request.op, request.scopes):
            self._check_consent(request, key)
        conditions = [chain_objects.c.school_key == key, *self._conditions(request)]
        return chain_objects_where(conn, request.collection, conditions)

    def _for_user(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        """A person's entitlements or delivery orders at a school: those whose
        specification names them (an order for a whole school, study or group names no
        one, so it is no one's in particular)."""
        key = self._school(conn, request)
        if roles.needs_consent(request.op, request.scopes):
            self._check_consent(request, key)
        wanted = set(person_keys(request.body["user"]))
        conditions = [chain_objects.c.school_key == key, *self._conditions(request)]
        found = chain_objects_where(conn, request.collection, conditions)
        member = SPECIFICATIONS.get(request.collection)
        if member is None:
            return found  # a usage report's entries are picked when shaping
        if self.faults.has(PERSON_NOT_NARROWED):
            return found
        return [s for s in found if wanted & _holder_keys(orjson.loads(s.doc), member)]

    def _consents_for_school(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        """The most recent consent registered for the school, per API (the one asked
        for, or each): the last registered in dataset order. With a reference the
        registrations that carry it instead, however old."""
        key = self._school(conn, request)
        conditions = self._conditions(request)
        if not self.faults.has(CONSENT_NOT_NARROWED):
            conditions.append(chain_objects.c.school_key == key)
        found = chain_objects_where(conn, request.collection, conditions)
        since = request.params.get("since")
        found = found if since is None else _since(found, str(since))
        if any(name in request.params for name in CONSENT_REFERENCES):
            return found
        latest: dict[tuple[str | None, str], Stored] = {}
        for stored in found:
            doc = orjson.loads(stored.doc)
            latest[(stored.school, str(doc.get("api")))] = stored
        kept = {id(s) for s in latest.values()}
        return [s for s in found if id(s) in kept]

    def _agreement(self, conn: Connection, request: ChainRequest) -> list[Stored]:
        return agreements.own(conn, request.params, request.version, self.faults)

    # -- schools and consent -------------------------------------------------------------

    def _school(self, conn: Connection, request: ChainRequest) -> str:
        params = request.params
        if isinstance(request.body, Mapping) and isinstance(request.body.get("school"), Mapping):
            keys = school_keys(request.body["school"])
        elif "orgMasterId" in params:
            keys = [("master", str(params["orgMasterId"]))]
        elif "orgId" in params and "orgIdType" in params:
            keys = [(str(params["orgIdType"]), str(params["orgId"]))]
        elif "edu_org_id" in params:
            # Consent 0.0.2 names the school by one identifier: the RIO code here.
            keys = [("master", str(params["edu_org_id"]))]
        else:
            raise RefusalError(
                400, SCHEMA_INCORRECT, "name the school with orgMasterId, or orgId and orgIdType"
            )
        key = known_school(conn, keys)
        if key is None:
            if self.faults.has(UNKNOWN_ORG_OK):
                raise _UnknownSchoolError
            raise unknown_school(keys)
        return key

    def _consent_for_objects(self, request: ChainRequest, found: list[Stored]) -> None:
        if not roles.needs_consent(request.op, request.scopes):
            return
        for school in sorted({s.school for s in found if s.school is not None}):
            self._check_consent(request, school)

    def _check_consent(self, request: ChainRequest, school: str) -> None:
        client, api = request.client, request.op.api
        if self.faults.has(SKIP_CONSENT) or client.has_consent(school, api):
            return
        if self.faults.has(CONSENT_PER_CLIENT) and client.has_any_consent(api):
            return
        raise RefusalError(
            403,
            CONSENT_REQUIRED,
            f"school {school} has not given client {client.client_id!r} consent for the {api}",
        )

    # -- shaping -------------------------------------------------------------------------

    def _serve(self, request: ChainRequest, found: list[Stored]) -> Answer:
        body = request.op.success[1]
        assert body is not None
        component = chain_collection(request.collection).component
        objs = [orjson.loads(s.doc) for s in found]
        previous = request.version != spec.api(request.op.api).current
        if previous and not self.faults.has(CURRENT_SHAPE_FOR_PREVIOUS):
            objs = _previous(request.op.api, request.version, component, objs)
            if not objs and not body.array:
                raise RefusalError(404, OTHER, f"no such {body.message} in {request.version}")
        if request.op.api == USAGE_API:
            objs = usage_answer(request.op.operation_id, objs, request.params, request.body)
        elif body.message != component:
            # A view of the stored objects (EntitlementProduct of an Entitlement).
            members = spec.schema(request.op.api, request.version, body.message)["properties"]
            objs = [{k: v for k, v in o.items() if k in members} for o in objs]
        objs = self.faults.chain_objects(body.message, objs)
        if not objs and not body.array:
            # A school or contract without usage reports has no overview to answer.
            raise RefusalError(404, OTHER, f"no {body.message} here")
        return Answer(200, orjson.dumps(objs if body.array else objs[0]))


class _UnknownSchoolError(Exception):
    """Raised instead of status 23 when the unknown-organisation fault is on."""


def _previous(
    api: str, version: str, component: str, objs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Stored (t) objects as t-1 carries them; what t-1 cannot express is left out."""
    return [shaped for obj in objs for shaped in chain_object_in(api, version, component, obj)]


def _holder_keys(obj: Mapping[str, Any], member: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    specification = obj.get(member)
    if not isinstance(specification, Mapping):
        return found
    people = [specification.get(m) for m in HOLDERS]
    for group in GROUPS:
        listed = specification.get(group)
        people += listed if isinstance(listed, list) else []
    for person in people:
        if isinstance(person, Mapping):
            found.update(person_keys(person))
    return found


def _message(request: ChainRequest) -> str:
    body = request.op.success[1]
    return body.message if body else "object"


def _since(found: list[Stored], value: str) -> list[Stored]:
    """The objects changed after the moment ``value`` (an RFC 3339 date-time)."""
    after = _parse_moment(value)
    if after is None or after.tzinfo is None:
        raise RefusalError(
            400, SCHEMA_INCORRECT, f"since must be an RFC 3339 date-time in UTC, not {value!r}"
        )
    kept = []
    for stored in found:
        changed = _parse_moment(str(orjson.loads(stored.doc).get("dateLastModified", "")))
        if changed is None or changed.tzinfo is None or changed > after:
            kept.append(stored)
    return kept


def _parse_moment(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
