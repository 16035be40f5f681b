"""The one source of randomness the generators use.

Every generator takes a :class:`Chooser`. The bulk generator passes one backed by a
seeded :class:`random.Random`; the hypothesis strategies pass one backed by ``draw``,
so the same building code yields shrinkable examples.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int:
        """A whole number in [low, high]."""
        ...

    def chance(self, percent: int) -> bool:
        """True in about ``percent`` out of 100 cases (shrinks towards False)."""
        ...


def pick(chooser: Chooser, options: Sequence[T]) -> T:
    return options[chooser.integer(0, len(options) - 1)]


class RandomChooser:
    """A chooser driven by a seeded pseudo-random generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def chance(self, percent: int) -> bool:
        return self.random.random() * 100 < percent
