"""The dataset conversion between t and t-1 answers every change that can break someone."""

from __future__ import annotations

import copy
from typing import Any

from eduv.dataset.convert import conversion_table
from eduv.diff.upgrade import check, uncovered


def _table() -> dict[str, Any]:
    return copy.deepcopy(dict(conversion_table()))


def test_every_breaking_change_between_t_and_t_minus_1_is_answered() -> None:
    items = check()
    assert items, "the check found nothing to look at"
    assert [i.describe() for i in uncovered(items)] == []
    answered = {i.api for i in items}
    assert answered == set(conversion_table()["apis"])


def test_the_employee_down_steps_answer_the_new_identifier_type() -> None:
    (item,) = [i for i in check() if i.direction == "down" and i.api == "employees-api"]
    assert item.change.id == "response-enum-value-added"
    assert item.message == "Employee"
    assert item.answer is not None and "drop-items" in item.answer


def test_a_missing_step_is_found() -> None:
    table = _table()
    table["apis"]["employees-api"]["objects"]["Employee"]["down"] = []
    missing = [i.describe() for i in uncovered(check(table))]
    assert len(missing) == 1 and "employees-api down: response-enum-value-added" in missing[0]


def test_a_missing_note_or_parameter_rule_is_found() -> None:
    table = _table()
    del table["apis"]["students-api"]["unconverted"]
    table["apis"]["association-api"]["parameters"] = []
    missing = list(uncovered(check(table)))
    kinds = {(i.api, i.change.id) for i in missing}
    assert kinds == {
        ("students-api", "request-enum-value-removed"),
        ("association-api", "parameter-enum-value-removed"),
        ("association-api", "parameter-removed"),
    }
