"""A static documentation site of every Edu-V API version in the registry.

>>> from pathlib import Path
>>> from eduv.docsite import build
>>> result = build(Path("site"))  # doctest: +SKIP

English and Dutch, offline (no external assets), usable from the file system: every
link is relative and the search index is a script. Per API version: operations,
messages with fields, types, requiredness and scopes, valid examples, invalid examples
with the errors they give, the rules that apply, the deviations from the official text
and the changes since the previous official version.
"""

from __future__ import annotations

from eduv.docsite.build import BuildResult, SiteError, build
from eduv.docsite.serve import docs_app

__all__ = ["BuildResult", "SiteError", "build", "docs_app"]
