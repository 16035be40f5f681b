"""Hypothesis strategies for whole, consistent Edu-V datasets.

Every dataset these strategies produce is valid: the rule engine finds no error in it,
at its asOf date or over its whole school year. ``datasets()`` mixes base schools and
flexibility scenarios; the ``*_datasets()`` strategies below each add one scenario, so
a vendor can test, say, a substitute teacher or a location shared by two schools::

    from hypothesis import given
    from eduv.testing import substitute_teacher_datasets

    @given(substitute_teacher_datasets())
    def test_my_import_keeps_substitutes(dataset): ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from eduv.dataset.model import Dataset
from eduv.testing.build import build_dataset
from eduv.testing.scenarios import SCENARIOS

DatasetStrategy = st.SearchStrategy[Dataset]


class DrawChooser:
    """A chooser that takes every decision from hypothesis, so examples shrink."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def chance(self, percent: int) -> bool:
        # Shrinks towards 0, that is towards False: simpler examples leave features out.
        return self.draw(st.integers(0, 99)) >= 100 - percent


_SECTOR_MIXES: tuple[tuple[str, ...], ...] = (("PO",), ("VO",), ("PO", "VO"), ("VO", "PO", "VO"))


@st.composite
def _datasets(draw: st.DrawFn, cases: Sequence[str] | None, mixed: bool) -> Dataset:
    chooser = DrawChooser(draw)
    sectors = draw(st.sampled_from(_SECTOR_MIXES))
    chosen = list(cases or ())
    if mixed:
        chosen += draw(st.lists(st.sampled_from(sorted(SCENARIOS)), max_size=6, unique=True))
    return build_dataset(chooser, sectors, chosen)


def datasets() -> DatasetStrategy:
    """Base schools with any mix of flexibility scenarios."""
    return _datasets(None, mixed=True)


def school_datasets() -> DatasetStrategy:
    """Ordinary PO and VO schools without scenarios (students enrolled per study year)."""
    return _datasets(None, mixed=False)


def case_datasets(case: str) -> DatasetStrategy:
    """Base schools plus the scenario of one flexibility case (e.g. ``"B3"``)."""
    if case not in SCENARIOS:
        known = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"no scenario for case {case!r}; cases with one: {known}")
    return _datasets((case,), mixed=False)


def _for(case: str, doc: str) -> Callable[[], DatasetStrategy]:
    def strategy() -> DatasetStrategy:
        return case_datasets(case)

    strategy.__doc__ = doc
    return strategy


personal_route_datasets = _for("A1", "A1: a pupil in PO and VO at once, subjects elsewhere.")
single_subject_datasets = _for("A2", "A2: a single-subject enrolment at another school.")
route_change_datasets = _for("A3", "A3: routes that change year or level mid-year.")
group_change_datasets = _for("A4", "A4: a pupil changing class mid-year.")
unplaced_student_datasets = _for("A5", "A5: an enrolled pupil not yet placed in a class.")
side_enrolment_datasets = _for("A6", "A6: a main enrolment plus side enrolments elsewhere.")
multi_organisation_staff_datasets = _for("B1", "B1: staff with roles at several organisations.")
multi_role_staff_datasets = _for("B2", "B2: a teacher in several classes and lesson groups.")
substitute_teacher_datasets = _for("B3", "B3: a substitute assigned for a few weeks.")
rio_unit_datasets = _for("C1", "C1: offerings coded as RIO units or erkende opleidingen.")
multi_year_unit_datasets = _for("C4", "C4: one offering spanning several study years.")
characteristic_offering_datasets = _for("C6", "C6: one unit offered twice, once accelerated.")
shared_subject_datasets = _for("C7", "C7: subjects across units and years, and outside any.")
target_group_offering_datasets = _for("C8", "C8: one unit offered twice, once for a target group.")
free_period_datasets = _for("D1", "D1: periods without a school year, groups per term.")
big_group_datasets = _for("D2", "D2: a lesson group of any size.")
mixed_year_class_datasets = _for("D3", "D3: a class mixing studies and years.")
multi_subject_group_datasets = _for("D4", "D4: a lesson group for several subjects.")
mixed_level_group_datasets = _for("D5", "D5: a lesson group whose members differ in level.")
multi_board_school_datasets = _for("E1", "E1: a school under two boards.")
multi_location_school_datasets = _for("E2", "E2/E5: studies at several locations.")
shared_location_datasets = _for("E3", "E3/E4: a location shared by schools of two boards.")
