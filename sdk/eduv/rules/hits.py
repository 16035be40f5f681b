"""What a rule's check reports to the engine, and the shapes of check functions.

A check says where a rule does not hold and which values its message needs; the
engine renders the message in the chosen language and makes the :class:`Finding`.
Message checks see one node and answer with pointers relative to it (:data:`Hit`);
list checks see the whole list a request body carries (a batch of notifications) and
answer the same way; dataset checks see the whole :class:`~eduv.rules.context.Context`
and answer with absolute pointers into the dataset and the objects involved
(:class:`DatasetHit`), as chain checks do with
:class:`~eduv.rules.chain.context.ChainContext` (``ChainCheck`` lives there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eduv.findings import ObjectRef
from eduv.rules.catalogue import Rule

if TYPE_CHECKING:  # pragma: no cover
    from eduv.rules.context import Context

JsonObject = dict[str, Any]

# (pointer relative to the checked node, message values)
Hit = tuple[str, dict[str, object]]
MessageCheck = Callable[[JsonObject, Rule], Iterable[Hit]]
ListCheck = Callable[[list[Any], Rule], Iterable[Hit]]
# (position of the object, pointer relative to it, message values)
PlacedHit = tuple[int, str, dict[str, object]]
ObjectsCheck = Callable[[Sequence[tuple[int, JsonObject]], Rule], Iterable[PlacedHit]]


class EachObject:
    """A message check written over many objects at once, usable as one on a single node.

    The engine hands a dataset's whole list of a component to ``over`` (objects with
    their positions), which keeps a call per object out of the rules every object goes
    through; called on one node, it is an ordinary :data:`MessageCheck`, with the
    same verdicts from the same code.
    """

    __slots__ = ("over",)

    def __init__(self, over: ObjectsCheck) -> None:
        self.over = over

    def __call__(self, node: JsonObject, rule: Rule) -> list[Hit]:
        return [(rest, params) for _, rest, params in self.over(((0, node),), rule)]


@dataclass(frozen=True, slots=True)
class DatasetHit:
    """A dataset rule that does not hold: absolute pointers, the objects, message values."""

    pointers: tuple[str, ...]
    objects: tuple[ObjectRef, ...]
    params: dict[str, object] = field(default_factory=dict)
    interval: tuple[str, str] | None = None  # the days [begin, end) it holds, when it depends


DatasetCheck = Callable[["Context", Rule], Iterable[DatasetHit]]
