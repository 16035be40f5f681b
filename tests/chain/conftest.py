"""Shared helpers for the chain tests: the official texts and a check that prose is our own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import REFERENCE
from tests.sdk.conftest import cli
from tests.spec.parity import read_official

# The command runner of the command-line tests, shared with the chain's tests.
__all__ = ["cli"]

_TOKEN = re.compile(r"[a-z0-9]+")
NGRAM = 8


@cache
def official(api: str, version: str) -> Any:
    """One official OpenAPI document, read with YAML 1.2 semantics."""
    return read_official(REFERENCE / "edu-v-openapi" / api / f"{version}.yaml")


def resolve(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield value
            else:
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def grams(text: str) -> set[tuple[str, ...]]:
    words = _TOKEN.findall(text.lower())
    return {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


@cache
def official_grams(reference: Path) -> frozenset[tuple[str, ...]]:
    """Every run of eight words in the prose of the official documents."""
    found: set[tuple[str, ...]] = set()
    for path in (reference / "edu-v-openapi").glob("*/*.yaml"):
        for text in _strings(read_official(path)):
            found |= grams(text)
    return frozenset(found)


def copied(text: str, reference: Path) -> list[str]:
    """Eight-word runs that ``text`` shares with the official prose."""
    shared = grams(text) & official_grams(reference)
    return sorted(" ".join(g) for g in shared)
