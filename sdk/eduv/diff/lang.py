"""The language type of eduv.diff and eduv.docsite, taken from one place.

``Lang`` is defined once for the whole project; when it moves, only this import changes.
"""

from __future__ import annotations

from eduv._i18n import LANGS, Lang

__all__ = ["LANGS", "Lang"]
