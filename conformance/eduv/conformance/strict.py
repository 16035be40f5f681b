"""Strict TOML files: a key the file's format does not know is an error, never ignored.

A misspelt key that is silently ignored changes the run without a word (a school meant
to have no consent is tested as one that has it), so every key is checked against the
keys its table knows. The error names the key, the file and line, and the nearest
known key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r'^\s*(?:"([^"]+)"|\'([^\']+)\'|([A-Za-z0-9_-]+))\s*[.=]')


class UnknownKeyError(ValueError):
    """A key the format does not know; the message says where and what was meant."""


def check(
    doc: Mapping[str, Any], known: Mapping[str, frozenset[str]], source: str, text: str
) -> None:
    """Refuse the first unknown key of ``doc``; ``known`` maps dotted table names
    (``""`` for the top level) to their keys. Tables ``known`` does not list (free-form
    maps such as the per-API URLs) are not checked."""
    for table, index, key in _unknown(doc, known, ""):
        allowed = sorted(known[table])
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        line = line_of(text, table, index, key)
        where = f"{source}:{line}" if line else source
        place = _describe(table, index)
        hint = f"; did you mean {near[0]!r}" if near else ""
        raise UnknownKeyError(
            f"{where}: unknown key {key!r} {place}{hint}. Known keys: {', '.join(allowed)}"
        )


def _describe(table: str, index: int | None) -> str:
    if not table:
        return "at the top level"
    if index is None:
        return f"in [{table}]"
    return f"in [[{table}]] (entry {index + 1})"


def _unknown(
    doc: Mapping[str, Any],
    known: Mapping[str, frozenset[str]],
    table: str,
    index: int | None = None,
) -> Iterator[tuple[str, int | None, str]]:
    allowed = known.get(table)
    if allowed is None:
        return
    for key, value in doc.items():
        if key not in allowed:
            yield table, index, key
            continue
        child = f"{table}.{key}" if table else key
        if isinstance(value, Mapping):
            yield from _unknown(value, known, child)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for position, item in enumerate(value):
                yield from _unknown(item, known, child, position)


def line_of(text: str, table: str, index: int | None, key: str) -> int | None:
    """The line of ``key`` in ``table`` (entry ``index`` of an array of tables)."""
    current: tuple[str, int | None] = ("", None)
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip()
            if header.group(1) == "[[":
                seen[name] = seen.get(name, -1) + 1
                current = (name, seen[name])
            else:
                current = (name, None)
            if not table and (name == key or name.startswith(key + ".")):
                return number
            continue
        found = _KEY.match(line)
        if found and current == (table, index):
            name = found.group(1) or found.group(2) or found.group(3)
            if name == key:
                return number
    return None
