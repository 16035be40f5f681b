"""The diff as text for a terminal, as JSON, and as markdown for release notes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import orjson

from eduv.diff.core import DiffResult
from eduv.diff.kinds import CLASSES, Change, label
from eduv.spec import Lang

_WORDS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "title": "{name}: changes from {old} to {new}",
        "verdict": "Verdict",
        "release": "release",
        "needs": "the changes need",
        "semver": "semantic versioning",
        "shared": "shared URL",
        "none": "none",
        "policy": "Versioning findings",
        "no-changes": "No changes.",
        "also": "also in",
        "summary": "{breaking} breaking, {potentially} potentially breaking, "
        "{non} non-breaking, {annotation} annotation only",
        "major": "major", "minor": "minor", "patch": "patch", "downgrade": "lower version",
        "unknown": "unknown", "ok": "kept", "breach": "broken", "exempt": "exempt (0.x)",
        "not-applicable": "not applicable",
    },
    "nl": {
        "title": "{name}: wijzigingen van {old} naar {new}",
        "verdict": "Oordeel",
        "release": "release",
        "needs": "de wijzigingen vragen",
        "semver": "semantic versioning",
        "shared": "gedeelde URL",
        "none": "geen",
        "policy": "Bevindingen over de versienummering",
        "no-changes": "Geen wijzigingen.",
        "also": "ook in",
        "summary": "{breaking} brekend, {potentially} mogelijk brekend, "
        "{non} niet brekend, {annotation} alleen annotatie",
        "major": "major", "minor": "minor", "patch": "patch", "downgrade": "lagere versie",
        "unknown": "onbekend", "ok": "nageleefd", "breach": "geschonden",
        "exempt": "vrijgesteld (0.x)", "not-applicable": "niet van toepassing",
    },
}  # fmt: skip


def word(key: str, lang: Lang) -> str:
    return _WORDS[lang].get(key, key)


def title(result: DiffResult, lang: Lang) -> str:
    name = result.api or result.new.title or result.new.source
    return word("title", lang).format(name=name, old=result.old.version, new=result.new.version)


def summary(result: DiffResult, lang: Lang) -> str:
    counts = result.counts()
    return word("summary", lang).format(
        breaking=counts["breaking"],
        potentially=counts["potentially-breaking"],
        non=counts["non-breaking"],
        annotation=counts["annotation"],
    )


def verdict_facts(result: DiffResult, lang: Lang) -> list[tuple[str, str]]:
    """The verdict as (label, value) rows."""
    v = result.verdict
    shared = f"/v{v.shared_major}" if v.shared_major is not None else word("none", lang)
    return [
        (word("release", lang), word(v.bump, lang)),
        (word("needs", lang), word(v.needed, lang)),
        (word("semver", lang), word(v.semver, lang)),
        (word("shared", lang), shared),
    ]


def grouped(result: DiffResult) -> Iterator[tuple[str, list[Change]]]:
    for cls in CLASSES:
        found = [c for c in result.changes if c.cls == cls]
        if found:
            yield cls, found


def to_json(result: DiffResult) -> bytes:
    return orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2) + b"\n"


def text_lines(result: DiffResult, lang: Lang) -> Iterator[tuple[str, str]]:
    """(style, line) pairs; the style is a rich style name or empty."""
    styles = {"breaking": "bold red", "potentially-breaking": "yellow", "non-breaking": "green"}
    yield "bold", title(result, lang)
    yield "", "; ".join(f"{k}: {v}" for k, v in verdict_facts(result, lang))
    for cls, changes in grouped(result):
        yield styles.get(cls, "dim"), f"\n{label('classes', cls, lang).upper()} ({len(changes)})"
        for change in changes:
            yield "", f"  {change.id}  {change.message(lang)}"
    if not result.changes:
        yield "", word("no-changes", lang)
    if result.verdict.findings:
        yield "bold red", f"\n{word('policy', lang)}"
        for finding in result.verdict.findings:
            yield "red", f"  {finding.id}: {finding.message(lang)}"
    yield "", "\n" + summary(result, lang)


def code(text: str) -> str:
    """A markdown code span that survives backticks inside the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown(result: DiffResult, lang: Lang, level: int = 1) -> str:
    return "\n".join(markdown_lines(result, lang, level)) + "\n"


def markdown_lines(result: DiffResult, lang: Lang, level: int = 1) -> Iterator[str]:
    head = "#" * level
    yield f"{head} {title(result, lang)}"
    yield ""
    yield from _table([word("verdict", lang), ""], [[k, v] for k, v in verdict_facts(result, lang)])
    yield ""
    yield summary(result, lang) + "."
    for finding in result.verdict.findings:
        yield ""
        yield f"> **{finding.id}**: {finding.message(lang)}"
    for cls, changes in grouped(result):
        yield ""
        yield f"{head}# {label('classes', cls, lang).capitalize()} ({len(changes)})"
        yield ""
        for change in changes:
            yield f"- {code(change.id)}: {change.message(lang, code)}" + _also(change, lang)


def _also(change: Change, lang: Lang) -> str:
    if not change.also:
        return ""
    places = ", ".join(code(f"{loc.method} {loc.path}") for loc in change.also)
    return f" ({word('also', lang)} {places})"


def _table(header: list[str], rows: list[list[str]]) -> Iterator[str]:
    yield "| " + " | ".join(header) + " |"
    yield "|" + "|".join(" --- " for _ in header) + "|"
    for row in rows:
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"


def render(result: DiffResult, fmt: str, lang: Lang) -> bytes:
    """The whole output in one format (text without colour)."""
    if fmt == "json":
        return to_json(result)
    if fmt == "markdown":
        return markdown(result, lang).encode()
    return ("\n".join(line for _, line in text_lines(result, lang)) + "\n").encode()
