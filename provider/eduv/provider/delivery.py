"""The delivery worker: sends the outbox to subscribers.

Per subscriber, API and school there is one cursor in the database: the last outbox
entry delivered. A batch is the next run of entries of one school after that cursor,
oldest first, posted to the subscriber's ``callbackUrl + /notifications``. A 2xx answer
moves the cursor; anything else leaves it and schedules a retry with a doubling wait.
Since all state is in the database, a restarted provider continues where it stopped:
a batch is sent again when the process died between sending and recording it, so
delivery is at least once, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, and_, func, insert, or_, select, update
from starlette.concurrency import run_in_threadpool

from eduv.provider import outbox, schema
from eduv.provider.callbacks import CallbackAuth
from eduv.provider.config import ProviderConfig, Subscriber
from eduv.provider.db import precise, reading, utc_now_precise, writing
from eduv.provider.faults import NEWEST_FIRST, Faults

log = logging.getLogger("eduv.provider.delivery")

# Seconds between two clean-ups of the outbox; retention is counted in days.
PRUNE_INTERVAL = 600.0


@dataclass(frozen=True, slots=True)
class Batch:
    client_id: str
    api: str
    school_key: str
    attempts: int
    last_seq: int
    docs: tuple[str, ...]


class DeliveryWorker:
    def __init__(
        self, engine: Engine, config: ProviderConfig, faults: Faults, public_url: str
    ) -> None:
        self.engine = engine
        self.config = config
        self.faults = faults
        self.public_url = public_url.rstrip("/")
        self._stopping = asyncio.Event()
        self.auth = CallbackAuth()
        # Per (subscriber, api): every outbox entry up to here is delivered or not for
        # this subscriber. Sound because writers take turns (see db.writing): an entry
        # becomes visible only after every entry before it.
        self._floor: dict[tuple[str, str], int] = {}

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        timeout = httpx.Timeout(self.config.delivery.timeout)
        pruned_at = -PRUNE_INTERVAL
        async with httpx.AsyncClient(timeout=timeout) as http:
            while not self._stopping.is_set():
                try:
                    if time.monotonic() - pruned_at >= PRUNE_INTERVAL:
                        pruned_at = time.monotonic()
                        await run_in_threadpool(self.prune)
                    sent = await self.tick(http)
                except Exception:  # the worker must outlive any one bad round
                    log.exception("notification delivery round failed")
                    sent = 0
                if not sent:
                    await self._pause(self.config.delivery.poll_interval)

    def prune(self, now: dt.datetime | None = None) -> int:
        """Drop notifications past the retention period; returns how many went.

        The Notifications API keeps notifications for a few days, for catching up; a
        subscriber that was away longer misses what fell out, as with any source.
        """
        moment = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(
            days=self.config.delivery.retention_days
        )
        with writing(self.engine) as conn:
            removed = outbox.prune(conn, precise(moment))
        if removed:
            log.info("removed %d notifications older than the retention period", removed)
        return removed

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def tick(self, http: httpx.AsyncClient) -> int:
        """Send every batch that is due once; returns how many were accepted."""
        batches = await run_in_threadpool(self.due)
        accepted = 0
        for batch in batches:
            if self._stopping.is_set():
                break
            error = await self._post(http, batch)
            await run_in_threadpool(self.record, batch, error)
            accepted += error is None
        return accepted

    # -- reading the work ------------------------------------------------------------------

    def due(self) -> list[Batch]:
        batches: list[Batch] = []
        with reading(self.engine) as conn:
            subs = conn.execute(
                select(
                    schema.subscriptions.c.client_id,
                    schema.subscriptions.c.api,
                    schema.subscriptions.c.start_seq,
                )
            ).all()
            for client_id, api, start_seq in subs:
                client = self.config.clients.get(client_id)
                if client is None or client.subscriber is None:
                    continue
                floor = max(int(start_seq), self._floor.get((client_id, api), 0))
                found = [
                    (key, last, attempts)
                    for key, last, attempts in self._pending(
                        conn, client_id, api, int(start_seq), floor
                    )
                    if client.has_consent(key, api)
                ]
                batches += [self._batch(conn, client_id, api, *item) for item in found]
                if not found and not self._retrying(conn, client_id, api):
                    self._floor[(client_id, api)] = outbox.last_seq(conn)
        return batches

    def _retrying(self, conn: Any, client_id: str, api: str) -> bool:
        c = schema.delivery_cursors
        stmt = select(c.c.school_key).where(
            c.c.client_id == client_id, c.c.api == api, c.c.attempts > 0
        )
        return conn.execute(stmt.limit(1)).first() is not None

    def _pending(
        self, conn: Any, client_id: str, api: str, start_seq: int, floor: int
    ) -> list[tuple[str, int, int]]:
        """(school, last delivered seq, attempts) of every school with entries due.

        ``floor`` is a position up to which everything is known to be delivered, so
        that the scan covers the recent part of the outbox only.
        """
        o, c = schema.outbox, schema.delivery_cursors
        last = func.coalesce(c.c.last_seq, start_seq)
        joined = o.outerjoin(
            c, and_(c.c.client_id == client_id, c.c.api == api, c.c.school_key == o.c.school_key)
        )
        stmt = (
            select(o.c.school_key, last, func.coalesce(c.c.attempts, 0))
            .select_from(joined)
            .where(
                o.c.seq > floor,
                o.c.api == api,
                o.c.seq > last,
                or_(c.c.next_attempt.is_(None), c.c.next_attempt <= utc_now_precise()),
            )
            .distinct()
            .order_by(o.c.school_key)
        )
        return [(str(s), int(seq), int(n)) for s, seq, n in conn.execute(stmt)]

    def _batch(
        self, conn: Any, client_id: str, api: str, key: str, last: int, attempts: int
    ) -> Batch:
        o = schema.outbox
        rows = conn.execute(
            select(o.c.seq, o.c.doc)
            .where(o.c.school_key == key, o.c.api == api, o.c.seq > last)
            .order_by(o.c.seq)
            .limit(self.config.delivery.batch_size)
        ).all()
        docs = tuple(self._public(str(doc)) for _, doc in rows)
        return Batch(client_id, api, key, attempts, int(rows[-1][0]), docs)

    def _public(self, doc: str) -> str:
        parsed = orjson.loads(doc)
        parsed["url"] = self.public_url + parsed["url"]
        return orjson.dumps(parsed).decode()

    # -- sending ---------------------------------------------------------------------------

    async def _post(self, http: httpx.AsyncClient, batch: Batch) -> str | None:
        """Post one batch; ``None`` when the subscriber accepted it, else the reason."""
        client = self.config.clients.get(batch.client_id)
        if client is None or client.subscriber is None:
            return "the subscriber is no longer registered"
        docs = list(batch.docs)
        if self.faults.has(NEWEST_FIRST):
            docs.reverse()
        body = ("[" + ",".join(docs) + "]").encode()
        try:
            headers = await self._headers(http, client.client_id, client.subscriber)
            response = await http.post(
                client.subscriber.callback_url + "/notifications", content=body, headers=headers
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"

    async def _headers(
        self, http: httpx.AsyncClient, client_id: str, subscriber: Subscriber
    ) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "API-Version": "0.9.1"}
        return headers | await self.auth.headers(http, client_id, subscriber.auth)

    # -- recording ---------------------------------------------------------------------------

    def record(self, batch: Batch, error: str | None) -> None:
        c = schema.delivery_cursors
        key = and_(
            c.c.client_id == batch.client_id,
            c.c.api == batch.api,
            c.c.school_key == batch.school_key,
        )
        if error is None:
            values: dict[str, Any] = {
                "last_seq": batch.last_seq,
                "attempts": 0,
                "next_attempt": None,
                "last_error": None,
            }
        else:
            attempts = batch.attempts + 1
            log.warning("delivery to %s failed (attempt %d): %s", batch.client_id, attempts, error)
            values = {
                "attempts": attempts,
                "next_attempt": self._retry_at(attempts),
                "last_error": error,
            }
        with writing(self.engine) as conn:
            if conn.execute(update(c).where(key).values(**values)).rowcount:
                return
            start = self._start_seq(conn, batch)
            row = {"last_seq": start, **values}
            conn.execute(
                insert(c).values(
                    client_id=batch.client_id, api=batch.api, school_key=batch.school_key, **row
                )
            )

    def _start_seq(self, conn: Any, batch: Batch) -> int:
        s = schema.subscriptions
        found = conn.execute(
            select(s.c.start_seq).where(s.c.client_id == batch.client_id, s.c.api == batch.api)
        ).scalar()
        return int(found or 0)

    def _retry_at(self, attempts: int) -> str:
        delivery = self.config.delivery
        wait = min(delivery.max_backoff, delivery.initial_backoff * 2 ** (attempts - 1))
        return precise(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait))
