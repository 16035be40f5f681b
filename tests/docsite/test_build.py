"""The documentation site: every page there should be, every internal link resolving,
nothing fetched from elsewhere, and the content each page promises."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from eduv import spec
from eduv.docsite import BuildResult, SiteError, build


class Links(HTMLParser):
    """The links (href, src, form action) and element ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)
            elif name == "id" and value is not None:
                self.ids.add(value)


def parse(path: Path) -> Links:
    found = Links()
    found.feed(path.read_text(encoding="utf-8"))
    return found


def test_every_page_is_there(site: BuildResult) -> None:
    per_lang = 3  # home, every release, search
    for api in spec.apis():
        per_lang += 1
        for version in api.versions:
            av = spec.api_version(api.id, version)
            per_lang += 1 + len(av.operations) + len(av.messages)
    pages = sorted(site.out.rglob("*.html"))
    assert len(pages) == site.pages == 2 * per_lang + 1
    assert site.seconds < 60


def test_every_internal_link_resolves_and_nothing_is_external(site: BuildResult) -> None:
    parsed = {path: parse(path) for path in site.out.rglob("*.html")}
    broken = []
    for page, found in parsed.items():
        for link in found.links:
            parts = urlsplit(link)
            if parts.scheme == "data":
                continue
            if parts.scheme or parts.netloc:
                broken.append(f"{page}: external {link}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page}: {link} does not exist")
            elif parts.fragment and parts.fragment not in parsed[target].ids:
                broken.append(f"{page}: {link} has no such anchor")
    assert broken == []
    assert sum(len(found.links) for found in parsed.values()) > 10_000


def test_a_message_page_shows_fields_rules_examples_and_errors(site: BuildResult) -> None:
    page = (site.out / "nl/association-api/1.1.0/msg/Group.html").read_text(encoding="utf-8")
    for text in ("groupId", "eduv.association", "EDUV-GROUP-001", "UserReference.html"):
        assert text in page
    # an invalid example with the Dutch error it gives
    assert "remove" in page and "verplicht veld" in page and "groupName" in page
    assert "Geldige voorbeelden" in page and "ceaa3c94-d19b-46f7-bd58-bdd54ea85032" in page


def test_a_version_page_shows_operations_deviations_and_changes(site: BuildResult) -> None:
    page = (site.out / "en/employees-api/1.1.0/index.html").read_text(encoding="utf-8")
    assert "search-employee" in page and "eduv.employee.basic" in page
    assert "/components/schemas/SchoolReference/anyOf" in page  # a deviation
    assert "From 1.0.0 to 1.1.0" in page and "response-enum-value-added" in page
    assert "breaking-without-major-bump" in page
    first = (site.out / "en/employees-api/1.0.0/index.html").read_text(encoding="utf-8")
    assert "From 0.9.4 to 1.0.0" in first  # t-1 shows its own official predecessor


def test_both_languages_and_the_way_between_them(site: BuildResult) -> None:
    en = (site.out / "en/index.html").read_text(encoding="utf-8")
    nl = (site.out / "nl/index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in en and 'lang="nl"' in nl
    assert 'href="../nl/index.html"' in en and 'href="../en/index.html"' in nl
    assert "Operaties" in nl and "Operations" in en


def test_the_search_index_covers_operations_messages_and_fields(site: BuildResult) -> None:
    index = (site.out / "assets/search-en.js").read_text(encoding="utf-8")
    assert index.startswith("window.EDUV_SEARCH = [")
    for text in ("get-groups-for-school", '"t":"Group"', "usermasteridentifier"):
        assert text in index


def test_official_prose_is_not_on_the_site(site: BuildResult, reference: Path) -> None:
    """The site shows the project's own descriptions, never the official ones."""
    official = reference / "edu-v-openapi"
    yaml = pytest.importorskip("ruamel.yaml").YAML(typ="safe", pure=True)
    checked = 0
    for api in spec.apis():
        for version in api.versions:
            texts = _descriptions(yaml.load((official / api.id / f"{version}.yaml").read_text()))
            pages = (site.out / "en" / api.id / version).rglob("*.html")
            shown = " ".join(p.read_text(encoding="utf-8") for p in pages)
            quoted = [t for t in texts if t in shown]
            assert quoted == [], (api.id, version, quoted[:3])
            checked += len(texts)
    assert checked > 500


def _descriptions(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                first = re.split(r"\n|(?<=\.) ", value.strip())[0].strip()
                if len(first) >= 40:  # short labels ("OK", "The name.") are not prose
                    found.add(html.escape(first, quote=True))  # as the site would write it
            else:
                found |= _descriptions(value)
    elif isinstance(node, list):
        for value in node:
            found |= _descriptions(value)
    return found


def test_a_folder_that_holds_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SiteError, match="not empty and holds no built site"):
        build(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
