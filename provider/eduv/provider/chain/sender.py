"""The confirmation sender: PUTs the confirmations the chain's requests are owed.

A confirmation is stored with its request (``eduv.provider.chain.exchanges``) and sent
from here, after the 202 went out, to the endpoint the requesting client configured
(``confirmations`` in the provider configuration), authenticated the way that client
asked. A 2xx answer marks it sent; anything else leaves it due again after a doubling
wait (the ``delivery`` settings the notifications use as well). All state is in the
database, so a restarted provider picks up what was still due; a confirmation may then
arrive twice, with the same id, which the texts allow for.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy import Connection, Engine, insert, or_, select, update
from starlette.concurrency import run_in_threadpool

from eduv import spec
from eduv.provider.callbacks import CallbackAuth
from eduv.provider.config import ProviderConfig
from eduv.provider.db import precise, reading, utc_now, utc_now_precise, writing
from eduv.provider.faults import Faults
from eduv.provider.faults_writes import CONFIRMATION_NOT_RETRIED, CONFIRMATION_WITHOUT_TOKEN
from eduv.provider.schema import chain_exchanges

log = logging.getLogger("eduv.provider.confirmations")


def owe(
    conn: Connection,
    *,
    client_id: str,
    api: str,
    version: str,
    operation: str,
    reference: str,
    request: Any,
    confirm_operation: str | None,
    message: Any,
) -> None:
    """Store one request taken from (or message for) ``client_id`` and what the sender
    owes it: ``message`` to the client's ``confirm_operation`` (``None``: nothing)."""
    conn.execute(
        insert(chain_exchanges).values(
            client_id=client_id,
            api=api,
            version=version,
            operation=operation,
            reference=reference,
            received=utc_now(),
            request=orjson.dumps(request).decode(),
            confirm_operation=confirm_operation,
            confirmation=None if message is None else orjson.dumps(message).decode(),
            attempts=0,
        )
    )


def due_again(conn: Connection, pk: int, **changes: Any) -> None:
    """Send the stored message ``pk`` once more, from now on. A fresh due moment also
    tells a send under way that this is a new one."""
    values = {"sent": None, "attempts": 0, "next_attempt": utc_now_precise(), **changes}
    conn.execute(update(chain_exchanges).where(chain_exchanges.c.pk == pk).values(**values))


@dataclass(frozen=True, slots=True)
class Due:
    pk: int
    client_id: str
    api: str
    version: str
    operation: str
    attempts: int
    doc: str
    # As it was when picked: a repeated request sets it anew, so that a send that was
    # under way then does not mark the new one sent.
    next_attempt: str | None


class ConfirmationSender:
    def __init__(self, engine: Engine, config: ProviderConfig, faults: Faults) -> None:
        self.engine = engine
        self.config = config
        self.faults = faults
        self.auth = CallbackAuth()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        timeout = httpx.Timeout(self.config.delivery.timeout)
        async with httpx.AsyncClient(timeout=timeout) as http:
            while not self._stopping.is_set():
                try:
                    sent = await self.tick(http)
                except Exception:  # the sender must outlive any one bad round
                    log.exception("sending confirmations failed")
                    sent = 0
                if not sent:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            self._stopping.wait(), timeout=self.config.delivery.poll_interval
                        )

    async def tick(self, http: httpx.AsyncClient) -> int:
        """Send every confirmation that is due once; returns how many were accepted."""
        accepted = 0
        for due in await run_in_threadpool(self.due):
            if self._stopping.is_set():
                break
            error = await self.send(http, due)
            await run_in_threadpool(self.record, due, error)
            accepted += error is None
        return accepted

    def due(self) -> list[Due]:
        # A client without an endpoint keeps its confirmations until it is given one
        # (the configuration is read at start): nothing to try meanwhile.
        reachable = [c.client_id for c in self.config.clients.values() if c.confirmations]
        if not reachable:
            return []
        t = chain_exchanges
        stmt = (
            select(
                t.c.pk,
                t.c.client_id,
                t.c.api,
                t.c.version,
                t.c.confirm_operation,
                t.c.attempts,
                t.c.confirmation,
                t.c.next_attempt,
            )
            .where(
                t.c.confirmation.is_not(None),
                t.c.sent.is_(None),
                t.c.client_id.in_(reachable),
                or_(t.c.next_attempt.is_(None), t.c.next_attempt <= utc_now_precise()),
            )
            .order_by(t.c.pk)
            .limit(self.config.delivery.batch_size)
        )
        with reading(self.engine) as conn:
            return [
                Due(int(pk), str(c), str(a), str(v), str(o), int(n), str(doc), due)
                for pk, c, a, v, o, n, doc, due in conn.execute(stmt)
            ]

    async def send(self, http: httpx.AsyncClient, due: Due) -> str | None:
        """PUT one confirmation; ``None`` when the client accepted it, else the reason."""
        client = self.config.clients.get(due.client_id)
        if client is None or client.confirmations is None:
            return f"client {due.client_id!r} has no endpoint for confirmations configured"
        op = spec.operation(due.api, due.version, due.operation)
        major = spec.api_version(due.api, due.version).major
        url = client.confirmations.endpoint(due.api, major, op.path)
        headers = {"Content-Type": "application/json", "API-Version": due.version}
        try:
            if not self.faults.has(CONFIRMATION_WITHOUT_TOKEN):
                auth = client.confirmations.auth
                headers |= await self.auth.headers(http, client.client_id, auth)
            response = await http.put(url, content=due.doc.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        if response.status_code == 401:
            self.auth.forget(client.client_id)
        return f"HTTP {response.status_code}: {response.text[:200]}"

    def record(self, due: Due, error: str | None) -> None:
        t = chain_exchanges
        now = utc_now_precise()
        if error is None:
            values: dict[str, object] = {"sent": now, "last_error": None}
        elif self.faults.has(CONFIRMATION_NOT_RETRIED):
            values = {"sent": now, "last_error": error}
        else:
            attempts = due.attempts + 1
            log.warning(
                "confirmation to %s failed (attempt %d): %s", due.client_id, attempts, error
            )
            values = {"attempts": attempts, "next_attempt": self._retry_at(attempts)}
            values["last_error"] = error
        same = (
            t.c.next_attempt.is_(None)
            if due.next_attempt is None
            else t.c.next_attempt == due.next_attempt
        )
        with writing(self.engine) as conn:
            conn.execute(update(t).where(t.c.pk == due.pk, same).values(**values))

    def _retry_at(self, attempts: int) -> str:
        delivery = self.config.delivery
        wait = min(delivery.max_backoff, delivery.initial_backoff * 2 ** (attempts - 1))
        return precise(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait))
