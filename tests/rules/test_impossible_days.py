"""A day of the right shape that no calendar has (2025-13-01) is a schema finding, never
a crash of the rules that build spans from days."""

from __future__ import annotations

from eduv.days import day
from eduv.rules import check_dataset
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser
from eduv.validation import validate_dataset

IMPOSSIBLE = ("2025-13-01", "2025-02-30", "2024-00-10")


def test_an_impossible_day_is_no_day() -> None:
    for value in IMPOSSIBLE:
        assert day({"d": value}, "d") is None
    assert day({"d": "2024-02-29"}, "d") == "2024-02-29"


def test_a_dataset_with_impossible_days_is_judged_without_a_crash() -> None:
    dataset = build_dataset(RandomChooser(1), ["PO"])
    changed = 0
    for coll in ("enrollments", "assignments", "groups", "schoolPeriods"):
        for index, obj in enumerate(dataset.schools[0].items(coll)):
            for key in ("beginDate", "startDate", "endDate"):
                if key in obj:
                    obj[key] = IMPOSSIBLE[index % len(IMPOSSIBLE)]
                    changed += 1
    assert changed > 10
    check_dataset(dataset, date_range=("2023-08-01", "2024-08-01"))
    report = validate_dataset(dataset)
    assert report.exit_code == 1
    assert sum(1 for f in report.findings if f.kind == "schema") == changed
