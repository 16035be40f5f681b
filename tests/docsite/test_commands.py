"""``eduv docs build`` as a command, and the site served over HTTP under a mount point."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from eduv.cli import app
from eduv.docsite import BuildResult, SiteError, docs_app


def run(*args: str) -> Result:
    """The command as users run it, through the eduv root command."""
    return CliRunner().invoke(app, list(args))


def test_docs_build_writes_the_site_and_can_write_it_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    for _ in range(2):  # a second build replaces the first
        result = run("docs", "build", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert result.output.startswith("wrote ") and " pages to " in result.output
    assert (out / "en/association-api/1.1.0/index.html").is_file()


def test_docs_build_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = run("docs", "build", "--out", str(tmp_path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eduv: ") and "not empty" in lines[0]


def _get_all(app: object, paths: list[str]) -> list[httpx.Response]:
    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://docs.test") as http:
            return [await http.get(path) for path in paths]

    return asyncio.run(main())


def test_the_site_is_served_under_a_mount_point(site: BuildResult) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(routes=[Mount("/docs/site", app=docs_app(site.out))])
    root, page, style, missing = _get_all(
        app,
        [
            "/docs/site/",
            "/docs/site/en/association-api/1.1.0/index.html",
            "/docs/site/assets/site.css",
            "/docs/site/en/nothing.html",
        ],
    )
    assert root.status_code == 200 and "Nederlands" in root.text
    assert page.status_code == 200 and "get-groups-for-school" in page.text
    assert style.status_code == 200
    assert missing.status_code == 404


def test_serving_needs_a_built_site(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="no built site"):
        docs_app(tmp_path)
