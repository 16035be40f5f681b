"""The chain's writing operations as exchanges: what names a request, where its
confirmation goes, and which collections of a chain dataset hold both.

Both sides need these facts: the reference provider to take requests and owe
confirmations, the conformance suite to send requests and pair what comes back. They
follow from the specification alone: an operation's request message is the component of
one collection of the chain dataset format, whose ``x-eduv-id`` is the member that names
it; the operation its confirmation goes to is the one ``spec/chain/roles.json`` pairs
it with, and that operation's message gives the confirmation's collection and own id.
A confirmation repeats its request's reference under the same member name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from eduv import spec
from eduv.dataset.chain.model import ChainCollection, chain_collections

ROLES_DOCUMENT = "chain/roles.json"


@dataclass(frozen=True, slots=True)
class ExchangeKind:
    """One writing operation of a chain API, in its current version."""

    api: str
    operation: str
    request: ChainCollection
    confirm: str | None = None  # the operation that takes the confirmation
    confirmation: ChainCollection | None = None

    @property
    def reference(self) -> str:
        """The member of the request (and of its confirmation) that names the request."""
        assert self.request.id_field is not None
        return self.request.id_field

    @property
    def confirmation_id(self) -> str | None:
        """The member holding a confirmation's own id."""
        return self.confirmation.id_field if self.confirmation is not None else None


def _collection(api: str, component: str) -> ChainCollection:
    for coll in chain_collections():
        if (coll.api, coll.component) == (api, component):
            return coll
    raise KeyError(f"no collection of the chain dataset holds {api} {component}")


@cache
def exchange_kind(api: str, operation_id: str) -> ExchangeKind:
    """The exchange of ``operation_id`` (a writing operation of ``api``)."""
    version = spec.api(api).current
    op = spec.operation(api, version, operation_id)
    if op.request is None:
        raise KeyError(f"{api} {operation_id} takes no request body")
    request = _collection(api, op.request.message)
    entry = spec.document(ROLES_DOCUMENT)["apis"][api]["versions"][version]["operations"]
    paired = entry.get(operation_id, {})
    if paired.get("pattern") != "request-confirmation" or paired.get("step") != "request":
        return ExchangeKind(api, operation_id, request)
    confirm = str(paired["pairedWith"][0])
    body = spec.operation(api, version, confirm).request
    assert body is not None
    return ExchangeKind(api, operation_id, request, confirm, _collection(api, body.message))
