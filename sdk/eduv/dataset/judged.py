"""Which days a dataset is judged on: by default, the whole time its data covers.

A dataset of a school year that has ended is judged on that year, not on today: the
days from the first to the last its school periods cover (without periods, its objects'
dates). ``as_of`` judges one day, ``between`` a range of days; the dataset's own
``asOf`` is only the last resort, for data without any date. A rule that forbids a state
reports it when the state holds on any day judged; a rule that requires something is
met when it exists on any day judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from eduv.dataset.model import Dataset
from eduv.days import day, is_tobedeleted, next_day, previous_day
from eduv.spec import Lang

Basis = Literal["school-periods", "object-dates", "as-of", "between", "dataset-as-of", "today"]

_BASIS: dict[Lang, dict[Basis, str]] = {
    "en": {
        "school-periods": "the days the dataset's school periods cover",
        "object-dates": "the days the dataset's dates cover (it has no school periods)",
        "as-of": "the day asked for",
        "between": "the days asked for",
        "dataset-as-of": "the dataset's asOf (it holds no dates)",
        "today": "today (the dataset holds no dates and no asOf)",
    },
    "nl": {
        "school-periods": "de dagen die de schoolperiodes van de dataset beslaan",
        "object-dates": "de dagen die de datums van de dataset beslaan (zij heeft geen "
        "schoolperiodes)",
        "as-of": "de gevraagde dag",
        "between": "de gevraagde dagen",
        "dataset-as-of": "de asOf van de dataset (zij bevat geen datums)",
        "today": "vandaag (de dataset bevat geen datums en geen asOf)",
    },
}
_RANGE: dict[Lang, str] = {
    "en": "judged from {first} to {last}: {basis}",
    "nl": "beoordeeld van {first} tot en met {last}: {basis}",
}
_DATED = ("enrollments", "assignments", "groups")


@dataclass(frozen=True, slots=True)
class Judged:
    """Days ``begin`` to ``end`` (exclusive, as Edu-V end dates are) and why those."""

    begin: str
    end: str
    basis: Basis

    @property
    def last(self) -> str:
        """The last day judged."""
        return previous_day(self.end)

    def describe(self, lang: Lang) -> str:
        basis = _BASIS[lang][self.basis]
        return _RANGE[lang].format(first=self.begin, last=self.last, basis=basis)

    def to_json(self) -> dict[str, Any]:
        return {"from": self.begin, "to": self.last, "basis": self.basis}


def parse_day(value: str, what: str) -> str:
    """A ``YYYY-MM-DD`` day; anything else is a ``ValueError`` naming ``what`` it was for."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{what}: {value!r} is not a day as YYYY-MM-DD (for example 2025-08-25)")


def check_days(as_of: str | None, between: tuple[str, str] | None) -> None:
    """Raise ``ValueError`` (naming the option) for days that cannot be judged."""
    if as_of is not None and between is not None:
        raise ValueError("give as_of (one day) or between (a range of days), not both")
    if as_of is not None:
        parse_day(as_of, "as_of")
    if between is not None:
        first, last = (parse_day(d, "between") for d in between)
        if last < first:
            raise ValueError(f"between: {last} is before {first}")


def judged_range(
    dataset: Dataset,
    *,
    as_of: str | None = None,
    between: tuple[str, str] | None = None,
) -> Judged:
    """The days to judge ``dataset`` on: ``as_of``, ``between`` (both days included), or
    by default the whole time the data covers."""
    check_days(as_of, between)
    if as_of is not None:
        return Judged(as_of, next_day(as_of), "as-of")
    if between is not None:
        return Judged(between[0], next_day(between[1]), "between")
    return _covered(dataset)


def _covered(dataset: Dataset) -> Judged:
    periods = [p for s in dataset.schools for p in s.schoolPeriods if not is_tobedeleted(p)]
    begins = [d for p in periods if (d := day(p, "startDate"))]
    ends = [d for p in periods if (d := day(p, "endDate"))]
    if begins and ends and max(ends) > min(begins):
        return Judged(min(begins), max(ends), "school-periods")
    begins, ends = _object_dates(dataset)
    if begins:
        # An object without an end runs on: its begin day at least is judged.
        return Judged(min(begins), max([*ends, next_day(max(begins))]), "object-dates")
    if dataset.as_of and day({"asOf": dataset.as_of}, "asOf"):
        return Judged(dataset.as_of, next_day(dataset.as_of), "dataset-as-of")
    today = date.today().isoformat()
    return Judged(today, next_day(today), "today")


def _object_dates(dataset: Dataset) -> tuple[list[str], list[str]]:
    begins: list[str] = []
    ends: list[str] = []
    for school in dataset.schools:
        for name in _DATED:
            for obj in school.items(name):
                if isinstance(obj, dict) and not is_tobedeleted(obj):
                    begins += [d for d in (day(obj, "beginDate"),) if d]
                    ends += [d for d in (day(obj, "endDate"),) if d]
    return begins, ends
