"""For every rule of the administration APIs, a mutation of a valid dataset breaks it.

A rule without a mutation fails here, as does a mutation the engine misses or one that
sets off rules it did not declare.
"""

from __future__ import annotations

import copy
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduv.dataset import Dataset, convert_dataset
from eduv.findings import Finding
from eduv.rules import check_dataset, check_message, load_catalogue
from tests.rules.conftest import ADMINISTRATION_RULES, examples, rich_datasets, school_year
from tests.rules.mutations import MUTATIONS

# The chain's rules have their mutations in tests/rules/chain_mutations.py.
RULE_IDS = ADMINISTRATION_RULES


def test_every_mutation_belongs_to_a_rule() -> None:
    assert sorted(set(MUTATIONS) - set(RULE_IDS)) == []


def _base(dataset: Dataset, shape: str) -> Dataset:
    return convert_dataset(dataset, "down") if shape == "previous" else dataset


def _counts(found: list[Finding]) -> Counter[str]:
    return Counter(v.rule for v in found)


@pytest.mark.parametrize("rule_id", RULE_IDS)
@settings(max_examples=examples(8))
@given(dataset=rich_datasets(), seed=st.integers(0, 2**32 - 1))
def test_mutation_is_detected(rule_id: str, dataset: Dataset, seed: int) -> None:
    assert rule_id in MUTATIONS, f"{rule_id} has no mutation in tests/rules/mutations.py"
    mutation = MUTATIONS[rule_id]
    base = _base(dataset, mutation.shape)
    span = school_year(dataset)
    before = _counts(check_dataset(base, date_range=span))
    mutated = copy.deepcopy(base)
    declared = mutation.mutate(mutated, random.Random(seed))
    found = check_dataset(mutated, date_range=span)
    after = _counts(found)
    grew = {rule for rule, count in after.items() if count > before[rule]}
    assert rule_id in grew, f"the engine missed the mutation for {rule_id}"
    unexpected = grew - {rule_id} - declared
    assert not unexpected, f"mutation for {rule_id} also set off {sorted(unexpected)}"
    _message_rules_agree(rule_id, mutated, found)


def _message_rules_agree(rule_id: str, dataset: Dataset, found: list[Finding]) -> None:
    """A message rule reports the same when the object is checked on its own."""
    rule = load_catalogue().rule(rule_id)
    if rule.kind != "message":
        return
    pointers = {v.pointers[0] for v in found if v.rule == rule_id}
    for base, coll, obj in dataset.iter_objects():
        inside = [p for p in pointers if p == base or p.startswith(base + "/")]
        if not inside:
            continue
        version = dataset.shapes[coll.api]
        alone = check_message(coll.api, version, coll.component, obj)
        own = {base + v.pointers[0] for v in alone if v.rule == rule_id}
        assert set(inside) <= own, f"{rule_id}: check_message disagrees at {base}"
