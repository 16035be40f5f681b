"""JSON pointers (RFC 6901): the one way eduv names a place inside a JSON document.

>>> pointer(["students", 0, "a/b"])
'/students/0/a~1b'
>>> tokens("/students/0/a~1b")
['students', '0', 'a/b']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def escape(token: str | int) -> str:
    """One reference token, escaped (``~`` first, so that ``/`` -> ``~1`` stays intact)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[str | int]) -> str:
    """A JSON pointer from path segments (keys and list indexes)."""
    return "".join("/" + escape(part) for part in parts)


def tokens(json_pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer; ``""`` (the whole document) has none."""
    if not json_pointer:
        return []
    if not json_pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {json_pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in json_pointer[1:].split("/")]


def resolve(document: Any, json_pointer: str) -> Any:
    """The value a pointer names; a missing member or index raises ``LookupError``."""
    node = document
    for token in tokens(json_pointer):
        if isinstance(node, list):
            if not token.isdigit():
                raise LookupError(f"{json_pointer}: {token!r} is not a list index")
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise LookupError(f"{json_pointer}: cannot step into a {type(node).__name__}")
    return node
