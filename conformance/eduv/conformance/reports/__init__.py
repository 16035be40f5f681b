"""Reports of a run: console, JSON (with digest and signature), JUnit XML and HTML.

Every format is rendered from the one JSON document (:func:`json_report.build`), which
is masked as a whole before anything is written: what one format shows, every format
shows, and none shows more.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eduv.conformance.baseline import Baseline
from eduv.conformance.reports import html, json_report, junit
from eduv.conformance.runner import Run


@dataclass(frozen=True, slots=True)
class Written:
    json: Path
    junit: Path
    html: Path
    doc: dict[str, Any]


def document(
    run: Run, sign_key: str | None = None, baseline: Baseline | None = None
) -> dict[str, Any]:
    """The sealed (and, with a key, signed) report document."""
    return json_report.seal(json_report.build(run, baseline), sign_key)


def write_all(
    run: Run, folder: Path, sign_key: str | None = None, baseline: Baseline | None = None
) -> Written:
    """Write report.json, junit.xml and report.html into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = document(run, sign_key, baseline)
    paths = Written(folder / "report.json", folder / "junit.xml", folder / "report.html", doc)
    json_report.write(doc, paths.json)
    junit.write(doc, paths.junit)
    html.write(doc, paths.html, run.info.lang)
    return paths
