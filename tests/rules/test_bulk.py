"""The seeded bulk generator: valid, reproducible, in Dutch proportions, streamable."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson

from eduv.dataset import Dataset, load_dataset
from eduv.rules import check_dataset
from eduv.testing.bulk import bulk_dataset, school_plan, write_bulk_dataset
from tests.rules.conftest import school_year

PUPILS = 2500


@cache
def _bulk() -> Dataset:
    return bulk_dataset(PUPILS, seed=11)


def test_school_plan_adds_up_and_mixes_sectors() -> None:
    for pupils in (1, 999, 10_000, 100_000):
        plan = school_plan(pupils)
        assert sum(n for _, n in plan) == pupils
    plan = school_plan(100_000)
    po = [n for sector, n in plan if sector == "PO"]
    vo = [n for sector, n in plan if sector == "VO"]
    assert abs(sum(po) / 100_000 - 0.58) < 0.01
    assert 200 < sum(po) / len(po) < 250 and 1300 < sum(vo) / len(vo) < 1700


def test_bulk_data_is_valid() -> None:
    dataset = _bulk()
    errors = [v for v in check_dataset(dataset, date_range=school_year(dataset)) if v.is_error]
    assert errors == []
    counts = dataset.count()
    assert counts["students"] >= PUPILS
    assert counts["enrollments"] > counts["students"] > counts["employees"]


def test_same_seed_same_data() -> None:
    again = bulk_dataset(PUPILS, seed=11)
    assert orjson.dumps(again.to_json()) == orjson.dumps(_bulk().to_json())
    other = bulk_dataset(PUPILS, seed=12)
    assert orjson.dumps(other.to_json()) != orjson.dumps(_bulk().to_json())


def test_streamed_folder_holds_the_same_dataset(tmp_path: Path) -> None:
    write_bulk_dataset(tmp_path / "bulk", PUPILS, seed=11)
    loaded = load_dataset(tmp_path / "bulk")
    assert orjson.dumps(loaded.to_json()) == orjson.dumps(_bulk().to_json())
