"""Message templates: ``{placeholders}`` filled in from named values.

A placeholder without a value renders as ``<name?>`` instead of failing: a missing
detail must never hide the finding it belongs to, and the gap stays visible (and
findable by tests) rather than reading as a value.
"""

from __future__ import annotations

import string
from collections.abc import Mapping


class _Gaps(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return f"<{key}?>"


_FORMATTER = string.Formatter()


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with its ``{placeholders}`` filled in from ``values``."""
    return _FORMATTER.vformat(template, (), _Gaps(values))
