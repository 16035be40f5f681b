"""JUnit XML: one test suite per mode, one test case per result, for CI systems.

Rendered from the (masked) JSON report: a failed case lists its findings with where
each was seen and the curl line that repeats the request.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eduv.conformance.reports.text import finding_lines

Doc = Mapping[str, Any]


def _name(result: Mapping[str, Any]) -> str:
    parts = [result[k] for k in ("api", "version", "subject") if result.get(k)]
    return " ".join(parts) or "run"


def build(doc: Doc) -> ET.Element:
    run = doc["run"]
    root = ET.Element("testsuites", name="eduv conformance", time=str(run["seconds"]))
    modes = {c["id"]: c.get("mode", "other") for c in doc["checks"]}
    by_mode: dict[str, list[Mapping[str, Any]]] = {}
    for result in doc["results"]:
        by_mode.setdefault(modes.get(result["checkId"], "other"), []).append(result)
    for mode, results in by_mode.items():
        suite = ET.SubElement(root, "testsuite", name=mode, tests=str(len(results)))
        counts: dict[str, int] = {}
        for result in results:
            counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
            _case(suite, doc, result)
        suite.set("failures", str(counts.get("fail", 0)))
        suite.set("errors", str(counts.get("error", 0)))
        suite.set("skipped", str(counts.get("skip", 0) + counts.get("not-applicable", 0)))
    return root


def _case(suite: ET.Element, doc: Doc, result: Mapping[str, Any]) -> None:
    check_id = result["checkId"]
    case = ET.SubElement(suite, "testcase", classname=check_id, name=_name(result))
    lang = doc["run"].get("lang", "en")
    chk: Mapping[str, Any] = next((c for c in doc["checks"] if c["id"] == check_id), {})
    title = chk.get("title", {}).get(lang, check_id)
    lines = [result["message"], *finding_lines(doc, result, limit=50)]
    text = "\n".join(lines)
    outcome = result["outcome"]
    if outcome == "fail":
        ET.SubElement(case, "failure", message=f"{title}: {result['message']}").text = text
    elif outcome == "error":
        ET.SubElement(case, "error", message=result["message"]).text = text
    elif outcome in ("skip", "not-applicable"):
        ET.SubElement(case, "skipped", message=f"{outcome}: {result['message']}")
    elif result.get("findings"):
        ET.SubElement(case, "system-out").text = text
    if result.get("knownIssue"):
        ET.SubElement(case, "system-err").text = result["knownIssue"]


def write(doc: Doc, path: Path) -> None:
    tree = ET.ElementTree(build(doc))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
