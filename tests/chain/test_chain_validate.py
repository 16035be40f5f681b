"""`eduv validate` over chain datasets, and `eduv rules list` for every API of the chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from eduv import spec
from eduv.dataset.chain import ChainDataset, save_chain_dataset
from eduv.validation import validate, validate_dataset
from tests.chain.helpers import rich, rich_previous, seeded
from tests.sdk.conftest import Cli


def _broken() -> ChainDataset:
    """A chain with one schema error and one rule broken, each on a known object."""
    dataset = seeded(3)
    del dataset.objects["deliveryOrders"][0]["productId"]
    digital = next(p for p in dataset.objects["products"] if p["type"] == "digital")
    del digital["licensePeriod"]
    return dataset


def test_a_generated_chain_is_valid_in_both_shapes() -> None:
    for dataset in (rich(), rich_previous()):
        report = validate_dataset(dataset)
        assert report.valid and not report.findings, report.findings[:3]
        assert report.messages == sum(dataset.count().values()) - len(dataset.schools)


def test_schema_errors_and_rule_findings_land_on_their_objects() -> None:
    dataset = _broken()
    products = dataset.objects["products"]
    digital = next(
        i for i, p in enumerate(products) if p["type"] == "digital" and "licensePeriod" not in p
    )
    report = validate(dataset)
    assert not report.valid
    by_place = {(i.location, f.rule or f.keyword) for i in report.items for f in i.findings}
    assert ("/deliveryOrders/0", "required") in by_place
    assert (f"/products/{digital}", "EDUV-PRODUCT-001") in by_place
    dutch = validate_dataset(dataset, lang="nl")
    [rule] = [f for f in dutch.findings if f.rule == "EDUV-PRODUCT-001"]
    assert "digitaal" in rule.message and rule.source_kind == "normative"


def test_rules_can_be_left_out() -> None:
    report = validate_dataset(_broken(), rules=False)
    assert {f.kind for f in report.findings} == {"schema"}


@pytest.mark.parametrize("folder", [False, True])
def test_the_command_reads_chain_files_and_folders(cli: Cli, tmp_path: Path, folder: bool) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    save_chain_dataset(seeded(3), good if folder else good.with_suffix(".json"), folder=folder)
    save_chain_dataset(_broken(), bad if folder else bad.with_suffix(".json"), folder=folder)
    target = str(good if folder else good.with_suffix(".json"))
    assert cli("validate", target).code == 0
    result = cli("validate", str(bad if folder else bad.with_suffix(".json")), "-f", "json")
    assert result.code == 1
    rules = {f.get("rule") for item in result.json()["items"] for f in item["findings"]}
    assert "EDUV-PRODUCT-001" in rules


def test_a_broken_chain_folder_is_an_input_error(cli: Cli, tmp_path: Path) -> None:
    save_chain_dataset(seeded(3), tmp_path / "chain", folder=True)
    (tmp_path / "chain" / "products.ndjson").write_bytes(b"{oops\n")
    result = cli("validate", str(tmp_path / "chain"))
    assert result.code == 2 and "products.ndjson:1" in result.out


@pytest.mark.parametrize("api", [a.id for a in spec.apis()])
def test_rules_list_covers_every_adopted_api(cli: Cli, api: str) -> None:
    result = cli("rules", "list", "--api", api, "-f", "json")
    assert result.code == 0
    if spec.api(api).adopted:
        assert result.json(), f"no rules for {api}"
        assert "never adopted" not in result.err
    else:
        assert result.json() == [] and "never adopted" in result.err
