"""The built site in headless Chromium (Debian's package): pages load from the file
system without a console message, an uncaught error or a failed load; the search finds
things; and three pages are photographed.

Screenshots go to the test's temporary folder, or to ``EDUV_SCREENSHOTS`` when set (CI
keeps them as artefacts).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eduv.docsite import BuildResult
from tests.docsite.cdp import browser, chromium

PAGES = [
    "index.html",
    "en/index.html",
    "nl/releases.html",
    "en/association-api/index.html",
    "en/association-api/1.1.0/index.html",
    "nl/employees-api/1.1.0/index.html",
    "en/association-api/1.1.0/op/get-groups-for-school.html",
    "nl/association-api/1.1.0/msg/Group.html",
    "en/dpa-api/0.9.1/op/GET_agreements_self.html",
    "en/delivery-api/2.0.0/msg/DeliverySpecification.html",
    "en/search.html",
    "nl/search.html?q=leerling",
]
SHOTS = {
    "version.png": "en/association-api/1.1.0/index.html",
    "message.png": "nl/association-api/1.1.0/msg/Group.html",
    "search.png": "en/search.html?q=group",
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def executable() -> str:
    found = chromium()
    if found is None:
        pytest.skip("headless Chromium is not installed (Debian package: chromium)")
    return found


def _url(site: BuildResult, page: str) -> str:
    path, _, query = page.partition("?")
    return (site.out / path).as_uri() + (f"?{query}" if query else "")


def test_pages_load_without_errors(site: BuildResult, executable: str, tmp_path: Path) -> None:
    with browser(executable, tmp_path / "profile") as chrome:
        for page in PAGES:
            assert chrome.open(_url(site, page)) == [], page
            assert chrome.evaluate("document.querySelector('h1').textContent"), page


def test_search_works_from_the_file_system(
    site: BuildResult, executable: str, tmp_path: Path
) -> None:
    with browser(executable, tmp_path / "profile") as chrome:
        assert chrome.open(_url(site, "en/search.html?q=get-groups-for-school")) == []
        titles = chrome.evaluate("[...document.querySelectorAll('#results a')].map(a => a.text)")
        assert titles[:2] == ["get-groups-for-school", "get-groups-for-school"]
        href = chrome.evaluate("document.querySelector('#results a').href")
        assert href.startswith("file://") and href.endswith("get-groups-for-school.html")
        assert chrome.open(href) == []
        assert chrome.evaluate("document.title").startswith("GET /groups/school")
        chrome.open(_url(site, "nl/search.html?q=zzz-nothing-like-this"))
        assert chrome.evaluate("document.getElementById('empty').hidden") is False


def test_screenshots_of_three_pages(site: BuildResult, executable: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("EDUV_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with browser(executable, tmp_path / "profile") as chrome:
        for name, page in SHOTS.items():
            assert chrome.open(_url(site, page)) == []
            chrome.screenshot(folder / name)
            data = (folder / name).read_bytes()
            assert data.startswith(b"\x89PNG") and len(data) > 10_000, name
