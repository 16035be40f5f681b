"""Small HTML building blocks: every page is a file, and every link is relative, so the
site works from the file system as well as from any URL prefix."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

import orjson

from eduv.docsite.words import word
from eduv.spec import Lang
from eduv.version import __version__

CSS = "assets/site.css"


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def rel(here: str, target: str) -> str:
    """A link from the page ``here`` to ``target``; both are paths from the site root."""
    base, _, anchor = target.partition("#")
    path = posixpath.relpath(base, posixpath.dirname(here) or ".") if base else ""
    return f"{path}#{anchor}" if anchor else path


def a(here: str, target: str, text: str, cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(rel(here, target))}"{extra}>{esc(text)}</a>'


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def pre(value: object) -> str:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    return f'<pre class="json">{esc(text)}</pre>'


def table(header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """A table whose cells are HTML already (escape text before passing it)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    extra = f' class="{cls}"' if cls else ""
    return f"<table{extra}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def facts(rows: Iterable[Sequence[str]]) -> str:
    """A two-column table of labelled facts, without a header row."""
    body = "".join(f"<tr><th>{r[0]}</th><td>{r[1]}</td></tr>" for r in rows)
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def section(title: str, body: str, anchor: str = "") -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{esc(title)}</h2>{body}</section>"


def para(text: str, cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f"<p{extra}>{esc(text)}</p>"


@dataclass
class Page:
    """One file of the site: where it goes, its title, its breadcrumbs and its content."""

    path: str
    lang: Lang
    title: str
    body: str
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (label, target path)

    def other_lang(self) -> str:
        other = "nl" if self.lang == "en" else "en"
        return other + self.path[len(self.lang) :]

    def render(self) -> str:
        home = f"{self.lang}/index.html"
        crumbs = " › ".join(
            [a(self.path, home, word(self.lang, "site"))]
            + [a(self.path, target, label) for label, target in self.crumbs]
        )
        search = rel(self.path, f"{self.lang}/search.html")
        note = word(self.lang, "english-only")
        return (
            f'<!doctype html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)} · eduv</title>"
            '<link rel="icon" href="data:,">'
            f'<link rel="stylesheet" href="{esc(rel(self.path, CSS))}"></head><body>'
            f'<header><nav class="crumbs">{crumbs}</nav>'
            f'<form class="search" action="{esc(search)}" method="get">'
            f'<input type="search" name="q" aria-label="{esc(word(self.lang, "search"))}" '
            f'placeholder="{esc(word(self.lang, "search-placeholder"))}">'
            f'<button type="submit">{esc(word(self.lang, "search"))}</button></form>'
            f'<a class="lang" hreflang="{self.other_lang()[:2]}" '
            f'href="{esc(rel(self.path, self.other_lang()))}">'
            f"{esc(word(self.lang, 'other-lang'))}</a>"
            f"</header><main><h1>{esc(self.title)}</h1>"
            + (para(note, "note") if note else "")
            + self.body
            + f"</main><footer>{esc(word(self.lang, 'generated').format(version=__version__))}"
            "</footer></body></html>\n"
        )


STYLE = """
:root { --ink: #1d2330; --muted: #5b6474; --line: #d8dde6; --accent: #0b5cad;
  --bad: #a4161a; --warn: #8a5a00; --good: #1b6e3a; --bg: #fbfcfe; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center;
  padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); background: #fff; }
header .crumbs { flex: 1 1 24rem; }
header form { display: flex; gap: .3rem; }
header input { width: 16rem; padding: .25rem .4rem; border: 1px solid var(--line); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer { color: var(--muted); font-size: 13px; padding: 1rem 1.5rem;
  border-top: 1px solid var(--line); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; margin: .6rem 0 1rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
th { background: #eef2f7; font-weight: 600; }
table.facts { width: auto; } table.facts th { background: none; padding-right: 2rem; }
code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: #f1f4f9; padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; }
.note { color: var(--muted); font-style: italic; }
.method { font-weight: 700; font-family: ui-monospace, monospace; }
.breaking, .error, .breach { color: var(--bad); font-weight: 600; }
.potentially-breaking, .warning { color: var(--warn); font-weight: 600; }
.non-breaking, .ok { color: var(--good); }
.annotation, .exempt, .muted { color: var(--muted); }
ul.changes li { margin: .2rem 0; }
ol.results li { margin: .4rem 0; } ol.results small { color: var(--muted); }
"""
