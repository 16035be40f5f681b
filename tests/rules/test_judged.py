"""Datasets are judged on their own time, and a rule weighs what its source weighs.

The faults here are the ones the earlier behaviour missed or overweighted: a fault that
exists only in a school year that has ended (judged on today's date it was out of sight,
and people looked unserved), and rules resting on inference or on the flexibility
material failing a dataset as errors.
"""

from __future__ import annotations

import copy
import datetime as dt
import random

import pytest

from eduv.dataset import Dataset
from eduv.dataset.judged import judged_range
from eduv.findings import Finding
from eduv.rules import check_dataset, load_catalogue
from eduv.testing.chooser import RandomChooser
from eduv.testing.draft import DatasetDraft
from eduv.testing.ids import Ids
from eduv.testing.scenarios import SCENARIOS
from eduv.testing.schools import SMALL, new_school, populate
from eduv.validation import validate_dataset
from tests.rules.conftest import ADMINISTRATION_RULES
from tests.rules.mutations import MUTATIONS

PAST_YEAR = 2023  # the school year 2023-2024: long over on any day these tests run


def past_dataset(seed: int = 11) -> Dataset:
    """A PO and a VO school of a school year that has ended, with every scenario."""
    chooser = RandomChooser(seed)
    draft = DatasetDraft(chooser, Ids(seed), PAST_YEAR)
    for sector in ("PO", "VO"):
        populate(draft, new_school(draft, sector), SMALL)
    for case in sorted(SCENARIOS):
        SCENARIOS[case](draft)
    return draft.finish()


def _rules(found: list[Finding]) -> set[str]:
    return {f.rule or "" for f in found}


def test_the_default_range_is_the_school_year_of_the_data() -> None:
    judged = judged_range(past_dataset())
    assert (judged.begin, judged.last, judged.basis) == (
        "2023-08-01",
        "2024-07-31",
        "school-periods",
    )


def test_a_fault_only_in_a_past_school_year_is_found_by_default() -> None:
    broken = past_dataset()
    MUTATIONS["EDUV-ENROL-013"].mutate(broken, random.Random(3))
    default = validate_dataset(broken)
    assert not default.valid
    assert "EDUV-ENROL-013" in {f.rule for f in default.findings}
    # What the earlier default did: today's date, where nothing of 2023-2024 is in force.
    today = dt.date.today().isoformat()
    on_today = check_dataset(broken, as_of=today)
    assert "EDUV-ENROL-013" not in _rules(on_today)


def test_people_are_judged_served_over_the_data_s_own_time() -> None:
    """On today's date the pupils look unserved; over their own year none is."""
    dataset = past_dataset()
    assert not {"EDUV-DATA-006", "EDUV-DATA-007"} & _rules(check_dataset(dataset))
    today = dt.date.today().isoformat()
    assert "EDUV-DATA-006" in _rules(check_dataset(dataset, as_of=today))


def test_a_time_dependent_finding_names_the_days_it_holds_on() -> None:
    broken = past_dataset()
    MUTATIONS["EDUV-GROUP-016"].mutate(broken, random.Random(5))
    found = [f for f in check_dataset(broken) if f.rule == "EDUV-GROUP-016"]
    assert found
    for finding in found:
        assert finding.interval is not None
        first, end = finding.interval
        last = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
        assert "2023-08-01" <= first < end <= "2024-08-01"
        assert f"from {first} to {last}" in finding.message
        assert finding.to_json()["interval"] == {"from": first, "to": last}


def test_as_of_and_between_judge_the_days_asked_for() -> None:
    dataset = past_dataset()
    one = judged_range(dataset, as_of="2024-02-01")
    assert (one.begin, one.last, one.basis) == ("2024-02-01", "2024-02-01", "as-of")
    some = judged_range(dataset, between=("2024-01-01", "2024-03-31"))
    assert (some.begin, some.end, some.basis) == ("2024-01-01", "2024-04-01", "between")
    with pytest.raises(ValueError, match="between"):
        judged_range(dataset, between=("2024-03-31", "2024-01-01"))
    with pytest.raises(ValueError, match="as_of"):
        judged_range(dataset, as_of="2024-13-45")


def test_every_report_states_the_days_it_judged() -> None:
    report = validate_dataset(past_dataset(), lang="nl")
    [source] = report.to_json()["sources"]
    assert source["judged"] == {"from": "2023-08-01", "to": "2024-07-31", "basis": "school-periods"}
    from eduv.validation.render import text_lines

    assert any(
        "beoordeeld van 2023-08-01 tot en met 2024-07-31" in line for _, line in text_lines(report)
    )


def test_without_school_periods_the_objects_dates_are_judged() -> None:
    dataset = past_dataset()
    bare = copy.deepcopy(dataset)
    for school in bare.schools:
        school.schoolPeriods = []
    judged = judged_range(bare)
    assert judged.basis == "object-dates"
    assert judged.begin.startswith("2023-") and judged.end <= "2024-08-02"


# -- severity by source ------------------------------------------------------------------

NOT_NORMATIVE = [
    r.id
    for r in load_catalogue().rules
    if r.source_kind != "normative" and r.id in ADMINISTRATION_RULES
]


def test_only_normative_rules_may_be_errors() -> None:
    for rule in load_catalogue().rules:
        if rule.source_kind != "normative":
            assert rule.severity == "warning", rule.id


@pytest.mark.parametrize("rule_id", NOT_NORMATIVE)
def test_a_rule_that_is_no_obligation_warns_and_leaves_the_dataset_valid(rule_id: str) -> None:
    """Its finding is there, as a warning that says what it rests on; no error comes of it."""
    mutation = MUTATIONS[rule_id]
    if mutation.shape != "current":
        pytest.skip("evaluated on the previous shapes by the mutation tests")
    broken = past_dataset()
    declared = mutation.mutate(broken, random.Random(7))
    report = validate_dataset(broken)
    mine = [f for f in report.findings if f.rule == rule_id]
    assert mine, f"the mutation of {rule_id} was not found"
    rule = load_catalogue().rule(rule_id)
    assert all(f.severity == "warning" and f.source_kind == rule.source_kind for f in mine)
    errors = {f.rule for f in report.findings if f.severity == "error"}
    assert errors <= declared, f"{rule_id}: errors {sorted(errors - declared)}"
