"""The provider's request handling, below HTTP: one method per kind of operation.

Everything here runs in a worker thread with one database snapshot per request. The
HTTP layer (``app.py``) has already picked the version, checked the token and the
scopes, and decoded and validated parameters and body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, false, insert, or_, select

from eduv import spec
from eduv.provider import outbox, queries, schema, shaping
from eduv.provider.auth import Grant
from eduv.provider.chain.exchanges import ExchangeService, Taken, push_receivers
from eduv.provider.chain.service import KINDS as CHAIN_KINDS
from eduv.provider.chain.service import ChainRequest, ChainService
from eduv.provider.config import Client, ProviderConfig
from eduv.provider.db import precise, reading, utc_now, writing
from eduv.provider.errors import (
    CONSENT_REQUIRED,
    ORGANISATION_UNKNOWN,
    OTHER,
    SCHEMA_INCORRECT,
    SCOPE_REQUIRED,
    Answer,
    RefusalError,
)
from eduv.provider.faults import (
    CONSENT_PER_CLIENT,
    CURRENT_SHAPE_FOR_PREVIOUS,
    DEMOGRAPHICS_ALWAYS,
    GROUP_LOOKUP_MISSES,
    IGNORE_PERIOD_FILTER,
    NEWEST_FIRST,
    SEARCH_NEEDS_SCHOOL,
    SKIP_CONSENT,
    UNKNOWN_ORG_OK,
    Faults,
)
from eduv.provider.keys import school_keys
from eduv.provider.queries import PersonInPeriod, SchoolRow, Scope
from eduv.provider.routes import Route
from eduv.provider.versions import data_apis, is_previous
from eduv.spec import Operation

MAX_NOTIFICATIONS = 10_000
DEMOGRAPHICS = frozenset({"eduv.student.demographics"})


@dataclass(frozen=True, slots=True)
class Call:
    """One authorised request, decoded."""

    op: Operation
    version: str
    route: Route
    grant: Grant
    client: Client
    params: Mapping[str, Any]
    body: Any = None


class _UnknownOrganisationError(Exception):
    """Raised instead of status 23 when the unknown-organisation fault is on."""


class Service:
    def __init__(
        self, engine: Engine, config: ProviderConfig, faults: Faults, public_url: str
    ) -> None:
        self.engine = engine
        self.config = config
        self.faults = faults
        self.public_url = public_url.rstrip("/")
        self.chain = ChainService(faults)
        self.exchanges = ExchangeService(engine, faults, push_receivers(config.clients))
        self._reads: dict[str, Callable[[Connection, Call], Answer]] = {
            "get": self._get,
            "list": self._list,
            "for-person": self._for_person,
            "search": self._search,
            "people": self._people,
            "organisations": self._organisations,
            "notifications": self._notifications,
        }

    def handle(self, call: Call) -> Answer:
        try:
            if call.route.kind == "subscribe":
                return self._subscribe(call)
            if call.route.kind == "chain-write":
                taken = Taken(
                    call.op, call.version, call.client, call.grant.scopes, call.params, call.body
                )
                return self.exchanges.take(taken)
            with reading(self.engine) as conn:
                if call.route.kind in CHAIN_KINDS:
                    return self.chain.handle(conn, _chain_request(call))
                return self._reads[call.route.kind](conn, call)
        except RefusalError as refusal:
            return refused(refusal)
        except _UnknownOrganisationError:
            array = call.op.success[1] is not None and call.op.success[1].array
            return Answer(200, b"[]") if array else refused(RefusalError(404, OTHER, "not found"))

    # -- schools -------------------------------------------------------------------------

    def _school(self, conn: Connection, call: Call) -> SchoolRow:
        keys, named = self._school_reference(call)
        school = queries.find_school(conn, keys)
        if school is None:
            if self.faults.has(UNKNOWN_ORG_OK):
                raise _UnknownOrganisationError
            raise RefusalError(400, ORGANISATION_UNKNOWN, f"organisation {named} is not known here")
        self._check_consent(call, school)
        return self._narrowed(call, school)

    def _school_reference(self, call: Call) -> tuple[list[tuple[str, str]], str]:
        if isinstance(call.body, Mapping) and isinstance(call.body.get("school"), Mapping):
            keys = school_keys(call.body["school"])
        elif "orgMasterId" in call.params:
            keys = [("master", call.params["orgMasterId"])]
        else:
            keys = [(call.params["orgIdType"], call.params["orgId"])]
        named = " / ".join(f"{t}={v}" if t != "master" else v for t, v in keys)
        return keys, named or "(none given)"

    def _check_consent(self, call: Call, school: SchoolRow) -> None:
        if self.faults.has(SKIP_CONSENT) or call.client.has_consent(school.key, call.op.api):
            return
        if self.faults.has(CONSENT_PER_CLIENT) and call.client.has_any_consent(call.op.api):
            return
        raise RefusalError(
            403,
            CONSENT_REQUIRED,
            f"school {school.key} has not given client {call.client.client_id!r} consent "
            f"for the {call.op.api}",
        )

    def _narrowed(self, call: Call, school: SchoolRow) -> SchoolRow:
        """filterByOrgId: a V_ID narrows the answer to that branch (PO by default)."""
        if call.params.get("orgIdType") != "V_ID":
            return school
        if not call.params.get("filterByOrgId", school.sector == "PO"):
            return school
        return replace(school, branch=call.params["orgId"])

    def _scope(self, call: Call, school: SchoolRow) -> tuple[Scope, list[tuple[Any, Any]]]:
        period: str | None = None
        filters: list[tuple[Any, Any]] = []
        for name, flt in call.route.filters.items():
            if name not in call.params:
                continue
            if name == "schoolPeriodId" and self.faults.has(IGNORE_PERIOD_FILTER):
                continue
            if isinstance(flt, PersonInPeriod):
                period = call.params[name]
                continue
            filters.append((flt, call.params[name]))
        return Scope(school, period), filters

    # -- reads ---------------------------------------------------------------------------

    def _get(self, conn: Connection, call: Call) -> Answer:
        school = self._school(conn, call)
        found = queries.get_object(conn, call.route.target, school.id, call.params["id"])
        if self.faults.has(GROUP_LOOKUP_MISSES) and call.route.target == "groups":
            found = None
        if found is None:
            message = call.op.success[1].message if call.op.success[1] else "object"
            raise RefusalError(
                404, OTHER, f"school {school.key} has no {message} {call.params['id']!r}"
            )
        return self.serve(call, [found], school.sector)

    def _list(self, conn: Connection, call: Call) -> Answer:
        school = self._school(conn, call)
        scope, filters = self._scope(call, school)
        docs = queries.list_objects(conn, call.route.target, scope, filters)
        return self.serve(call, docs, school.sector)

    def _person_id(self, conn: Connection, call: Call, kind: str, school: SchoolRow) -> int:
        ref = call.body[call.route.body_person]
        pid = queries.find_person(conn, kind, ref) if isinstance(ref, Mapping) else None
        if pid is None or queries.person_at_school(conn, kind, pid, school.id) is None:
            raise RefusalError(404, OTHER, f"school {school.key} has no such {kind}")
        return pid

    def _for_person(self, conn: Connection, call: Call) -> Answer:
        school = self._school(conn, call)
        kind = schema.COLLECTIONS[call.route.target].person
        assert kind is not None
        pid = self._person_id(conn, call, kind[0], school)
        scope, filters = self._scope(call, replace(school, branch=None))
        docs = queries.list_objects(conn, call.route.target, scope, filters, person_id=pid)
        return self.serve(call, docs, school.sector)

    def _search(self, conn: Connection, call: Call) -> Answer:
        school = self._school(conn, call)
        pid = self._person_id(conn, call, call.route.target, school)
        doc = queries.person_at_school(conn, call.route.target, pid, school.id)
        return self.serve(call, [doc] if doc else [], None)

    def _people(self, conn: Connection, call: Call) -> Answer:
        school = self._school(conn, call)
        scope, filters = self._scope(call, school)
        docs = queries.list_people(conn, call.route.target, scope, filters)
        return self.serve(call, docs, None)

    def _organisations(self, conn: Connection, call: Call) -> Answer:
        if "orgMasterId" in call.params or "orgId" in call.params:
            school = self._school(conn, call)
            found = queries.organisation_matches(conn, school, call.params)
            return self.serve(call, [school.doc] if found else [], None)
        if self.faults.has(SEARCH_NEEDS_SCHOOL):
            raise RefusalError(400, SCHEMA_INCORRECT, "name the school: orgMasterId or orgId")
        # A search by board or name alone: the matching schools this client may see, as
        # a list leaves out the schools without consent instead of refusing them.
        found_schools = queries.search_organisations(conn, call.params)
        docs = [
            s.doc
            for s in found_schools
            if self.faults.has(SKIP_CONSENT) or call.client.has_consent(s.key, call.op.api)
        ]
        return self.serve(call, docs, None)

    # -- shaping -------------------------------------------------------------------------

    def serve(self, call: Call, docs: list[str], sector: str | None) -> Answer:
        """Encode the stored documents as the requested version and scopes allow."""
        body = call.op.success[1]
        assert body is not None
        api, message = call.op.api, body.message
        previous = is_previous(api, call.version)
        as_stored = previous and self.faults.has(CURRENT_SHAPE_FOR_PREVIOUS)
        shape_version = spec.api(api).current if as_stored else call.version
        scopes = call.grant.scopes
        if self.faults.has(DEMOGRAPHICS_ALWAYS):
            scopes = scopes | DEMOGRAPHICS
        hidden = shaping.hidden_fields(api, shape_version, message, scopes)
        convert = previous and not as_stored and shaping.converts_down(api, message)
        if not hidden and not convert and not self.faults.rewrites_objects:
            return Answer(200, _raw(docs, body.array))
        objs = [orjson.loads(doc) for doc in docs]
        if convert:
            objs = [shaping.to_previous(api, message, o, sector) for o in objs]
        if hidden:
            objs = [shaping.minimise(o, hidden) for o in objs]
        objs = self.faults.objects(message, objs)
        return Answer(200, orjson.dumps(objs if body.array else objs[0]))

    # -- notifications -------------------------------------------------------------------

    def _subscribe(self, call: Call) -> Answer:
        api = call.params["api"]
        if api not in data_apis():
            raise RefusalError(400, OTHER, f"this source does not serve the {api}")
        if not set(spec.api_version(api).scopes) & call.grant.scopes:
            raise RefusalError(403, SCOPE_REQUIRED, f"the token has no scope of the {api}")
        if call.client.subscriber is None:
            raise RefusalError(
                400,
                OTHER,
                f"client {call.client.client_id!r} has no notification callback registered; "
                "it is part of the client's registration in the provider configuration",
            )
        table = schema.subscriptions
        with writing(self.engine) as conn:
            exists = conn.execute(
                select(table.c.api).where(
                    table.c.client_id == call.client.client_id, table.c.api == api
                )
            ).first()
            # Subscribing again keeps the first subscription and its position.
            if exists is None:
                conn.execute(
                    insert(table).values(
                        client_id=call.client.client_id,
                        api=api,
                        start_seq=outbox.last_seq(conn),
                        created=utc_now(),
                    )
                )
        return Answer(200, None)

    def _notifications(self, conn: Connection, call: Call) -> Answer:
        o = schema.outbox
        conditions = [self._visible(call.client, call.grant)]
        since = call.params.get("since")
        if since is not None:
            conditions.append(o.c.created > _normalised_moment(since))
        kind = call.params.get("objectType")
        if kind is not None:
            conditions.append(o.c.object_type.in_(outbox.QUERY_OBJECT_TYPES[kind]))
        stmt = select(o.c.doc).where(and_(*conditions)).order_by(o.c.seq).limit(MAX_NOTIFICATIONS)
        docs = [self.public_doc(str(doc)) for doc in conn.execute(stmt).scalars()]
        if self.faults.has(NEWEST_FIRST):
            docs.reverse()
        return self.serve(call, docs, None)

    def _visible(self, client: Client, grant: Grant) -> Any:
        """Outbox rows of APIs the token has a scope of, for schools with consent."""
        o = schema.outbox
        parts = []
        for api in data_apis():
            if not set(spec.api_version(api).scopes) & grant.scopes:
                continue
            keys = None if self.faults.has(SKIP_CONSENT) else client.consented_schools(api)
            if keys is None:
                refused = () if self.faults.has(SKIP_CONSENT) else client.refused_schools(api)
                parts.append(
                    and_(o.c.api == api, o.c.school_key.not_in(sorted(refused)))
                    if refused
                    else o.c.api == api
                )
                continue
            parts.append(
                and_(o.c.api == api, o.c.school_key.in_(sorted(keys))) if keys else false()
            )
        return or_(*parts) if parts else false()

    def public_doc(self, doc: str) -> str:
        """A stored notification with its url made absolute."""
        parsed = orjson.loads(doc)
        parsed["url"] = self.public_url + parsed["url"]
        return orjson.dumps(parsed).decode()


def _chain_request(call: Call) -> ChainRequest:
    return ChainRequest(
        call.op,
        call.version,
        call.route.kind,
        call.route.target,
        call.route.filters,
        call.params,
        call.grant.scopes,
        call.client,
        call.body,
    )


def _raw(docs: list[str], array: bool) -> bytes:
    if array:
        return ("[" + ",".join(docs) + "]").encode()
    return docs[0].encode()


RFC3339 = re.compile(r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)")


def _normalised_moment(value: str) -> str:
    """A client's moment in the outbox's own format, so that text order is time order.

    Any RFC 3339 date-time is taken: lower-case t and z, more than six decimals (cut to
    microseconds) and a leap second (read as the second before it).
    """
    found = RFC3339.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value)
        day, minute, second, fraction, zone = found.groups()
        second = min(second, "59")
        fraction = f".{fraction[:6]}" if fraction else ""
        zone = "+00:00" if zone in ("Z", "z") else zone
        moment = dt.datetime.fromisoformat(f"{day}T{minute}:{second}{fraction}{zone}")
    except ValueError:
        raise RefusalError(
            400, SCHEMA_INCORRECT, f"since must be an RFC 3339 date-time, not {value!r}"
        ) from None
    if moment.tzinfo is None:
        raise RefusalError(400, SCHEMA_INCORRECT, "since needs a time zone, e.g. a trailing Z")
    return precise(moment)


def refused(refusal: RefusalError) -> Answer:
    body = orjson.dumps({"status": refusal.status, "statusMessage": refusal.message})
    return Answer(refusal.http, body, status_code=refusal.status, status_message=refusal.message)
