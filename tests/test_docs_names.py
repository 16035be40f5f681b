"""Every dotted eduv name the architecture document mentions exists."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.conftest import REPO

DOC = REPO / "docs" / "architecture.md"
NAME = re.compile(r"`(eduv(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(\))?`")


def _entry_point_groups() -> set[str]:
    """Groups of pyproject.toml: names the document may mention that are no modules."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["entry-points"])


def _names() -> list[str]:
    found = set(NAME.findall(DOC.read_text(encoding="utf-8")))
    return sorted(found - _entry_point_groups())


def _resolve(dotted: str) -> object:
    """The module a name is, or the attribute it names inside the longest importable module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def test_the_document_names_something() -> None:
    assert len(_names()) > 20


@pytest.mark.parametrize("dotted", _names())
def test_every_dotted_name_imports(dotted: str) -> None:
    assert _resolve(dotted) is not None
