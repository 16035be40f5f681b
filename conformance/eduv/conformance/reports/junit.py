"""JUnit XML: one test suite per mode, one test case per result, for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from eduv.conformance.model import Outcome, Result
from eduv.conformance.runner import Run


def _name(result: Result) -> str:
    parts = [p for p in (result.api, result.version, result.subject) if p]
    return " ".join(parts) or "run"


def build(run: Run) -> ET.Element:
    root = ET.Element("testsuites", name="eduv conformance", time=str(run.info.seconds))
    by_mode: dict[str, list[Result]] = {}
    for result in run.results:
        spec = run.checks.get(result.check_id)
        by_mode.setdefault(spec.mode if spec else "other", []).append(result)
    for mode, results in by_mode.items():
        suite = ET.SubElement(root, "testsuite", name=mode, tests=str(len(results)))
        counts = {o: 0 for o in Outcome}
        for result in results:
            counts[result.outcome] += 1
            _case(suite, run, result)
        suite.set("failures", str(counts[Outcome.FAIL]))
        suite.set("errors", str(counts[Outcome.ERROR]))
        suite.set("skipped", str(counts[Outcome.SKIP] + counts[Outcome.NOT_APPLICABLE]))
    return root


def _case(suite: ET.Element, run: Run, result: Result) -> None:
    case = ET.SubElement(suite, "testcase", classname=result.check_id, name=_name(result))
    spec = run.checks.get(result.check_id)
    title = spec.title.get(run.info.lang) if spec else result.check_id  # type: ignore[arg-type]
    text = "\n".join([result.message, *result.details, *(e.curl for e in result.evidence)])
    if result.outcome is Outcome.FAIL:
        ET.SubElement(case, "failure", message=f"{title}: {result.message}").text = text
    elif result.outcome is Outcome.ERROR:
        ET.SubElement(case, "error", message=result.message).text = text
    elif result.outcome in (Outcome.SKIP, Outcome.NOT_APPLICABLE):
        ET.SubElement(case, "skipped", message=f"{result.outcome.value}: {result.message}")
    if result.known_issue:
        ET.SubElement(case, "system-out").text = result.known_issue


def write(run: Run, path: Path) -> None:
    tree = ET.ElementTree(build(run))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
