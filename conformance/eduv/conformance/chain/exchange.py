"""Sending a chain request to a target and pairing it with the confirmation that follows.

A request goes out through the run's HTTP client (counted, limited, masked evidence);
its confirmation is the first call to reach the listener, after the request left, on the
path of the confirming operation and naming the request's reference. Everything sent and
confirmed is also kept as a chain dataset (:class:`Log`), so that the chain rules about
requests and confirmations judge it the way they judge a dataset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.chain.listener import Listener, Received
from eduv.conformance.http import Answer
from eduv.conformance.session import Session
from eduv.dataset.chain import (
    ChainDataset,
    SchoolFacts,
    chain_collection,
    chain_object_in,
)
from eduv.dataset.chain.exchanges import ExchangeKind, exchange_kind

JsonObject = dict[str, Any]


@dataclass
class Exchanged:
    """One request, its answer and the confirmations that named it."""

    kind: ExchangeKind
    version: str
    body: JsonObject  # as sent, in the version's shape
    answer: Answer
    sent_at: float
    confirmations: list[Received] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return str(self.body.get(self.kind.reference, ""))

    @property
    def confirmation(self) -> Received | None:
        accepted = [c for c in self.confirmations if c.status < 300]
        return accepted[0] if accepted else (self.confirmations[0] if self.confirmations else None)

    def waited(self) -> float | None:
        found = self.confirmation
        return None if found is None else round(found.at - self.sent_at, 3)


def shaped(api: str, version: str, component: str, body: JsonObject) -> JsonObject | None:
    """A current-shape body in ``version``'s shape; None when that version cannot say it."""
    found = chain_object_in(api, version, component, body)
    return found[0] if len(found) == 1 else None


class Requester:
    """Sends requests to one target with one token and waits for their confirmations."""

    def __init__(
        self, session: Session, listener: Listener | None, token: str, timeout: float
    ) -> None:
        self.session = session
        self.listener = listener
        self.token = token
        self.timeout = timeout

    def send(
        self,
        api: str,
        operation_id: str,
        version: str,
        body: Any,
        *,
        token: str | None = "",
        wait: bool = True,
    ) -> Exchanged:
        """Send ``body``; ``token`` None sends none, "" the requester's own."""
        kind = exchange_kind(api, operation_id)
        op = spec.operation(api, version, operation_id)
        params = {"id": body.get("id")} if "id" in op.parameter_in else None
        before = self.listener.count if self.listener is not None else 0
        started = time.monotonic()
        answer = self.session.call(
            op, token=self.token if token == "" else token, params=params, body=body
        )
        found = Exchanged(kind, version, body if isinstance(body, dict) else {}, answer, started)
        taken = answer.status is not None and answer.status < 300
        if wait and kind.confirm is not None and taken:
            self.wait(found, after=before)
        return found

    def wait(self, found: Exchanged, *, after: int, count: int = 1) -> None:
        """Wait until ``count`` confirmations of ``found`` arrived (or the timeout)."""
        if self.listener is None or found.kind.confirm is None:
            return
        path = spec.operation(found.kind.api, found.version, found.kind.confirm).path
        member, reference = found.kind.reference, found.reference
        deadline = found.sent_at + self.timeout
        index = after
        while len(found.confirmations) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return

            def names(call: Received) -> bool:
                body = call.json
                return call.path.endswith(path) and (
                    isinstance(body, dict) and str(body.get(member)) == reference
                )

            got = self.listener.wait_for(names, remaining, after=index)
            if got is None:
                return
            found.confirmations.append(got)
            index = self.listener.received().index(got) + 1

    def others(self, found: Exchanged) -> list[Received]:
        """Calls on the confirming path after the request that name another reference."""
        if self.listener is None or found.kind.confirm is None:
            return []
        path = spec.operation(found.kind.api, found.version, found.kind.confirm).path
        return [
            c
            for c in self.listener.received(path)
            if c.at >= found.sent_at and c not in found.confirmations
        ]


@dataclass
class Log:
    """What was exchanged, per API version, as chain datasets for the rules."""

    schools: list[SchoolFacts]
    by_version: dict[tuple[str, str], ChainDataset] = field(default_factory=dict)
    # Where each object came from: (api, version, collection, index) -> the exchange.
    origins: dict[tuple[str, str, str, int], Exchanged] = field(default_factory=dict)

    def add(self, found: Exchanged, *, request: bool = True) -> None:
        """Log an exchange; ``request=False`` for a request sent again, which the
        dataset holds once (its confirmations are logged, as sent again)."""
        key = (found.kind.api, found.version)
        dataset = self.by_version.setdefault(
            key, ChainDataset(shapes={found.kind.api: found.version}, schools=self.schools)
        )
        if request:
            self._put(dataset, key, found.kind.request.name, found.body, found)
        confirms = found.kind.confirmation
        if confirms is None:
            return
        # What the target sent counts, whether or not the callback took it; a delivery
        # tried again with the very same body is one confirmation.
        seen: set[bytes] = set()
        for got in found.confirmations:
            if isinstance(got.json, dict) and got.body not in seen:
                seen.add(got.body)
                self._put(dataset, key, confirms.name, got.json, found)

    def _put(
        self,
        dataset: ChainDataset,
        key: tuple[str, str],
        collection: str,
        obj: JsonObject,
        found: Exchanged,
    ) -> None:
        chain_collection(collection)  # a collection the format knows
        items = dataset.items(collection)
        self.origins[(*key, collection, len(items))] = found
        items.append(obj)
