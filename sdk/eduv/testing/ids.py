"""Identifiers in the formats the Dutch registries and Edu-V use.

All of them come from one seeded generator per dataset, so that a dataset is fully
determined by its seed and identifiers never collide by accident.
"""

from __future__ import annotations

import random
import string
import uuid


class Ids:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._used: set[str] = set()

    def _unique(self, code: str) -> bool:
        if code in self._used:
            return False
        self._used.add(code)
        return True

    def _digits(self, count: int) -> str:
        return "".join(self._random.choice(string.digits) for _ in range(count))

    def _letters(self, count: int) -> str:
        return "".join(self._random.choice(string.ascii_uppercase) for _ in range(count))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def eck_id(self) -> str:
        """A production-series ECK iD: the URI prefix and 128 hexadecimal characters."""
        return f"https://ketenid.nl/201703/{self._random.getrandbits(512):0128x}"

    def rio(self, letter: str) -> str:
        """A RIO code: three digits, a type letter (A, B, X), three digits."""
        while True:
            code = f"{self._digits(3)}{letter}{self._digits(3)}"
            if self._unique(code):
                return code

    def brin4(self) -> str:
        while True:
            code = f"{self._digits(2)}{self._letters(2)}"
            if self._unique(code):
                return code

    def bevoegd_gezag(self) -> str:
        while True:
            code = self._digits(5)
            if self._unique("BG" + code):
                return code

    def opleidingseenheid(self) -> str:
        """A RIO opleidingseenheidcode: four digits, the letter O, four digits."""
        return f"{self._digits(4)}O{self._digits(4)}"

    def number(self, digits: int) -> str:
        """A number for student and staff keys (not unique by itself)."""
        return self._digits(digits)

    @staticmethod
    def level_uuid(prefix: int) -> str:
        """A stable lowercase UUID per SLO level prefix (real SLO ids are not bundled)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://eduv.dev/slo-level/{prefix}"))
