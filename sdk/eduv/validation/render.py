"""The report as text, JSON or JUnit XML (for CI systems that show test results)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import orjson

from eduv.findings import Finding, InputError
from eduv.validation._i18n import label
from eduv.validation.report import Item, Report

# C0 and C1 control characters, DEL, and the bidirectional overrides and isolates that
# reorder what a terminal shows: none of them may reach a terminal from input data.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``), safe for a terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def to_json(report: Report) -> bytes:
    return orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2) + b"\n"


def _where(item: Item) -> str:
    where = item.source or "<value>"
    if item.line is not None:
        where += f":{item.line}"
    if item.location:
        where += f" {item.location}"
    return where


def _finding_line(finding: Finding) -> str:
    path = finding.instance_path or "/"
    tag = finding.rule or finding.schema_location or finding.kind
    if finding.source_kind is not None:
        # Why a rule is a warning at most: what it rests on (see `eduv rules show`).
        tag += f", {finding.source_kind}"
    severity = "" if finding.severity == "error" else f"{finding.severity}: "
    return f"  {severity}{path}: {finding.message} [{tag}]"


def text_lines(report: Report) -> Iterator[tuple[str, str]]:
    """(style, line) pairs: the style is a rich style name or empty.

    File names and quoted values come from the input: their control characters are
    escaped, so that no escape sequence reaches the terminal (JSON output stays exact).
    """
    for style, line in _text_lines(report):
        yield style, printable(line)


def _text_lines(report: Report) -> Iterator[tuple[str, str]]:
    lang = report.lang
    for item in report.items:
        what = " ".join(p for p in (item.api, item.version, item.message) if p)
        what = what or label(lang, "json_text")
        if item.detected:
            what += f" ({label(lang, 'detected')})"
        status = label(
            lang, "valid" if not item.findings else "invalid" if not item.valid else "warnings"
        )
        yield ("red" if not item.valid else "yellow", f"{_where(item)}: {what}: {status}")
        for finding in item.findings:
            yield ("", _finding_line(finding))
    for error in report.input_errors:
        yield ("red", f"{label(lang, 'input_error')}: {error}")
    yield from _judged_lines(report)
    if report.truncated:
        yield ("yellow", label(lang, "truncated", count=report.truncated))
    if not report.rules:
        yield ("dim", label(lang, "rules_off"))
    summary = label(
        lang,
        "summary",
        messages=report.messages,
        valid=report.messages - report.invalid,
        invalid=report.invalid,
        skipped=report.skipped,
        input_errors=report.input_error_count,
    )
    yield ("green" if report.valid else "red", summary)


# Beyond this many datasets, the days they were judged on are told once per distinct
# range: a folder of 8,000 school files would otherwise start its summary with 8,000
# lines that mostly say the same (the JSON report keeps them per source).
JUDGED_LINES = 10


def _judged_lines(report: Report) -> Iterator[tuple[str, str]]:
    lang = report.lang
    judged = [(s.source, s.judged.describe(lang)) for s in report.sources if s.judged]
    if len(judged) <= JUDGED_LINES:
        for source, text in judged:
            yield ("dim", f"{source}: {text}")
        return
    counts: dict[str, int] = {}
    for _, text in judged:
        counts[text] = counts.get(text, 0) + 1
    for text, count in counts.items():
        yield ("dim", label(lang, "judged_many", count=f"{count:,}", judged=text))


def _failure_text(findings: list[Finding]) -> str:
    return "\n".join(_finding_line(f).strip() for f in findings)


def _testcase(suite: ET.Element, item: Item) -> None:
    name = item.location or (f"line {item.line}" if item.line is not None else item.message or "-")
    case = ET.SubElement(
        suite, "testcase", name=name, classname=f"{item.api or ''}.{item.message or ''}"
    )
    errors = [f for f in item.findings if f.severity == "error"]
    if errors:
        failure = ET.SubElement(case, "failure", message=errors[0].message, type=errors[0].kind)
        failure.text = _failure_text(item.findings)
    else:
        ET.SubElement(case, "system-out").text = _failure_text(item.findings)


def _input_case(suite: ET.Element, error: InputError) -> None:
    case = ET.SubElement(suite, "testcase", name=str(error), classname="input")
    ET.SubElement(case, "error", message=error.message, type="input").text = str(error)


def _printable_tree(root: ET.Element) -> None:
    """Escape control characters from the input: XML 1.0 cannot hold them at all."""
    for element in root.iter():
        for key, value in element.attrib.items():
            element.set(key, printable(value))
        if element.text:
            element.text = "\n".join(printable(line) for line in element.text.split("\n"))


def to_junit(report: Report) -> bytes:
    """One test suite per source: a case per message with findings, one for the rest."""
    root = ET.Element("testsuites", name="eduv validate")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for summary in report.sources:
        suite = ET.SubElement(root, "testsuite", name=summary.source)
        if summary.judged is not None:
            properties = ET.SubElement(suite, "properties")
            judged = summary.judged.describe(report.lang)
            ET.SubElement(properties, "property", name="judged", value=judged)
        items = [i for i in report.items if i.source == summary.source]
        errors = [e for e in report.input_errors if e.source == summary.source]
        for item in items:
            _testcase(suite, item)
        for error in errors:
            _input_case(suite, error)
        clean = summary.messages - len(items)
        if clean > 0:
            ET.SubElement(
                suite, "testcase", name=f"{clean} messages without findings", classname="valid"
            )
        counts = {
            "tests": len(items) + len(errors) + (1 if clean > 0 else 0),
            "failures": sum(1 for i in items if not i.valid),
            "errors": len(errors),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    _printable_tree(root)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
