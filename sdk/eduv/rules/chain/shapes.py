"""Generic checks many chain message rules share, bound per rule with their arguments.

A good part of the chain's fill rules say "when this member has that value, that other
member is filled" or "these dates come in this order" or "no value twice in this list";
the binding tables name one of these checks with the members concerned instead of a
function per rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Rule
from eduv.rules.hits import Hit, JsonObject, MessageCheck
from eduv.rules.values import as_list, as_object


def present_when(
    id_member: str, member: str, values: tuple[str, ...], required: str, *, inside: str = ""
) -> MessageCheck:
    """When ``member`` (of the node, or of its object ``inside``) is one of ``values``,
    ``required`` is there and not empty."""

    def check(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
        node = as_object(obj.get(inside)) if inside else obj
        kind = node.get(member)
        if kind in values and node.get(required) in (None, "", []):
            at = f"/{inside}" if inside else ""
            yield at, {id_member: obj.get(id_member), member: kind}

    return check


def not_before(
    id_member: str, earlier: str, later: str, component: str | None = None
) -> MessageCheck:
    """The date (or time) in ``later`` does not lie before the one in ``earlier``.

    Dates and times of one form compare as text; a value of the wrong type is the
    schema's to report.
    """

    def check(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
        first, second = obj.get(earlier), obj.get(later)
        if isinstance(first, str) and isinstance(second, str) and second < first:
            params: dict[str, object] = {earlier: first, later: second}
            if component is not None:
                params.update(object=component, id=obj.get(id_member))
            yield f"/{later}", params

    return check


def once_each(id_member: str, member: str, key: str | None = None) -> MessageCheck:
    """No value occurs twice in the list ``member`` (compared by ``key`` for objects)."""

    def check(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
        seen: set[Any] = set()
        for index, item in enumerate(as_list(obj.get(member))):
            value = as_object(item).get(key) if key is not None else item
            if not isinstance(value, str | int):
                continue
            if value in seen:
                yield f"/{member}/{index}", {id_member: obj.get(id_member), "value": value}
            seen.add(value)

    return check
