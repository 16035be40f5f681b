"""The overview pages: the home page, every release, one API, one API version."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import orjson

from eduv import spec
from eduv.diff.kinds import label
from eduv.diff.render import word as diff_word
from eduv.docsite import content, paths
from eduv.docsite.html import Page, a, code, esc, facts, para, section, table
from eduv.docsite.words import word
from eduv.spec import Lang

CLASSES = ("breaking", "potentially-breaking", "non-breaking", "annotation")


@cache
def openapi(api: str, version: str) -> Any:
    """The version's OpenAPI document (its descriptions are the project's own)."""
    return orjson.loads(spec.openapi_path(api, version).read_bytes())


def home_page(lang: Lang) -> Page:
    here = paths.home(lang)
    rows = []
    for entry in spec.apis():
        av = spec.api_version(entry.id, entry.current)
        rows.append(
            [
                a(here, paths.api(lang, entry.id), entry.id),
                esc(entry.title),
                a(here, paths.version(lang, entry.id, entry.current), entry.current),
                a(here, paths.version(lang, entry.id, entry.previous), entry.previous),
                str(len(av.operations)),
                str(len(av.messages)),
            ]
        )
    head = ["api", "title", "current", "previous", "operations", "messages"]
    body = para(word(lang, "home-intro")) + table([word(lang, k) for k in head], rows)
    body += f"<p>{a(here, paths.releases(lang), word(lang, 'all-releases'))}</p>"
    return Page(here, lang, word(lang, "site"), body)


def releases_page(lang: Lang) -> Page:
    here = paths.releases(lang)
    rows = [
        row for entry in spec.apis() for row in _release_rows(here, lang, entry.id, with_api=True)
    ]
    body = table(_release_header(lang, with_api=True), rows)
    crumbs = [(word(lang, "all-releases"), here)]
    return Page(here, lang, word(lang, "all-releases"), body, crumbs)


def api_page(lang: Lang, api: str) -> Page:
    entry = spec.api(api)
    here = paths.api(lang, api)
    versions = "".join(
        f"<li>{a(here, paths.version(lang, api, v), v)} ({word(lang, k)})</li>"
        for v, k in ((entry.current, "is-current"), (entry.previous, "is-previous"))
    )
    info = openapi(api, entry.current)["info"]
    body = para(str(info.get("description", "")))
    body += section(word(lang, "versions"), f"<ul>{versions}</ul>")
    rows = list(_release_rows(here, lang, api, with_api=False))
    body += section(word(lang, "releases"), table(_release_header(lang, False), rows))
    return Page(here, lang, f"{entry.title} ({api})", body, [(api, here)])


def _release_header(lang: Lang, with_api: bool) -> list[str]:
    head = [word(lang, "version"), *(label("classes", c, lang) for c in CLASSES)]
    head += [diff_word("release", lang), diff_word("semver", lang), word(lang, "findings")]
    return ([word(lang, "api")] if with_api else []) + head


def _release_rows(here: str, lang: Lang, api: str, with_api: bool) -> Iterator[list[str]]:
    served = spec.api(api).versions
    for release in reversed(content.change_notes(api)):
        old, new = release["old"]["version"], release["new"]["version"]
        target = a(here, paths.version(lang, api, new), new) if new in served else esc(new)
        verdict = release["verdict"]
        cells = [f"{esc(old)} → {target}"]
        cells += [str(release["summary"][c]) for c in CLASSES]
        cells += [esc(diff_word(verdict["bump"], lang))]
        semver = verdict["semver"]
        cells += [f'<span class="{esc(semver)}">{esc(diff_word(semver, lang))}</span>']
        cells += [", ".join(code(f["id"]) for f in verdict["findings"]) or "-"]
        if with_api:
            cells.insert(0, a(here, paths.api(lang, api), api))
        yield cells


def version_page(lang: Lang, api: str, version: str) -> Page:
    av = spec.api_version(api, version)
    here = paths.version(lang, api, version)
    doc = openapi(api, version)
    which = "is-current" if version == spec.api(api).current else "is-previous"
    known = [
        [esc(word(lang, "version")), f"{esc(version)} ({esc(word(lang, which))})"],
        [esc(word(lang, "url")), code(f"/{api}/v{av.major}")],
        [esc(word(lang, "scopes")), ", ".join(code(s) for s in av.scopes) or "-"],
    ]
    body = para(str(doc["info"].get("description", ""))) + facts(known)
    body += section(word(lang, "operations"), _operations_table(here, lang, av), "operations")
    body += section(word(lang, "messages"), _messages_table(here, lang, av), "messages")
    body += section(word(lang, "deviations"), deviations_table(lang, api, version), "deviations")
    release = content.release_into(api, version)
    notes = release_html(lang, release) if release else para(word(lang, "no-changes-first"))
    body += section(word(lang, "changes"), notes, "changes")
    crumbs = [(api, paths.api(lang, api)), (version, here)]
    return Page(here, lang, f"{av.api} {version}", body, crumbs)


def _operations_table(here: str, lang: Lang, av: spec.ApiVersion) -> str:
    rows = [
        [
            f'<span class="method">{esc(op.method)}</span>',
            a(here, paths.operation(lang, av.api, av.version, op.operation_id), op.path),
            code(op.operation_id),
            esc(op.summary),
            ", ".join(code(s) for s in op.scopes) or "-",
        ]
        for op in av.operations
    ]
    head = ["method", "path", "operation", "summary", "scopes"]
    return table([word(lang, k) for k in head], rows)


def _messages_table(here: str, lang: Lang, av: spec.ApiVersion) -> str:
    rows = []
    for name in av.messages:
        schema = spec.schema(av.api, av.version, name)
        text = str(schema.get("description", ""))
        rows.append(
            [
                a(here, paths.message(lang, av.api, av.version, name), name),
                esc(spec.message_kind(av.api, av.version, name)),
                esc(_first_sentence(text)),
            ]
        )
    return table([word(lang, k) for k in ("message", "kind", "description")], rows)


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def deviations_table(lang: Lang, api: str, version: str, message: str | None = None) -> str:
    found = [
        d
        for d in content.deviations_for(api, version)
        if message is None or content.message_of(d["pointer"]) == message
    ]
    if not found:
        return para(word(lang, "no-deviations"))
    rows = [
        [
            code(d["pointer"]),
            esc(d["kind"]),
            code(_compact(d["official"])),
            code(_compact(d["ours"])),
            esc(d["reason"]),
        ]
        for d in found
    ]
    head = ["pointer", "kind", "official", "ours", "reason"]
    return table([word(lang, k) for k in head], rows)


def _compact(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def release_html(lang: Lang, release: Any) -> str:
    """One release: its verdict, the counts per class and every change."""
    verdict = release["verdict"]
    shared = verdict["sharedUrlMajor"]
    known = [
        [esc(diff_word("release", lang)), esc(diff_word(verdict["bump"], lang))],
        [esc(diff_word("needs", lang)), esc(diff_word(verdict["needed"], lang))],
        [esc(diff_word("semver", lang)), esc(diff_word(verdict["semver"], lang))],
        [esc(diff_word("shared", lang)), code(f"/v{shared}") if shared is not None else "-"],
    ]
    title = word(lang, "changes-from").format(old=verdict["old"], new=verdict["new"])
    out = f"<h3>{esc(title)}</h3>" + facts(known)
    for finding in verdict["findings"]:
        out += f'<p class="breach">{code(finding["id"])}: {esc(finding["message"][lang])}</p>'
    counts = ", ".join(
        f'<span class="{c}">{release["summary"][c]} {esc(label("classes", c, lang))}</span>'
        for c in CLASSES
    )
    out += f"<p>{counts}</p>"
    if not release["changes"]:
        return out + para(word(lang, "no-changes"))
    items = "".join(
        f'<li><span class="{esc(c["class"])}">{esc(label("classes", c["class"], lang))}</span> '
        f"{code(c['id'])}: {esc(c['message'][lang])}</li>"
        for c in release["changes"]
    )
    return out + f'<ul class="changes">{items}</ul>'
