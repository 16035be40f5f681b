"""Findings as plain lines, the same in the console, JUnit XML and the pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Doc = Mapping[str, Any]


def findings_of(doc: Doc, result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    by_print = {f["fingerprint"]: f for f in doc.get("findings", [])}
    found = [by_print[p] for p in result.get("findings", []) if p in by_print]
    # Errors first, then new ones (against a baseline), then the rest.
    return sorted(
        found,
        key=lambda f: (f["severity"] != "error", f.get("baseline") != "new", f["fingerprint"]),
    )


def place(found: Mapping[str, Any]) -> str:
    """Where a finding was seen, in a few words."""
    parts = [found.get("operation"), found.get("component"), found.get("objectId")]
    where = " ".join(str(p) for p in parts if p)
    pointer = found.get("pointer") or found.get("at")
    if pointer:
        where += f" at {pointer}"
    return where


def finding_line(found: Mapping[str, Any]) -> str:
    mark = "" if found["severity"] == "error" else f"{found['severity']}: "
    if found.get("knownIssue"):
        mark = "excused: "
    status = f" [{found['baseline']}]" if found.get("baseline") else ""
    count = f" (seen {found['count']} times)" if found.get("count", 1) > 1 else ""
    where = place(found)
    return (
        f"{mark}{found['message']}{count}{status}"
        + (f"\n      where: {where}" if where else "")
        + f"\n      fingerprint: {found['fingerprint']}"
    )


def finding_lines(doc: Doc, result: Mapping[str, Any], limit: int = 10) -> Iterator[str]:
    """Each finding of ``result``: its sentence, where, fingerprint, and how to repeat it."""
    found = findings_of(doc, result)
    exchanges = doc.get("exchanges", {})
    told: set[str] = set()  # how to get a token is said once, not before every curl
    for item in found[:limit]:
        yield "  - " + finding_line(item)
        exchange = exchanges.get(item.get("exchange", ""))
        if exchange:
            command = exchange.get("tokenCommand")
            if command and command not in told:
                told.add(command)
                yield f"      $ {command}"
            yield f"      $ {exchange['curl']}"
    if len(found) > limit:
        yield f"  ... and {len(found) - limit} more finding(s) in report.json"
