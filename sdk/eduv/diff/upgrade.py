"""The dataset conversion between t and t-1, checked against the diff between them.

A provider stores objects in the shape of t and serves them to t-1 clients through the
conversion table (``spec/dataset/1/conversions.json``); ``down`` turns a t object into a
t-1 one, ``up`` the reverse. Every change that can break someone between the two
versions must be answered there:

- a change that makes t responses hold what t-1 readers do not expect (breaking in the
  diff from t-1 to t) needs a ``down`` step on that object;
- a change that makes t-1 data unfit for t (breaking in the diff from t to t-1) needs an
  ``up`` step;
- a parameter change needs an entry under ``parameters``;
- anything else needs an ``unconverted`` entry that says why no conversion is needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eduv import spec
from eduv.diff.core import diff_versions
from eduv.diff.kinds import Change, Location

Direction = Literal["down", "up"]
CHECKED = ("breaking", "potentially-breaking")


@dataclass(frozen=True)
class Item:
    """One change that needs an answer, and the answer found (None when there is none)."""

    api: str
    direction: Direction
    change: Change
    answer: str | None
    message: str | None = None  # the message the change is in, when it is in a body
    path: str = ""  # path inside that message

    @property
    def covered(self) -> bool:
        return self.answer is not None

    def describe(self) -> str:
        where = f"{self.message} {self.path or '/'}" if self.message else "-"
        state = self.answer or "NOT COVERED"
        return f"{self.api} {self.direction}: {self.change.id} at {where}: {state}"


def check(table: Mapping[str, Any] | None = None) -> list[Item]:
    """Every breaking or potentially breaking change between t and t-1 of each API the
    conversion table covers, with the rule or note that answers it."""
    if table is None:
        from eduv.dataset.convert import conversion_table

        table = conversion_table()
    items: list[Item] = []
    for api, entry in table["apis"].items():
        t, t1 = entry["current"], entry["previous"]
        pairs: tuple[tuple[str, str, Direction], ...] = ((t1, t, "down"), (t, t1, "up"))
        for old, new, direction in pairs:
            for change in diff_versions(api, old, new).changes:
                if change.cls in CHECKED:
                    items.append(_answer(api, new, direction, change, entry))
    return items


def _answer(
    api: str, version: str, direction: Direction, change: Change, entry: Mapping[str, Any]
) -> Item:
    places = [_in_message(api, version, loc) for loc in (change.location, *change.also)]
    message, prop = next((p for p in places if p is not None), (None, ""))
    parameter = change.location.parameter
    if parameter is not None:
        for rule in entry.get("parameters", []):
            if rule["name"] == parameter:
                return Item(api, direction, change, f"parameters: {parameter}")
    for found in places:
        if found is not None and (answer := _step(entry, direction, *found)):
            return Item(api, direction, change, answer, *found)
    for note in entry.get("unconverted", []):
        for found in places:
            if found is not None and (note["change"], note["message"], note["property"]) == (
                change.id,
                *found,
            ):
                return Item(api, direction, change, f"unconverted: {note['why']}", *found)
    return Item(api, direction, change, None, message, prop)


def _in_message(api: str, version: str, loc: Location) -> tuple[str, str] | None:
    """(message, path inside it) of a change in a request or response body."""
    if loc.operation_id is None or (loc.status is None and loc.body != "request"):
        return None
    try:
        op = spec.operation(api, version, loc.operation_id)
    except spec.SpecLookupError:
        return None
    body = op.request if loc.status is None else op.responses.get(loc.status)
    if body is None:
        return None
    prop = loc.property or ""
    if body.array:
        prop = prop.removeprefix("/*")
    return body.message, prop


def _step(entry: Mapping[str, Any], direction: Direction, message: str, prop: str) -> str | None:
    steps = entry.get("objects", {}).get(message, {}).get(direction, [])
    for step in steps:
        if _within(prop, step["path"]):
            return f"{message} {direction}: {step['op']} {step['path']}"
    return None


def _within(prop: str, path: str) -> bool:
    """Whether a conversion path reaches the property (it is the property or holds it)."""
    return prop == path or prop.startswith(path.rstrip("/") + "/")


def uncovered(items: list[Item]) -> Iterator[Item]:
    return (item for item in items if not item.covered)
