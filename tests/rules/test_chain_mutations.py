"""For every chain rule, a mutation of a valid chain breaks it and the engine reports it.

Each rule is tried in each release it applies to: on a rich chain in the current
shapes and on one in the previous shapes. Rules whose subject no chain dataset holds
are tried on a valid and a broken message instead. A rule without either fails here,
as does a mutation the engine misses or one that sets off rules it did not declare.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from typing import Any

import orjson
import pytest

from eduv.dataset.chain import ChainDataset, chain_apis, supported_shapes
from eduv.findings import Finding
from eduv.rules import check_chain_dataset, check_message, load_catalogue
from eduv.rules.binding import CHAIN_CHECKS, MESSAGE_CHECKS
from eduv.rules.catalogue import Phrase
from eduv.rules.chain.context import ChainContext
from tests.chain.helpers import rich, rich_previous
from tests.rules.chain_mutations import EXAMPLES, MUTATIONS

CATALOGUE = load_catalogue()
CHAIN = set(chain_apis())
RELEASES = {"current": 0, "previous": 1}


def _releases(rule_id: str) -> list[str]:
    """The releases (current, previous) of the chain APIs a rule applies to."""
    rule = CATALOGUE.rule(rule_id)
    return [
        release
        for release, at in RELEASES.items()
        if any(supported_shapes(api)[at] in rule.applies_to.get(api, ()) for api in CHAIN)
    ]


CHAIN_RULES = [r.id for r in CATALOGUE.rules if set(r.applies_to) & CHAIN]
CASES = [
    (rule, release) for rule in CHAIN_RULES if rule in MUTATIONS for release in _releases(rule)
]


def test_every_chain_rule_has_a_mutation_or_an_example() -> None:
    covered = set(MUTATIONS) | set(EXAMPLES)
    outside = {r.id for r in CATALOGUE.rules if set(r.applies_to) - CHAIN - _administration()}
    assert sorted((set(CHAIN_RULES) | outside) - covered) == []
    assert sorted(covered - (set(CHAIN_RULES) | outside)) == []
    assert not set(MUTATIONS) & set(EXAMPLES)


def _administration() -> set[str]:
    from eduv.dataset.convert import api_versions

    return set(api_versions())


def _base(release: str) -> ChainDataset:
    """A fresh rich chain, through JSON: the generator shares objects a file never would."""
    dataset = rich() if release == "current" else rich_previous()
    return ChainDataset.from_json(orjson.loads(orjson.dumps(dataset.to_json())))


def _counts(found: list[Finding]) -> Counter[str]:
    return Counter(f.rule for f in found)


@pytest.mark.parametrize(("rule_id", "release"), CASES, ids=str)
def test_mutation_is_detected(rule_id: str, release: str) -> None:
    dataset = _base(release)
    before = _counts(check_chain_dataset(dataset))
    assert before == Counter(), f"the {release} base chain already breaks {dict(before)}"
    declared = MUTATIONS[rule_id].mutate(dataset, random.Random(7))
    found = check_chain_dataset(dataset)
    grew = {rule for rule, count in _counts(found).items() if count > before[rule]}
    assert rule_id in grew, f"the engine missed the mutation for {rule_id} ({release})"
    unexpected = grew - {rule_id} - declared
    assert not unexpected, f"mutation for {rule_id} ({release}) also set off {sorted(unexpected)}"
    _messages_are_complete(rule_id, dataset)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _messages_are_complete(rule_id: str, dataset: ChainDataset) -> None:
    """Every placeholder of a chain rule's message gets a value, and every phrase exists.

    Message rules are checked on their rendered text instead, in
    :func:`test_message_rules_render_every_placeholder`.
    """
    if rule_id not in CHAIN_CHECKS:
        return
    rule = CATALOGUE.rule(rule_id)
    needed = _placeholders(rule.message["en"])
    for hit in CHAIN_CHECKS[rule_id](ChainContext(dataset), rule):
        assert needed <= set(hit.params), f"{rule_id}: no {sorted(needed - set(hit.params))}"
        for value in hit.params.values():
            if isinstance(value, Phrase):
                assert value in rule.phrases, f"{rule_id}: no phrase {value!r}"


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_example_breaks_the_rule(rule_id: str) -> None:
    example = EXAMPLES[rule_id]
    assert CATALOGUE.rule(rule_id).applies(example.api, example.version)

    def rules(payload: Any) -> set[str | None]:
        return {
            f.rule for f in check_message(example.api, example.version, example.message, payload)
        }

    assert rule_id not in rules(example.valid)
    assert rule_id in rules(example.broken)


def test_message_rules_render_every_placeholder() -> None:
    """A message rule's check gives every value its message names, on every mutation."""
    for rule_id in MUTATIONS:
        rule = CATALOGUE.rule(rule_id)
        if rule_id not in MESSAGE_CHECKS:
            continue
        for release in _releases(rule_id):
            dataset = _base(release)
            MUTATIONS[rule_id].mutate(dataset, random.Random(7))
            mine = [f for f in check_chain_dataset(dataset) if f.rule == rule_id]
            assert mine, (rule_id, release)
            for finding in mine:
                assert not re.search(r"<[\w.]+\?>", finding.message), (
                    rule_id,
                    finding.message,
                    rule.message["en"],
                )
