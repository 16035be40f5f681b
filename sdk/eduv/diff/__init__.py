"""What changed between two versions of an API, how bad each change is, and whether the
version number says so.

>>> from eduv.diff import diff_versions
>>> result = diff_versions("association", "1.0.2", "1.1.0")
>>> result.verdict.bump
'minor'

Documents are compared in one internal form (OpenAPI 3.0 and 3.1 alike); each change
has a kind from ``spec/diff/1/kinds.json`` and the JSON form follows
``spec/diff/1/diff.json``.
"""

from __future__ import annotations

from eduv.diff.core import DiffResult, Side, diff_files, diff_versions
from eduv.diff.kinds import Change, Kind, Location, kinds
from eduv.diff.load import DiffInputError
from eduv.diff.verdict import Verdict

__all__ = [
    "Change",
    "DiffInputError",
    "DiffResult",
    "Kind",
    "Location",
    "Side",
    "Verdict",
    "diff_files",
    "diff_versions",
    "kinds",
]
