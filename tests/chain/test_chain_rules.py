"""The chain's fill rules: all accounted for, in our words, and kept by every generated chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from eduv import spec
from eduv.dataset.chain import ChainDataset, chain_apis, convert_chain_dataset
from eduv.rules import Rule, check_chain_dataset, load_catalogue
from eduv.testing.chain import chain_datasets
from tests.chain.conftest import copied
from tests.chain.helpers import seeded

CATALOGUE = load_catalogue()
UNCHECKED = spec.document("rules/unchecked.json")["fillRules"]

# The fill rules issue 15 names, in its order, and the rules (or the unchecked fill rules
# of spec/rules/unchecked.json) that carry each.
NAMED = {
    "a digital product has a licence period": ["EDUV-PRODUCT-001"],
    "licence days": ["EDUV-PRODUCT-002"],
    # Their presence is EDUV-PRODUCT-005, inferred (a warning); 003 and 004 their content.
    "activation terms": ["EDUV-PRODUCT-005", "EDUV-PRODUCT-003", "EDUV-PRODUCT-004"],
    "a default access URL": ["EDUV-PRODUCT-006"],
    "the reseller is named": ["EDUV-PRODUCT-008"],
    "the family name": ["EDUV-CHAIN-003", "family-name-in-a-family"],
    "the reseller's thumbnail": ["EDUV-PRODUCT-009"],
    "a set names its parts": ["EDUV-PRODUCT-011"],
    "support and end-of-life dates": ["EDUV-PRODUCT-013"],
    "tier and school-size prices": ["EDUV-PRICE-003", "EDUV-PRICE-004"],
    "two decimals": ["EDUV-PRICE-001", "EDUV-PRICE-002"],
    "since at most seven days back": ["since-seven-days"],
    "a cancelled delivery order has its end date": ["EDUV-DELIVERY-001"],
    "status 99 has a message": ["EDUV-STATUS-001"],
    "one POST /notifications concerns one school": ["EDUV-NOTIFY-001"],
    "a person's primary identifier": ["EDUV-ID-020", "EDUV-CHAIN-052"],
    "an organisation's primary identifier": ["EDUV-ID-021", "EDUV-CHAIN-053"],
    "a recognised programme's studyCode": ["recognised-study-code"],
}


def test_the_eighteen_fill_rules_of_the_issue_are_all_there() -> None:
    assert len(NAMED) == 18
    known = {r.id for r in CATALOGUE.rules} | {u["id"] for u in UNCHECKED}
    for what, carriers in NAMED.items():
        assert set(carriers) <= known, what


def _chain_rules() -> list[Rule]:
    return [r for r in CATALOGUE.rules if set(r.applies_to) & {*chain_apis(), "notifications-api"}]


def test_rule_texts_are_written_fresh(reference: Path) -> None:
    found = []
    for rule in CATALOGUE.rules:
        texts = [rule.title["en"], rule.message["en"], str(rule.source.get("note", ""))]
        texts += [phrase["en"] for phrase in rule.phrases.values()]
        found += [f"{rule.id}: '{hit}'" for text in texts for hit in copied(text, reference)]
    for fill in UNCHECKED:
        for text in (fill["title"]["en"], fill["why"]["en"]):
            found += [f"{fill['id']}: '{hit}'" for hit in copied(text, reference)]
    for convention in spec.deviations()["conventions"]:
        for text in (convention["rule"], convention["reason"]):
            found += [f"{convention['id']}: '{hit}'" for hit in copied(text, reference)]
    assert not found, "\n".join(found)


def test_every_chain_rule_explains_its_source() -> None:
    for rule in _chain_rules():
        assert rule.source.get("note"), rule.id


@given(chain_datasets())
def test_generated_chains_break_no_rule(dataset: ChainDataset) -> None:
    assert check_chain_dataset(dataset) == []


@given(chain_datasets(within_previous=True))
def test_generated_chains_in_the_previous_shapes_break_no_rule(dataset: ChainDataset) -> None:
    conversion = convert_chain_dataset(dataset, "down")
    assert conversion.left_out == []
    assert check_chain_dataset(conversion.dataset) == []


@pytest.mark.parametrize("seed", range(6))
def test_seeded_chains_break_no_rule(seed: int) -> None:
    assert check_chain_dataset(seeded(seed)) == []
