"""Duplicate keys in JSON objects: found cheaply, located exactly.

RFC 8259 says the names in an object SHOULD be unique, and readers disagree on which
of two values counts (orjson, like Python's json, keeps the last). eduv reports every
repeated name as a warning with its JSON pointer.

orjson has no hook for repeated names, so the check has three steps, cheapest first.
:func:`suspect` writes the parsed value back with ``orjson.dumps``: a text of the
length orjson writes (the usual NDJSON, written by orjson or any compact writer)
repeats nothing, since a dropped member would make the written text shorter. The
blind spot of that step: a repeated member exactly made up for by numbers orjson
writes longer (``1e5`` as ``100000.0``). Otherwise colons decide: every name of an
object is followed by a colon outside strings, and a dropped duplicate takes its colon
(and any inside its value) with it, so the text read holds more colons than the text
written back. Strings keep their colons both ways; only an escaped colon
(``\\u003a``) appears in the written text alone, and a text holding one is always
suspect. Only a suspect text is read again by :func:`locate`, with Python's json and
an ``object_pairs_hook``, to find where.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from eduv.findings import Finding
from eduv.pointer import pointer
from eduv.spec import Lang
from eduv.validation._i18n import label


def suspect(raw: bytes, doc: Any) -> bool:
    """Whether the JSON text ``raw``, parsed as ``doc``, may repeat a name in an object."""
    try:
        written = orjson.dumps(doc)
    except (orjson.JSONEncodeError, TypeError):
        return True  # cannot be written back: let the exact reading decide
    if len(written) == len(raw):
        return False
    return raw.count(b":") > written.count(b":") or b"\\u003" in raw


class _Members(dict[str, Any]):
    """An object as read, with the names it repeated."""

    __slots__ = ("repeated",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        seen: set[str] = set()
        self.repeated: list[str] = []
        for name, _ in pairs:
            if name in seen and name not in self.repeated:
                self.repeated.append(name)
            seen.add(name)


def locate(raw: bytes | str) -> list[tuple[str, str]]:
    """(JSON pointer, name) of every repeated name, in document order."""
    try:
        doc = json.loads(raw, object_pairs_hook=_Members)
    except (ValueError, RecursionError):
        return []  # orjson read it; nothing better can be said here
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    while stack:  # iterative: nesting may be deeper than Python's recursion limit
        node, path = stack.pop()
        if isinstance(node, _Members):
            found.extend((pointer([*path, name]), name) for name in node.repeated)
            children: list[tuple[Any, tuple[str | int, ...]]] = [
                (value, (*path, name)) for name, value in node.items()
            ]
        elif isinstance(node, list):
            children = [(value, (*path, index)) for index, value in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))
    return found


def findings(raw: bytes | str, lang: Lang) -> list[Finding]:
    """A warning per repeated name, its pointer relative to the whole JSON text."""
    return [
        Finding(
            kind="protocol",
            message=label(lang, "duplicate_key", name=orjson.dumps(name).decode()),
            instance_path=where,
            severity="warning",
        )
        for where, name in locate(raw)
    ]
