"""Reports of a run: console, JSON (with digest and signature), JUnit XML and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eduv.conformance.reports import html, json_report, junit
from eduv.conformance.runner import Run


@dataclass(frozen=True, slots=True)
class Written:
    json: Path
    junit: Path
    html: Path
    doc: dict[str, Any]


def write_all(run: Run, folder: Path, sign_key: str | None = None) -> Written:
    """Write report.json, junit.xml and report.html into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = json_report.seal(json_report.build(run), sign_key)
    paths = Written(folder / "report.json", folder / "junit.xml", folder / "report.html", doc)
    json_report.write(doc, paths.json)
    junit.write(run, paths.junit)
    html.write(doc, paths.html, run.info.lang)
    return paths
