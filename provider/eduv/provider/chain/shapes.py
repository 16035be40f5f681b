"""A chain message a client sent in the previous version's shape, read in the current
version's, in which the provider stores and handles it (the chain conversion table of
``eduv.dataset.chain``; the other way is ``chain_object_in``)."""

from __future__ import annotations

from typing import Any

from eduv import spec
from eduv.dataset.chain import ChainDataset, NotExpressibleError, convert_chain_object
from eduv.dataset.chain.operations import Context
from eduv.provider.errors import SCHEMA_INCORRECT, RefusalError

JsonObject = dict[str, Any]


def current_shape(
    api: str, version: str, component: str, body: Any, known: ChainDataset | None = None
) -> JsonObject:
    """``body`` of ``version`` in the current version's shape (400 when that cannot be);
    ``known`` holds what converting up may need to look at (the schools, say)."""
    if not isinstance(body, dict):
        raise RefusalError(400, SCHEMA_INCORRECT, "the request body must be a JSON object")
    if version == spec.api(api).current:
        return body
    context = Context(known or ChainDataset(shapes={}), "up")
    try:
        found = convert_chain_object(api, component, body, "up", context)
    except NotExpressibleError as exc:
        raise RefusalError(400, SCHEMA_INCORRECT, str(exc)) from None
    if len(found) != 1:
        raise RefusalError(400, SCHEMA_INCORRECT, f"the {component} cannot be read as one")
    return found[0]
