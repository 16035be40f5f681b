"""Binding between catalogue entries and the Python code that checks them.

The catalogue says what a rule means; this registry says how to check it. A test
makes sure that both sides list exactly the same rule identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eduv.rules.catalogue import Rule
from eduv.rules.model import ObjectRef

if TYPE_CHECKING:  # pragma: no cover
    from eduv.rules.context import Context

JsonObject = dict[str, Any]

# A message check yields (pointer relative to the checked node, message parameters).
Hit = tuple[str, dict[str, object]]
MessageCheck = Callable[[JsonObject, Rule], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Finding:
    """A dataset rule that does not hold: absolute pointers, objects, message values."""

    pointers: tuple[str, ...]
    objects: tuple[ObjectRef, ...]
    params: dict[str, object] = field(default_factory=dict)


DatasetCheck = Callable[["Context", Rule], Iterable[Finding]]

MESSAGE_CHECKS: dict[str, MessageCheck] = {}
DATASET_CHECKS: dict[str, DatasetCheck] = {}


def message_check(rule_id: str) -> Callable[[MessageCheck], MessageCheck]:
    def register(func: MessageCheck) -> MessageCheck:
        if rule_id in MESSAGE_CHECKS:
            raise ValueError(f"{rule_id} is registered twice")
        MESSAGE_CHECKS[rule_id] = func
        return func

    return register


def dataset_check(rule_id: str) -> Callable[[DatasetCheck], DatasetCheck]:
    def register(func: DatasetCheck) -> DatasetCheck:
        if rule_id in DATASET_CHECKS:
            raise ValueError(f"{rule_id} is registered twice")
        DATASET_CHECKS[rule_id] = func
        return func

    return register
