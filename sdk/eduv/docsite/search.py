"""A search that works from the file system: the index is a script that sets one global
(``fetch`` of a local JSON file is refused by browsers on ``file://``), and the search
page reads its query from the URL."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from eduv.docsite.html import Page, esc, rel
from eduv.docsite.words import word
from eduv.spec import Lang

SCRIPT = "assets/search.js"


def index_script(lang: Lang) -> str:
    return f"assets/search-{lang}.js"


@dataclass(frozen=True)
class Entry:
    title: str
    target: str  # page path from the site root
    context: str  # what and where, shown under the title
    words: str = ""  # more to match on (field names, paths)


def index_js(lang: Lang, entries: list[Entry]) -> str:
    """The index for one language; links are relative to the search page."""
    here = f"{lang}/search.html"
    rows = [
        {
            "t": e.title,
            "u": rel(here, e.target),
            "d": e.context,
            "h": f"{e.title} {e.context} {e.words}".lower(),
        }
        for e in entries
    ]
    return "window.EDUV_SEARCH = " + orjson.dumps(rows).decode() + ";\n"


def search_page(lang: Lang) -> Page:
    here = f"{lang}/search.html"
    body = (
        f'<form action="{esc(rel(here, here))}" method="get">'
        f'<input id="q" type="search" name="q" '
        f'placeholder="{esc(word(lang, "search-placeholder"))}">'
        f'<button type="submit">{esc(word(lang, "search"))}</button></form>'
        f'<p id="hint">{esc(word(lang, "search-hint"))}</p>'
        f'<p id="empty" hidden>{esc(word(lang, "search-none"))}</p>'
        '<ol id="results" class="results"></ol>'
        f'<script src="{esc(rel(here, index_script(lang)))}"></script>'
        f'<script src="{esc(rel(here, SCRIPT))}"></script>'
    )
    return Page(here, lang, word(lang, "search"), body, [(word(lang, "search"), here)])


SEARCH_JS = """(function () {
  "use strict";
  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  var box = document.getElementById("q");
  var list = document.getElementById("results");
  var empty = document.getElementById("empty");
  var hint = document.getElementById("hint");
  box.value = query;
  var words = query.toLowerCase().split(/\\s+/).filter(Boolean);
  if (!words.length) { return; }
  hint.hidden = true;
  var hits = (window.EDUV_SEARCH || []).filter(function (entry) {
    return words.every(function (w) { return entry.h.indexOf(w) >= 0; });
  });
  function score(entry) {
    var title = entry.t.toLowerCase();
    return words.reduce(function (sum, w) {
      return sum + (title === w ? 4 : title.indexOf(w) >= 0 ? 2 : 0);
    }, 0);
  }
  hits.sort(function (a, b) { return score(b) - score(a) || a.t.localeCompare(b.t); });
  hits.slice(0, 200).forEach(function (entry) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = entry.u;
    link.textContent = entry.t;
    var where = document.createElement("small");
    where.textContent = " " + entry.d;
    item.appendChild(link);
    item.appendChild(where);
    list.appendChild(item);
  });
  empty.hidden = hits.length > 0;
})();
"""
