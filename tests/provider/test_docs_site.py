"""The documentation site under ``/docs/site/`` of the reference provider."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from eduv.docsite import BuildResult, build
from eduv.provider import Settings, create_app
from eduv.provider import cli as provider_cli
from eduv.provider.config import ProviderConfig
from tests.docsite.cdp import browser, chromium
from tests.provider.harness import serve_app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(tmp_path_factory.mktemp("docs") / "site")


def _get_all(engine: Engine, site: Path | None, paths: list[str]) -> list[httpx.Response]:
    settings = Settings(ProviderConfig(), "http://provider.test", deliver=False, docs_site=site)
    app = create_app(engine, settings)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://provider.test") as http:
            return [await http.get(path) for path in paths]

    return asyncio.run(main())


def test_the_site_is_served_beside_swagger(sqlite_engine: Engine, site: BuildResult) -> None:
    root, page, style, missing, bare, swagger, index = _get_all(
        sqlite_engine,
        site.out,
        [
            "/docs/site/",
            "/docs/site/nl/association-api/1.1.0/msg/Group.html",
            "/docs/site/assets/site.css",
            "/docs/site/en/nothing.html",
            "/docs/site",
            "/docs",
            "/",
        ],
    )
    assert root.status_code == 200 and "Nederlands" in root.text
    assert page.status_code == 200 and "Group" in page.text
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    # a page that is not there is answered like any other unknown path of the provider
    assert missing.status_code == 404 and missing.json()["status"] == 99
    assert bare.status_code in (307, 308) and bare.headers["location"].endswith("/docs/site/")
    assert 'href="/docs/site/"' in swagger.text
    assert index.json()["site"] == "/docs/site/"


def test_without_a_site_nothing_is_under_it(sqlite_engine: Engine) -> None:
    root, swagger, index = _get_all(sqlite_engine, None, ["/docs/site/", "/docs", "/"])
    assert root.status_code == 404
    assert "/docs/site/" not in swagger.text
    assert "site" not in index.json()


def test_serve_refuses_a_folder_without_a_site(tmp_path: Path) -> None:
    answer = CliRunner().invoke(
        provider_cli.app, ["serve", "--docs", str(tmp_path)], env={"COLUMNS": "400"}
    )
    assert answer.exit_code == 2
    assert "no built site here" in answer.output


# Every link of these pages is followed by the browser, under the prefix the provider uses.
SERVED_PAGES = [
    "/docs/site/",
    "/docs/site/en/association-api/1.1.0/index.html",
    "/docs/site/nl/employees-api/1.1.0/msg/Employee.html",
    "/docs/site/en/search.html?q=group",
]
FOLLOW = """Promise.all([...document.querySelectorAll('a[href]')].map(a =>
  fetch(a.href).then(r => r.ok ? null : a.getAttribute('href') + ' ' + r.status)))
  .then(found => found.filter(Boolean))"""


@pytest.mark.browser
def test_the_served_site_works_in_a_browser(
    sqlite_engine: Engine, site: BuildResult, tmp_path: Path
) -> None:
    executable = chromium()
    if executable is None:
        pytest.skip("headless Chromium is not installed (Debian package: chromium)")
    settings = Settings(ProviderConfig(), "", deliver=False, docs_site=site.out)
    served = serve_app(lambda url: create_app(sqlite_engine, settings))
    try:
        with browser(executable, tmp_path / "profile") as chrome:
            for page in SERVED_PAGES:
                assert chrome.open(served.url + page) == [], page
                assert chrome.evaluate("document.querySelectorAll('a[href]').length") >= 2, page
                result = chrome.call(
                    "Runtime.evaluate", expression=FOLLOW, awaitPromise=True, returnByValue=True
                )
                assert result["result"]["value"] == [], page
            assert chrome.evaluate("document.querySelectorAll('#results a').length") > 0
    finally:
        served.stop()
