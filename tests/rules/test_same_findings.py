"""The engine's findings on damaged bulk data stay exactly what they were.

The mutation tests pin which rules fire on one fault at a time; these cases pin every
finding (rule, severity, pointers, message, interval, objects) on seeded bulk datasets
with many faults at once, so that a change made for speed cannot move a verdict. The
expected figures were taken from the engine before it was made faster: a digest of the
findings, and their number per rule to see where a difference lies.
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections import Counter
from typing import Any

import orjson
import pytest

from eduv.dataset import Dataset
from eduv.findings import Finding
from eduv.rules import check_dataset
from eduv.testing.bulk import bulk_dataset

_DAYS: tuple[str, ...] = ("2024-08-01", "2025-07-31", "2025-08-01", "2025-10-15", "2026-01-01")
_DAYS += ("2026-07-31", "2026-08-01", "2027-01-01", "bogus")
_SCHOOL_LISTS: tuple[str, ...] = ("schoolPeriods", "studyOfferings", "subjectOfferings")
_SCHOOL_LISTS += ("groups", "enrollments", "assignments")


def _damage(rng: random.Random, obj: dict[str, Any], pool: list[Any]) -> None:
    """One fault in ``obj``: a member dropped, taken from another object, cut, flagged..."""
    if not obj:
        return
    key = rng.choice(sorted(obj))
    value = obj[key]
    how = rng.randrange(7)
    if how == 0:
        del obj[key]
    elif how == 1:
        donor = rng.choice(pool)
        if isinstance(donor, dict) and key in donor:
            obj[key] = copy.deepcopy(donor[key])
    elif how == 2 and isinstance(value, str):
        if key.endswith("Date"):
            obj[key] = rng.choice(_DAYS)
        else:
            cut = value[: rng.randrange(len(value) + 1)]
            obj[key] = cut + rng.choice(("", "x", "Z", "+01:00"))
    elif how == 3:
        obj["status"] = "tobedeleted"
    elif how == 4 and isinstance(value, list) and value:
        value.append(copy.deepcopy(rng.choice(value)))
    elif how == 5 and isinstance(value, dict):
        inner = [v for o in pool if isinstance(o, dict) and isinstance(v := o.get(key), dict)]
        _damage(rng, value, inner or [value])
    elif how == 6 and isinstance(value, int) and not isinstance(value, bool):
        obj[key] = value + rng.choice((-3, -1, 1, 5))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        _damage(rng, rng.choice(value), value)


def damaged(pupils: int, seed: int, share: float) -> Dataset:
    """A bulk dataset with about ``share`` of its objects damaged once, reproducibly."""
    dataset = bulk_dataset(pupils, seed=seed)
    rng = random.Random(seed)
    lists = [school.items(name) for school in dataset.schools for name in _SCHOOL_LISTS]
    lists += [[school.organisation for school in dataset.schools]]
    lists += [dataset.students, dataset.employees]
    for objs in lists:
        for obj in objs:
            if rng.random() < share:
                _damage(rng, obj, objs)
    return dataset


def _row(f: Finding) -> list[object]:
    interval = list(f.interval) if f.interval else None
    objects = [o.to_json() for o in f.objects]
    return [f.rule, f.severity, f.instance_path, list(f.related), f.message, interval, objects]


def digest(found: list[Finding]) -> str:
    return hashlib.sha256(orjson.dumps([_row(f) for f in found])).hexdigest()


def _year(dataset: Dataset) -> tuple[str, str]:
    assert dataset.as_of is not None
    year = int(dataset.as_of[:4])
    return f"{year}-08-01", f"{year + 1}-08-01"


# (pupils, seed, share damaged, how judged) -> (findings per rule, digest)
EXPECTED: dict[tuple[int, int, float, str], tuple[dict[str, int], str]] = {
    (400, 4, 0.2, "year"): (
        {
            "EDUV-ASSIGN-003": 1,
            "EDUV-ASSIGN-010": 12,
            "EDUV-ASSIGN-012": 5,
            "EDUV-DATA-001": 5,
            "EDUV-DATA-002": 2,
            "EDUV-DATA-005": 15,
            "EDUV-DATA-006": 15,
            "EDUV-DATA-007": 3,
            "EDUV-ENROL-001": 2,
            "EDUV-ENROL-002": 2,
            "EDUV-ENROL-003": 4,
            "EDUV-ENROL-010": 4,
            "EDUV-ENROL-011": 17,
            "EDUV-ENROL-012": 14,
            "EDUV-ENROL-013": 3,
            "EDUV-ENROL-015": 15,
            "EDUV-GROUP-010": 24,
            "EDUV-GROUP-011": 3,
            "EDUV-GROUP-012": 3,
            "EDUV-GROUP-013": 5,
            "EDUV-GROUP-016": 14,
            "EDUV-GROUP-017": 27,
            "EDUV-ID-001": 2,
            "EDUV-ID-002": 3,
            "EDUV-ID-005": 2,
            "EDUV-ORG-011": 1,
            "EDUV-ORG-012": 1,
            "EDUV-PERIOD-016": 1,
            "EDUV-TIME-001": 4,
            "EDUV-TIME-002": 3,
            "EDUV-TIME-010": 1,
        },
        "26feeb5c3eaa104d140e1d2099e4c19bc2501460d647bd506875db253fc74ff1",
    ),
    (250, 6, 0.9, "year"): (
        {
            "EDUV-ASSIGN-002": 1,
            "EDUV-ASSIGN-010": 12,
            "EDUV-ASSIGN-011": 8,
            "EDUV-ASSIGN-012": 8,
            "EDUV-ASSIGN-014": 3,
            "EDUV-ASSIGN-016": 1,
            "EDUV-ASSIGN-017": 6,
            "EDUV-DATA-001": 16,
            "EDUV-DATA-002": 6,
            "EDUV-DATA-003": 1,
            "EDUV-DATA-004": 13,
            "EDUV-DATA-005": 222,
            "EDUV-DATA-006": 41,
            "EDUV-ENROL-001": 5,
            "EDUV-ENROL-002": 9,
            "EDUV-ENROL-003": 4,
            "EDUV-ENROL-010": 1,
            "EDUV-ENROL-011": 17,
            "EDUV-ENROL-012": 19,
            "EDUV-ENROL-013": 9,
            "EDUV-ENROL-015": 14,
            "EDUV-GROUP-001": 4,
            "EDUV-GROUP-002": 2,
            "EDUV-GROUP-010": 17,
            "EDUV-GROUP-011": 9,
            "EDUV-GROUP-012": 10,
            "EDUV-GROUP-013": 15,
            "EDUV-GROUP-014": 1,
            "EDUV-GROUP-016": 39,
            "EDUV-GROUP-017": 74,
            "EDUV-ID-001": 7,
            "EDUV-ID-002": 4,
            "EDUV-ID-003": 1,
            "EDUV-ID-005": 5,
            "EDUV-ID-019": 2,
            "EDUV-TIME-001": 7,
            "EDUV-TIME-002": 3,
            "EDUV-TIME-003": 1,
            "EDUV-TIME-004": 2,
            "EDUV-TIME-010": 5,
        },
        "cb24c569c23cbb90629ffeedf4919c0cdea00dbae8a29b8e3418db954f18f2ce",
    ),
    (250, 6, 0.9, "as_of"): (
        {
            "EDUV-ASSIGN-002": 1,
            "EDUV-ASSIGN-010": 12,
            "EDUV-ASSIGN-011": 8,
            "EDUV-ASSIGN-012": 8,
            "EDUV-ASSIGN-014": 3,
            "EDUV-ASSIGN-016": 1,
            "EDUV-ASSIGN-017": 6,
            "EDUV-DATA-001": 16,
            "EDUV-DATA-002": 6,
            "EDUV-DATA-003": 1,
            "EDUV-DATA-004": 13,
            "EDUV-DATA-005": 220,
            "EDUV-DATA-006": 44,
            "EDUV-ENROL-001": 5,
            "EDUV-ENROL-002": 9,
            "EDUV-ENROL-003": 4,
            "EDUV-ENROL-010": 1,
            "EDUV-ENROL-011": 17,
            "EDUV-ENROL-012": 19,
            "EDUV-ENROL-013": 9,
            "EDUV-ENROL-015": 14,
            "EDUV-GROUP-001": 4,
            "EDUV-GROUP-002": 2,
            "EDUV-GROUP-010": 17,
            "EDUV-GROUP-011": 9,
            "EDUV-GROUP-012": 10,
            "EDUV-GROUP-013": 15,
            "EDUV-GROUP-014": 1,
            "EDUV-GROUP-016": 39,
            "EDUV-GROUP-017": 74,
            "EDUV-ID-001": 7,
            "EDUV-ID-002": 4,
            "EDUV-ID-003": 1,
            "EDUV-ID-005": 5,
            "EDUV-ID-019": 2,
            "EDUV-TIME-001": 7,
            "EDUV-TIME-002": 3,
            "EDUV-TIME-003": 1,
            "EDUV-TIME-004": 2,
            "EDUV-TIME-010": 5,
        },
        "b74f7253a129a7699e148d2e6cf389218ca10b5f0197bc15563acb48a4b52120",
    ),
    (300, 5, 0.5, "default nl"): (
        {
            "EDUV-ASSIGN-002": 3,
            "EDUV-ASSIGN-003": 2,
            "EDUV-ASSIGN-010": 13,
            "EDUV-ASSIGN-011": 1,
            "EDUV-ASSIGN-012": 8,
            "EDUV-ASSIGN-014": 2,
            "EDUV-ASSIGN-015": 1,
            "EDUV-ASSIGN-016": 1,
            "EDUV-ASSIGN-017": 1,
            "EDUV-DATA-001": 17,
            "EDUV-DATA-002": 7,
            "EDUV-DATA-004": 10,
            "EDUV-DATA-005": 820,
            "EDUV-DATA-006": 28,
            "EDUV-ENROL-001": 2,
            "EDUV-ENROL-002": 5,
            "EDUV-ENROL-010": 14,
            "EDUV-ENROL-011": 27,
            "EDUV-ENROL-012": 26,
            "EDUV-ENROL-013": 8,
            "EDUV-ENROL-015": 5,
            "EDUV-GROUP-002": 1,
            "EDUV-GROUP-010": 52,
            "EDUV-GROUP-012": 4,
            "EDUV-GROUP-013": 4,
            "EDUV-GROUP-015": 8,
            "EDUV-GROUP-016": 29,
            "EDUV-GROUP-017": 52,
            "EDUV-ID-001": 3,
            "EDUV-ID-002": 3,
            "EDUV-ID-005": 3,
            "EDUV-OFFER-011": 8,
            "EDUV-TIME-001": 6,
            "EDUV-TIME-002": 2,
            "EDUV-TIME-003": 2,
            "EDUV-TIME-010": 1,
        },
        "c29e5dcf0d131ff7134df3b91e2000c6ec261b63a06815bddff35ad9c4e62098",
    ),
}


CASES = [(400, 4, 0.2, "year"), (250, 6, 0.9, "year"), (250, 6, 0.9, "as_of")]
CASES += [(300, 5, 0.5, "default nl")]


@pytest.mark.parametrize(("pupils", "seed", "share", "judged"), CASES)
def test_findings_on_damaged_bulk_data_are_unchanged(
    pupils: int, seed: int, share: float, judged: str
) -> None:
    dataset = damaged(pupils, seed, share)
    if judged == "year":
        found = check_dataset(dataset, date_range=_year(dataset))
    elif judged == "as_of":
        found = check_dataset(dataset, as_of=dataset.as_of)
    else:
        found = check_dataset(dataset, lang="nl")
    per_rule, expected = EXPECTED[(pupils, seed, share, judged)]
    assert dict(sorted(Counter(f.rule or "" for f in found).items())) == per_rule
    assert digest(found) == expected
