"""One self-contained HTML file for people: no scripts, no external resources.

It shows the run (target, versions, seed, digest), the summary, every check with its
outcome, and for every failure the request, an excerpt of the answer, a curl command
that repeats it and the rule explained in English or Dutch. It is rendered from the
JSON report, so it shows exactly what the JSON says (already masked).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

LABELS = {
    "en": {
        "title": "Edu-V conformance report",
        "target": "Target",
        "suite": "Suite version",
        "seed": "Seed",
        "started": "Started",
        "duration": "Duration",
        "requests": "Requests",
        "digest": "SHA-256 digest",
        "signed": "Signed with key",
        "verdict_pass": "PASSED: no check failed",
        "verdict_fail": "FAILED",
        "checks": "Checks",
        "failures": "Failures",
        "check": "Check",
        "what": "What it asserts",
        "outcome": "Outcome",
        "cites": "Tests",
        "why": "What the check asserts",
        "request": "Request",
        "answer": "Answer",
        "repeat": "Repeat with curl (set EDUV_TOKEN first)",
        "none": "No failures.",
        "masked": "Personal data and credentials are masked in this report.",
        "seconds": "s",
    },
    "nl": {
        "title": "Edu-V-conformiteitsrapport",
        "target": "Doel",
        "suite": "Versie van de suite",
        "seed": "Seed",
        "started": "Gestart",
        "duration": "Duur",
        "requests": "Verzoeken",
        "digest": "SHA-256-digest",
        "signed": "Ondertekend met sleutel",
        "verdict_pass": "GESLAAGD: geen controle faalde",
        "verdict_fail": "NIET GESLAAGD",
        "checks": "Controles",
        "failures": "Fouten",
        "check": "Controle",
        "what": "Wat ze toetst",
        "outcome": "Uitkomst",
        "cites": "Toetst",
        "why": "Wat de controle toetst",
        "request": "Verzoek",
        "answer": "Antwoord",
        "repeat": "Herhalen met curl (zet eerst EDUV_TOKEN)",
        "none": "Geen fouten.",
        "masked": "Persoonsgegevens en geheimen zijn gemaskeerd in dit rapport.",
        "seconds": "s",
    },
}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1b1b1b;
padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.pass{color:#176a24}.fail,.error{color:#b00020;font-weight:bold}.skip,.not-applicable{color:#666}
.verdict{font-size:1.3em;padding:.5em;border-radius:4px}
.verdict.ok{background:#e3f4e5}.verdict.bad{background:#fde7ea}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.failure{border-left:4px solid #b00020;padding-left:1em;margin:1.5em 0}
"""


def render(doc: Mapping[str, Any], lang: str = "en") -> str:
    t = LABELS.get(lang, LABELS["en"])
    parts = [
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(t['title'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(t['title'])}</h1>",
        _run(doc, t),
        _verdict(doc, t),
        _checks(doc, t, lang),
        _failures(doc, t, lang),
        f"<p><small>{escape(t['masked'])}</small></p></body></html>",
    ]
    return "\n".join(parts)


def _run(doc: Mapping[str, Any], t: Mapping[str, str]) -> str:
    run, integrity = doc["run"], doc.get("integrity", {})
    rows = [
        (t["target"], run["target"]),
        (t["suite"], run["suiteVersion"]),
        (t["seed"], str(run["seed"])),
        (t["started"], run["started"]),
        (t["duration"], f"{run['seconds']} {t['seconds']}"),
        (t["requests"], str(run["requests"])),
        (t["digest"], integrity.get("digest", "")),
    ]
    if integrity.get("kid"):
        rows.append((t["signed"], integrity["kid"]))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table id="run">{body}</table>'


def _verdict(doc: Mapping[str, Any], t: Mapping[str, str]) -> str:
    summary = doc["summary"]
    counts = ", ".join(f"{n} {escape(k)}" for k, n in summary["checks"].items() if n)
    if summary["passed"]:
        return f'<p id="verdict" class="verdict ok">{escape(t["verdict_pass"])} ({counts})</p>'
    failed = ", ".join(escape(c) for c in summary["failedChecks"])
    return (
        f'<p id="verdict" class="verdict bad">{escape(t["verdict_fail"])}: {failed} ({counts})</p>'
    )


def _checks(doc: Mapping[str, Any], t: Mapping[str, str], lang: str) -> str:
    rows = []
    for chk in doc["checks"]:
        title = chk.get("title", {}).get(lang, "")
        outcome = chk["outcome"]
        rows.append(
            f'<tr id="check-{escape(chk["id"])}"><td><code>{escape(chk["id"])}</code></td>'
            f"<td>{escape(title)}</td><td>{escape(', '.join(chk.get('cites', [])))}</td>"
            f'<td class="{escape(outcome)}">{escape(outcome)}</td></tr>'
        )
    columns = (t["check"], t["what"], t["cites"], t["outcome"])
    head = "<tr>" + "".join(f"<th>{escape(name)}</th>" for name in columns) + "</tr>"
    return f'<h2>{escape(t["checks"])}</h2><table id="checks">{head}{"".join(rows)}</table>'


def _failures(doc: Mapping[str, Any], t: Mapping[str, str], lang: str) -> str:
    specs = {c["id"]: c for c in doc["checks"]}
    failed = [r for r in doc["results"] if r["outcome"] in ("fail", "error")]
    if not failed:
        return f'<h2>{escape(t["failures"])}</h2><p id="failures">{escape(t["none"])}</p>'
    blocks = [_failure(r, specs.get(r["checkId"], {}), t, lang) for r in failed]
    return f'<h2>{escape(t["failures"])}</h2><div id="failures">{"".join(blocks)}</div>'


def _failure(
    result: Mapping[str, Any], chk: Mapping[str, Any], t: Mapping[str, str], lang: str
) -> str:
    where = " ".join(escape(result[k]) for k in ("api", "version", "subject") if result.get(k))
    title = escape(chk.get("title", {}).get(lang, ""))
    why = escape(chk.get("explanation", {}).get(lang, ""))
    details = "".join(f"<li>{escape(d)}</li>" for d in result["details"])
    evidence = "".join(_exchange(e, t) for e in result["evidence"])
    return (
        f'<div class="failure"><h3><code>{escape(result["checkId"])}</code> {title}</h3>'
        f'<p class="{escape(result["outcome"])}">{escape(result["outcome"])} {where}: '
        f"{escape(result['message'])}</p><p><b>{escape(t['why'])}:</b> {why}</p>"
        f"<ul>{details}</ul>{evidence}</div>"
    )


def _exchange(exchange: Mapping[str, Any], t: Mapping[str, str]) -> str:
    request = f"{exchange['method']} {exchange['url']}"
    if exchange.get("requestBody"):
        request += "\n\n" + exchange["requestBody"]
    status = exchange.get("status")
    headers = "\n".join(f"{k}: {v}" for k, v in exchange.get("responseHeaders", {}).items())
    answer = f"HTTP {status}\n{headers}\n\n{exchange.get('responseExcerpt') or ''}"
    return (
        f"<p><b>{escape(t['request'])}</b></p><pre>{escape(request)}</pre>"
        f"<p><b>{escape(t['answer'])}</b></p><pre>{escape(answer)}</pre>"
        f'<p><b>{escape(t["repeat"])}</b></p><pre class="curl">{escape(exchange["curl"])}</pre>'
    )


def write(doc: Mapping[str, Any], path: Path, lang: str = "en") -> None:
    path.write_text(render(doc, lang), encoding="utf-8")
