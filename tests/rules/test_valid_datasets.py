"""Generated valid datasets raise no error: no rule rejects legitimate flexibility."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduv import spec
from eduv.dataset import Dataset, convert_dataset
from eduv.findings import Finding
from eduv.rules import check_dataset
from eduv.testing import CASE_STRATEGIES, datasets
from eduv.testing import strategies as named
from tests.rules.conftest import examples, school_year


def _errors(found: list[Finding]) -> list[str]:
    return [f"{v.rule} {v.pointers[0]}: {v.message}" for v in found if v.is_error]


@given(datasets())
def test_mixed_datasets_have_no_errors(dataset: Dataset) -> None:
    assert _errors(check_dataset(dataset)) == []
    assert _errors(check_dataset(dataset, date_range=school_year(dataset))) == []


@given(datasets(), st.integers(0, 364))
@settings(max_examples=examples(2))
def test_no_errors_on_any_day_of_the_year(dataset: Dataset, offset: int) -> None:
    from datetime import date, timedelta

    day = date.fromisoformat(school_year(dataset)[0]) + timedelta(days=offset)
    assert _errors(check_dataset(dataset, as_of=day)) == []


STRATEGY_NAMES = sorted({name for names in CASE_STRATEGIES.values() for name in names})


@pytest.mark.parametrize("name", STRATEGY_NAMES)
@settings(max_examples=examples(5))
@given(data=st.data())
def test_each_case_strategy_is_valid(name: str, data: st.DataObject) -> None:
    dataset = data.draw(getattr(named, name)())
    assert _errors(check_dataset(dataset, date_range=school_year(dataset))) == []


@settings(max_examples=examples(3))
@given(datasets())
def test_objects_match_their_message_schemas(dataset: Dataset) -> None:
    wrong = []
    for pointer, coll, obj in dataset.iter_objects():
        validator = spec.validator(coll.api, dataset.shapes[coll.api], coll.component)
        wrong += [f"{pointer}: {e.message}" for e in validator.iter_errors(obj)]
    assert wrong == []


@settings(max_examples=examples(3))
@given(datasets())
def test_previous_shapes_are_valid_too(dataset: Dataset) -> None:
    """Served in t-1 through the conversion table, the data is still valid there."""
    served = convert_dataset(dataset, "down")
    assert served.shapes != dataset.shapes
    assert _errors(check_dataset(served, date_range=school_year(dataset))) == []
    for pointer, coll, obj in served.iter_objects():
        validator = spec.validator(coll.api, served.shapes[coll.api], coll.component)
        assert validator.is_valid(obj), pointer
