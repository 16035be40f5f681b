"""Writing the whole site: both languages, every API version in the registry."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eduv import spec
from eduv.docsite import content, paths
from eduv.docsite.html import CSS, STYLE, Page, esc
from eduv.docsite.items import message_page, operation_page
from eduv.docsite.pages import api_page, home_page, releases_page, version_page
from eduv.docsite.search import SCRIPT, SEARCH_JS, Entry, index_js, index_script, search_page
from eduv.spec import LANGS, Lang

# A built site carries this file; only such a folder is ever emptied by a new build.
MARKER = ".eduv-docs"


class SiteError(ValueError):
    """The site cannot be written where it was asked to go."""


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    seconds: float


def build(out: Path) -> BuildResult:
    """Write the site into ``out`` (created; emptied first only if it holds a built site)."""
    started = time.perf_counter()
    _prepare(out)
    _write(out / CSS, STYLE)
    _write(out / SCRIPT, SEARCH_JS)
    count = 1
    _write(out / "index.html", _choose_language())
    for lang in LANGS:
        entries: list[Entry] = []
        for page, entry in _pages(lang):
            _write(out / page.path, page.render())
            count += 1
            if entry is not None:
                entries.append(entry)
        _write(out / index_script(lang), index_js(lang, entries))
    return BuildResult(out, count, time.perf_counter() - started)


def _pages(lang: Lang) -> Iterator[tuple[Page, Entry | None]]:
    yield home_page(lang), None
    yield releases_page(lang), None
    yield search_page(lang), None
    for api in spec.apis():
        yield api_page(lang, api.id), Entry(api.id, paths.api(lang, api.id), api.title)
        for version in api.versions:
            yield from _version_pages(lang, api.id, version)


def _version_pages(lang: Lang, api: str, version: str) -> Iterator[tuple[Page, Entry | None]]:
    where = f"{api} {version}"
    yield version_page(lang, api, version), Entry(where, paths.version(lang, api, version), api)
    for op in spec.operations(api, version):
        target = paths.operation(lang, api, version, op.operation_id)
        entry = Entry(op.operation_id, target, f"{where} · {op.method} {op.path}", op.summary)
        yield operation_page(lang, op), entry
    for message in spec.messages(api, version):
        names = " ".join(f.name for f in content.fields(spec.schema(api, version, message)))
        target = paths.message(lang, api, version, message)
        entry = Entry(
            message, target, f"{where} · {spec.message_kind(api, version, message)}", names
        )
        yield message_page(lang, api, version, message), entry


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SiteError(
                f"{out}: the folder is not empty and holds no built site; "
                "give an empty or new folder"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by eduv docs build\n", encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _choose_language() -> str:
    links = "".join(
        f'<li><a href="{lang}/index.html" hreflang="{lang}">{esc(label)}</a></li>'
        for lang, label in (("en", "English"), ("nl", "Nederlands"))
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Edu-V APIs · eduv</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{CSS}"></head><body><main><h1>Edu-V APIs</h1>'
        f"<ul>{links}</ul></main></body></html>\n"
    )
