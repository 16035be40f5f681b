"""The coverage matrix is current and consistent with the cases and the generators."""

from __future__ import annotations

import eduv.testing
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
