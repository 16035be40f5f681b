"""eduv.testing's chain generators: valid by construction, seeded, streaming."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduv import spec
from eduv.dataset.chain import ChainDataset, load_chain_dataset, validate_chain_objects
from eduv.testing import chain as strategies
from eduv.testing.chain_build import build_chain
from eduv.testing.chain_bulk import write_chain_dataset
from eduv.testing.chooser import RandomChooser
from tests.chain.helpers import DELIVERY_TYPES, rich


@given(strategies.chain_datasets())
def test_generated_chains_are_valid_messages(dataset: ChainDataset) -> None:
    assert validate_chain_objects(dataset) == []


@given(strategies.chain_datasets(within_previous=True))
def test_chains_within_the_previous_versions_are_valid_too(dataset: ChainDataset) -> None:
    assert validate_chain_objects(dataset) == []
    assert not any(
        d["deliveryType"] == "school-admin" for d in dataset.objects.get("deliveryOrders", ())
    )
    assert all(len(r["orderLines"]) == 1 for r in dataset.objects.get("orderRequests", ()))


OBJECTS: dict[str, tuple[Callable[[], st.SearchStrategy[dict[str, object]]], str, str]] = {
    "products": (strategies.products, "catalogue-api", "Product"),
    "orders": (strategies.order_requests, "order-api", "OrderRequest"),
    "credits": (strategies.credit_order_requests, "order-api", "CreditOrderRequest"),
    "deliveries": (strategies.delivery_orders, "delivery-api", "DeliveryOrder"),
    "entitlements": (strategies.entitlements, "entitlement-api", "Entitlement"),
    "codes": (
        strategies.activation_code_confirmations,
        "activationcode-api",
        "ActivationCodeConfirmation",
    ),
    "activations": (strategies.initial_activations, "usage-api", "InitialActivation"),
    "usage": (strategies.usage_reports, "usage-api", "DeliveryOrderUsage"),
    "results": (strategies.results, "results-api", "AssessmentScoresAndResults"),
    "progress": (strategies.progress_reports, "progress-api", "SimpleProgress"),
    "consents": (strategies.consents, "consent-api", "ConsentStatus"),
    "agreements": (strategies.agreements, "dpa-api", "Agreement"),
}


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_each_object_strategy_gives_valid_messages(kind: str) -> None:
    strategy, api, component = OBJECTS[kind]

    @given(strategy())
    def check(obj: dict[str, object]) -> None:
        validator = spec.validator(api, None, component)
        assert validator.is_valid(obj), [e.message for e in validator.iter_errors(obj)]

    check()


def test_a_chain_has_every_kind_of_product_and_delivery() -> None:
    dataset = rich()
    products = dataset.objects["products"]
    assert {p["type"] for p in products} == {"physical", "digital", "combi"}
    assert any(p["type"] == "digital" and p["saleUnitSize"] > 1 for p in products)
    assert any(p["type"] == "physical" and p["saleUnitSize"] > 1 for p in products)
    assert any(not p["forSale"] for p in products)
    kinds = {price.get("priceType") for p in products for price in p.get("price", ())}
    assert kinds == {"standard", "tier", "schoolSize"}
    assert {d["deliveryType"] for d in dataset.objects["deliveryOrders"]} == DELIVERY_TYPES
    assert any(o["orderStatus"] == "declined" for o in dataset.objects["orderConfirmations"])
    assert any(o["orderStatus"] == "pending" for o in dataset.objects["orderConfirmations"])
    assert any(d["status"] == "cancelled" for d in dataset.objects["deliveryOrders"])


def test_the_same_seed_gives_the_same_chain() -> None:
    first = build_chain(RandomChooser(11)).to_json()
    assert build_chain(RandomChooser(11)).to_json() == first
    assert build_chain(RandomChooser(12)).to_json() != first


def test_the_bulk_writer_streams_a_valid_seeded_folder(tmp_path: Path) -> None:
    write_chain_dataset(tmp_path / "a", seed=4, size=6)
    write_chain_dataset(tmp_path / "b", seed=4, size=6)
    dataset = load_chain_dataset(tmp_path / "a")
    assert len(dataset.schools) == 6
    assert validate_chain_objects(dataset) == []
    counts = dataset.count()
    for name in (
        "products",
        "orderRequests",
        "deliveryOrders",
        "entitlements",
        "initialActivations",
        "consents",
        "agreements",
    ):
        assert counts[name] > 0, name
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
