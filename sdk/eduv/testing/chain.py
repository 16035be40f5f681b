"""Hypothesis strategies for learning-materials chains.

Every chain these strategies produce is valid by construction: each object is a valid
message of its API version and refers only to objects that exist (an order line to a
catalogue product, a delivery order to an ordered product and to pupils or staff of the
school, an activation to its entitlement, ...)::

    from hypothesis import given
    from eduv.testing.chain import chain_datasets

    @given(chain_datasets())
    def test_my_import_takes_whole_chains(dataset): ...

The smaller strategies give single objects of one kind, drawn from such a chain, e.g.
``entitlements()`` or ``products()``. Needs the ``testing`` extra (hypothesis).
"""

from __future__ import annotations

from hypothesis import strategies as st

from eduv.dataset.chain.model import ChainDataset, chain_collection
from eduv.dataset.model import JsonObject
from eduv.testing.chain_build import SMALL_CHAIN, ChainDraft, ChainScale, build_chain
from eduv.testing.ids import Ids
from eduv.testing.strategies import DrawChooser

# The strategy of single objects for each collection that has one of its own; every
# collection is also reachable through chain_objects(name).
COLLECTION_STRATEGIES = {
    "products": "products",
    "orderRequests": "order_requests",
    "creditOrderRequests": "credit_order_requests",
    "deliveryOrders": "delivery_orders",
    "entitlements": "entitlements",
    "activationCodeConfirmations": "activation_code_confirmations",
    "initialActivations": "initial_activations",
    "deliveryOrderUsage": "usage_reports",
    "results": "results",
    "progress": "progress_reports",
    "consents": "consents",
    "agreements": "agreements",
}
ChainStrategy = st.SearchStrategy[ChainDataset]
ObjectStrategy = st.SearchStrategy[JsonObject]
# A chain of a few schools holds every kind of object in most draws; a draw that lacks
# the kind asked for adds schools until one has it, up to this many.
MAX_EXTRA_SCHOOLS = 12


@st.composite
def _chains(draw: st.DrawFn, within_previous: bool, scale: ChainScale) -> ChainDataset:
    return build_chain(DrawChooser(draw), within_previous=within_previous, scale=scale)


def chain_datasets(
    *, within_previous: bool = False, scale: ChainScale = SMALL_CHAIN
) -> ChainStrategy:
    """Whole chains: a catalogue, one to three schools and everything that follows.

    With ``within_previous`` the chain keeps to what the previous API versions can
    express too, so it converts to the previous shapes and back without loss.
    """
    return _chains(within_previous, scale)


@st.composite
def _objects(draw: st.DrawFn, collection: str) -> JsonObject:
    chain_collection(collection)
    chooser = DrawChooser(draw)
    draft = ChainDraft(chooser, Ids(chooser.integer(0, 2**31 - 1)), chooser.integer(2023, 2026))
    draft.add_catalogue()
    for _ in range(MAX_EXTRA_SCHOOLS):
        if draft.dataset.objects.get(collection):
            break
        draft.add_school_chain()
    found = draft.finish().objects.get(collection) or []
    if not found:
        draw(st.nothing())
    index: int = draw(st.integers(0, len(found) - 1))
    return found[index]


def chain_objects(collection: str) -> ObjectStrategy:
    """Single objects of one collection of the chain dataset format, e.g. ``"progress"``."""
    return _objects(collection)


def products() -> ObjectStrategy:
    """Catalogue products: books, licences, sets, combis, demos and old editions."""
    return _objects("products")


def order_requests() -> ObjectStrategy:
    return _objects("orderRequests")


def credit_order_requests() -> ObjectStrategy:
    return _objects("creditOrderRequests")


def delivery_orders() -> ObjectStrategy:
    return _objects("deliveryOrders")


def entitlements() -> ObjectStrategy:
    return _objects("entitlements")


def activation_code_confirmations() -> ObjectStrategy:
    return _objects("activationCodeConfirmations")


def initial_activations() -> ObjectStrategy:
    return _objects("initialActivations")


def usage_reports() -> ObjectStrategy:
    return _objects("deliveryOrderUsage")


def results() -> ObjectStrategy:
    return _objects("results")


def progress_reports() -> ObjectStrategy:
    return _objects("progress")


def consents() -> ObjectStrategy:
    return _objects("consents")


def agreements() -> ObjectStrategy:
    return _objects("agreements")
