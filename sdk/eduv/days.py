"""Days as Edu-V writes them: ``YYYY-MM-DD``, end dates exclusive.

ISO days compare correctly as strings, so spans are kept as pairs of strings; the
readers here are forgiving (``None`` for anything that is not a day), because a rule
or a range must never crash on what the schema reports.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

MAX_DATE = "9999-12-31"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Days already seen to have the shape. A dataset repeats a few hundred distinct days
# over and over, so a set lookup replaces most pattern matches; the cap keeps hostile
# input from growing it without bound.
_SEEN: set[str] = set()
_SEEN_CAP = 65_536


def day(obj: dict[str, Any], key: str) -> str | None:
    """A ``YYYY-MM-DD`` value; ISO dates compare correctly as strings."""
    value = obj.get(key)
    if not isinstance(value, str):
        return None
    if value in _SEEN:
        return value
    # A cheap shape test first: this runs for every dated object several times. A day
    # of the right shape that no calendar has (2025-13-01) is no day either: the schema
    # reports it, and spans built on it could not be shifted by a day.
    if len(value) == 10 and _DATE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return None
        if len(_SEEN) < _SEEN_CAP:
            _SEEN.add(value)
        return value
    return None


def next_day(value: str) -> str:
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()


def previous_day(value: str) -> str:
    return (date.fromisoformat(value) - timedelta(days=1)).isoformat()


def is_tobedeleted(obj: dict[str, Any]) -> bool:
    return obj.get("status") == "tobedeleted"
