"""The provisioning API: how tests and conformance scenarios change the provider's data.

Off unless the provider is started with provisioning enabled, and protected by its own
bearer token (``provisioning.token`` in the configuration). Every change is written
together with the notifications the standard requires, exactly as a real source would
write them, so scenarios can exercise subscribers.

    PUT    /provisioning/dataset          replace everything (a dataset document)
    PUT    /provisioning/schools/{key}    replace one school (a dataset document with it)
    DELETE /provisioning/schools/{key}    remove one school
    POST   /provisioning/changes          {"changes": [{op, collection, ...}, ...]}
    GET    /provisioning/outbox           the outbox, oldest first (?after=<seq>)
    GET    /provisioning/deliveries       delivery state per subscriber and school
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import FastAPI, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from eduv.dataset.chain import chain_dataset_from_json
from eduv.dataset.io import DatasetError
from eduv.dataset.model import GroupOfferings, collection
from eduv.provider import schema
from eduv.provider.chain.store import load_chain
from eduv.provider.changes import (
    PERSON_COLLECTIONS,
    ObjectChange,
    Outcome,
    apply_changes,
    delete_school,
    replace_school,
)
from eduv.provider.datasets import dataset_from_document, object_problems
from eduv.provider.db import reading
from eduv.provider.errors import OTHER, SCHEMA_INCORRECT
from eduv.provider.faults import NO_DELETE_NOTIFICATIONS
from eduv.provider.inputs import contains_nul
from eduv.provider.store import StoreError, load_dataset

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from eduv.provider.config import ProviderConfig
    from eduv.provider.faults import Faults
    from eduv.provider.service import Service

PREFIX = "/provisioning"
OPS = ("add", "update", "delete")
MAX_OUTBOX = 5000


class BadRequestError(ValueError):
    pass


def _answer(status: int, doc: Any) -> Response:
    return Response(orjson.dumps(doc), status_code=status, media_type="application/json")


def _refuse(status: int, code: int, message: str) -> Response:
    return _answer(status, {"status": code, "statusMessage": message})


def add_provisioning(
    app: FastAPI, engine: Engine, config: ProviderConfig, faults: Faults, service: Service
) -> None:
    """Serve the provisioning API on ``app``, over the provider's database and service."""
    token = config.provisioning_token
    deletes = not faults.has(NO_DELETE_NOTIFICATIONS)

    def public(outcome: Outcome) -> dict[str, Any]:
        doc = outcome.to_json()
        doc["notifications"] = [
            orjson.loads(service.public_doc(orjson.dumps(n).decode())) for n in doc["notifications"]
        ]
        return doc

    def guarded(work: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            given = request.headers.get("authorization", "")
            expected = f"Bearer {token}" if token else None
            if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
                return Response(
                    status_code=401, headers={"WWW-Authenticate": 'Bearer realm="provisioning"'}
                )
            try:
                if contains_nul(dict(request.path_params)):
                    raise BadRequestError("the path contains a NUL character")
                result = await work(request)
            except (BadRequestError, DatasetError) as exc:
                return _refuse(400, SCHEMA_INCORRECT, str(exc))
            except StoreError as exc:
                return _refuse(409, OTHER, str(exc))
            return result if isinstance(result, Response) else _answer(200, result)

        return endpoint

    async def put_dataset(request: Request) -> Any:
        dataset = dataset_from_document(await _json(request))
        summary = await run_in_threadpool(load_dataset, engine, dataset, deletes=deletes)
        return {
            "schools": summary.schools,
            "objects": summary.objects,
            "notifications": summary.notifications,
        }

    async def put_chain(request: Request) -> Any:
        chain = chain_dataset_from_json(await _json(request), "<request body>")
        summary = await run_in_threadpool(load_chain, engine, chain)
        return {"schools": summary.schools, "objects": summary.objects}

    async def put_school(request: Request) -> Any:
        key = request.path_params["key"]
        dataset = dataset_from_document(await _json(request))
        if len(dataset.schools) != 1 or dataset.schools[0].key != key:
            raise BadRequestError(f"the body must be a dataset with exactly one school, {key!r}")
        facts = dataset.facts.get(key)
        if facts is None:
            raise BadRequestError(f"the dataset has no facts (sector) for school {key!r}")
        outcome = await run_in_threadpool(
            lambda: replace_school(
                engine,
                dataset.schools[0],
                facts,
                dataset.students,
                dataset.employees,
                deletes=deletes,
            )
        )
        return public(outcome)

    async def drop_school(request: Request) -> Any:
        key = request.path_params["key"]
        outcome = await run_in_threadpool(lambda: delete_school(engine, key, deletes=deletes))
        return public(outcome)

    async def post_changes(request: Request) -> Any:
        changes = parse_changes(await _json(request))
        outcome = await run_in_threadpool(lambda: apply_changes(engine, changes, deletes=deletes))
        return public(outcome)

    async def get_outbox(request: Request) -> Any:
        after = _int(request.query_params.get("after", "0"), "after")
        return await run_in_threadpool(lambda: _outbox(engine, service, after))

    async def get_deliveries(_request: Request) -> Any:
        return await run_in_threadpool(lambda: _deliveries(engine))

    routes: list[tuple[str, str, Callable[[Request], Any]]] = [
        ("PUT", "/dataset", put_dataset),
        ("PUT", "/chain", put_chain),
        ("PUT", "/schools/{key}", put_school),
        ("DELETE", "/schools/{key}", drop_school),
        ("POST", "/changes", post_changes),
        ("GET", "/outbox", get_outbox),
        ("GET", "/deliveries", get_deliveries),
    ]
    for method, path, work in routes:
        app.add_api_route(PREFIX + path, guarded(work), methods=[method], include_in_schema=False)


async def _json(request: Request) -> Any:
    try:
        doc = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise BadRequestError(f"the request body is not valid JSON: {exc}") from None
    if contains_nul(doc):
        raise BadRequestError("the request body contains a NUL character")
    return doc


MAX_SEQ = 2**63 - 1  # the largest sequence number a database column holds


def _int(text: str, name: str) -> int:
    # The length check comes first: a number of thousands of digits is refused before
    # Python spends time converting it.
    if not text.isdigit() or len(text) > len(str(MAX_SEQ)) or int(text) > MAX_SEQ:
        raise BadRequestError(f"{name} must be a whole number from 0 to {MAX_SEQ}")
    return int(text)


def parse_changes(doc: Any) -> list[ObjectChange]:
    """The changes of a request body, each checked before anything is written."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("changes"), list):
        raise BadRequestError('the body must be {"changes": [...]}')
    return [_change(index, item) for index, item in enumerate(doc["changes"])]


def _change(index: int, item: Any) -> ObjectChange:
    where = f"change {index}"
    if not isinstance(item, Mapping):
        raise BadRequestError(f"{where}: must be an object")
    op, name = item.get("op"), item.get("collection")
    if op not in OPS:
        raise BadRequestError(f"{where}: op must be one of {', '.join(OPS)}")
    try:
        coll = collection(str(name))
    except KeyError:
        raise BadRequestError(f"{where}: unknown collection {name!r}") from None
    school = item.get("school")
    if name not in PERSON_COLLECTIONS and not isinstance(school, str):
        raise BadRequestError(f"{where}: a school-scoped change names its school (its key)")
    if op == "delete":
        if not isinstance(item.get("id"), str):
            raise BadRequestError(f"{where}: a delete gives the id of the object")
        return ObjectChange(op, coll.name, school, obj_id=item["id"])
    obj = item.get("object")
    if not isinstance(obj, dict):
        raise BadRequestError(f"{where}: an {op} gives the object")
    problems = object_problems(coll, obj, f"{where}: object")
    if problems:
        raise BadRequestError("; ".join(problems[:5]))
    offerings = item.get("offerings")
    if offerings is not None and coll.name != "groups":
        raise BadRequestError(f"{where}: only groups have offerings")
    parsed = GroupOfferings.from_json(dict(offerings)) if isinstance(offerings, Mapping) else None
    return ObjectChange(op, coll.name, school, obj=obj, offerings=parsed)


def _outbox(engine: Engine, service: Service, after: int) -> list[dict[str, Any]]:
    o = schema.outbox
    with reading(engine) as conn:
        rows = conn.execute(
            select(o.c.seq, o.c.school_key, o.c.api, o.c.doc)
            .where(o.c.seq > after)
            .order_by(o.c.seq)
            .limit(MAX_OUTBOX)
        ).all()
    return [
        {
            "seq": int(seq),
            "school": key,
            "api": api,
            "notification": orjson.loads(service.public_doc(str(doc))),
        }
        for seq, key, api, doc in rows
    ]


def _deliveries(engine: Engine) -> dict[str, Any]:
    c, s = schema.delivery_cursors, schema.subscriptions
    with reading(engine) as conn:
        subs = conn.execute(select(s.c.client_id, s.c.api, s.c.start_seq)).all()
        cursors = conn.execute(
            select(
                c.c.client_id,
                c.c.api,
                c.c.school_key,
                c.c.last_seq,
                c.c.attempts,
                c.c.next_attempt,
                c.c.last_error,
            )
        ).all()
    return {
        "subscriptions": [{"client": a, "api": b, "startSeq": int(n)} for a, b, n in subs],
        "cursors": [
            {
                "client": r[0],
                "api": r[1],
                "school": r[2],
                "lastSeq": int(r[3]),
                "attempts": int(r[4]),
                "nextAttempt": r[5],
                "lastError": r[6],
            }
            for r in cursors
        ],
    }
