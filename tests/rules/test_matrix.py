"""The coverage matrix is current and consistent with the cases, the chain and the generators."""

from __future__ import annotations

import eduv.testing
from eduv import spec
from eduv.testing.chain import COLLECTION_STRATEGIES
from eduv.testing.scenarios import CASE_STRATEGIES, SCENARIOS
from tools.matrix import build_matrix, default_paths, rendered

MATRIX = build_matrix()


def test_committed_files_match_a_fresh_generation() -> None:
    for path, content in zip(default_paths(), rendered(), strict=True):
        assert path.read_bytes() == content, (
            f"{path.name} is out of date: run python -m tools.matrix"
        )


def test_all_27_cases_are_covered_once() -> None:
    ids = [case["id"] for case in MATRIX["cases"]]
    assert len(ids) == 27 == len(set(ids))
    for release in ("t", "t-1"):
        assert sum(MATRIX["summary"][release].values()) == 27


def test_expressible_cases_have_generators_and_the_rest_proposals() -> None:
    for case in MATRIX["cases"]:
        levels = set(case["expressible"].values())
        if levels == {"not"}:
            assert not case["generators"], case["id"]
        else:
            assert case["generators"], f"{case['id']} is expressible but nothing generates it"
        if levels != {"full"}:
            assert case.get("proposal", {}).get("schemaChange"), case["id"]


def test_generator_names_exist_and_every_scenario_is_listed() -> None:
    for names in CASE_STRATEGIES.values():
        for name in names:
            assert callable(getattr(eduv.testing, name))
    assert set(SCENARIOS) <= set(CASE_STRATEGIES)


def test_every_adopted_chain_api_has_rules_and_generators() -> None:
    rows = {row["api"]: row for row in MATRIX["chain"]}
    for api in spec.apis("chain"):
        row = rows[api.id]
        rules = sum(len(ids) for ids in row["rules"].values())
        if api.adopted:
            assert rules and row["generators"], api.id
        else:
            assert not rules and not row["generators"], f"{api.id} was never adopted"
    assert rows["notifications-api"]["rules"]["normative"]


def test_chain_generators_exist_and_cover_the_named_strategies() -> None:
    import importlib

    for row in MATRIX["chain"]:
        for name in row["generators"]:
            module, _, attribute = name.rpartition(".")
            assert callable(getattr(importlib.import_module(module), attribute)), name
    names = set(COLLECTION_STRATEGIES.values())
    listed = {g.rpartition(".")[2] for row in MATRIX["chain"] for g in row["generators"]}
    assert names <= listed


def test_every_unchecked_fill_rule_is_listed_under_its_apis() -> None:
    rows = {row["api"]: row for row in MATRIX["chain"]}
    for fill in spec.document("rules/unchecked.json")["fillRules"]:
        for api in fill["appliesTo"]:
            # One of them is an administration API, outside the chain table.
            if api in rows:
                assert fill["id"] in rows[api]["unchecked"], (fill["id"], api)
