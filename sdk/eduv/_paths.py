"""Where the packaged specification lives."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def spec_root() -> Path:
    """The folder that holds ``index.json`` and the schema tree.

    A wheel carries the spec inside the package as ``eduv/_spec``; an editable
    install reads the repository's ``spec/`` folder, which is the source of truth.
    """
    packaged = Path(__file__).with_name("_spec")
    if (packaged / "index.json").is_file():
        return packaged
    source = Path(__file__).resolve().parents[2] / "spec"
    if (source / "index.json").is_file():
        return source
    raise FileNotFoundError(
        "the eduv specification was not found: neither the packaged eduv/_spec nor the "
        "source tree's spec/ folder holds an index.json; reinstall eduv"
    )
