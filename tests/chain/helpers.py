"""Generated chains the chain tests share."""

from __future__ import annotations

from functools import cache

from eduv.dataset.chain import ChainDataset
from eduv.testing.chain_build import ChainDraft, ChainScale, build_chain
from eduv.testing.chooser import RandomChooser
from eduv.testing.ids import Ids

RICH = ChainScale(
    schools=(12, 12),
    students=(4, 8),
    families=(4, 6),
    years_per_family=(2, 2),
    orders_per_school=(3, 4),
    lines_per_order=(2, 4),
)
# The previous versions know fewer kinds of delivery; more schools find them all.
RICH_PREVIOUS = ChainScale(
    schools=(20, 20),
    students=(4, 8),
    families=(4, 6),
    years_per_family=(2, 2),
    orders_per_school=(3, 4),
    lines_per_order=(1, 1),
)
DELIVERY_TYPES = {
    "school-all",
    "school-admin",
    "school-studies",
    "school-subjects",
    "school-groups",
    "school-students",
    "school-employees",
    "school-activationcodes",
    "customer-user",
    "customer-activatoncode",
}


def seeded(seed: int, *, within_previous: bool = False) -> ChainDataset:
    return build_chain(RandomChooser(seed), within_previous=within_previous)


def _rich(seed: int, within_previous: bool = False) -> ChainDataset:
    scale = RICH_PREVIOUS if within_previous else RICH
    draft = ChainDraft(
        RandomChooser(seed), Ids(seed), 2025, within_previous=within_previous, scale=scale
    )
    draft.add_catalogue()
    for _ in range(scale.schools[0]):
        draft.add_school_chain()
    return draft.finish()


def _complete(dataset: ChainDataset, types: set[str] = DELIVERY_TYPES) -> bool:
    kinds = {d["deliveryType"] for d in dataset.objects.get("deliveryOrders", ())}
    statuses = {e["entitlementStatus"] for e in dataset.objects.get("entitlements", ())}
    filled = all(
        dataset.objects.get(name)
        for name in ("activationCodeRevokeRequests", "creditOrderRequests", "results", "progress")
    )
    provider = (dataset.catalogue_provider or {}).get("kind") == "reseller"
    return (
        kinds == types and {"licensed", "cancelled", "blocked"} <= statuses and filled and provider
    )


@cache
def rich_seed() -> int:
    """The first seed whose rich chain has every delivery type and entitlement status."""
    for seed in range(200):
        if _complete(_rich(seed)):
            return seed
    raise AssertionError("no seed below 200 gives a complete chain; widen RICH")


def rich() -> ChainDataset:
    """A fresh copy of a chain that holds every kind of object the generator makes."""
    return _rich(rich_seed())


@cache
def rich_previous_seed() -> int:
    """As :func:`rich_seed`, for a chain the previous versions can express too."""
    for seed in range(200):
        if _complete(_rich(seed, within_previous=True), DELIVERY_TYPES - {"school-admin"}):
            return seed
    raise AssertionError("no seed below 200 gives a complete chain; widen RICH")


def rich_previous() -> ChainDataset:
    """A fresh copy of a rich chain in the previous shapes of every chain API."""
    from eduv.dataset.chain import convert_chain_dataset

    dataset = _rich(rich_previous_seed(), within_previous=True)
    conversion = convert_chain_dataset(dataset, "down")
    assert conversion.left_out == []
    return conversion.dataset
