"""The site kept in the cache folder: built once, reused while nothing it is made of changes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from eduv.docsite import cache
from eduv.docsite.build import MARKER


def test_a_cached_site_is_built_once_and_reused(tmp_path: Path) -> None:
    first = cache.cached_site(tmp_path)
    assert (first / "index.html").is_file() and (first / MARKER).is_file()
    assert first.parent == tmp_path / "docs" and first.name == cache.site_key()
    page = first / "en" / "index.html"
    written = page.stat().st_mtime_ns
    again = cache.cached_site(tmp_path)
    assert again == first and page.stat().st_mtime_ns == written
    # no private build folder is left behind
    assert [p.name for p in (tmp_path / "docs").iterdir()] == [first.name]


def test_old_builds_go_and_recent_ones_stay(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    old, recent, other = folder / "0000old", folder / "0000recent", folder / "not-a-site"
    for path in (old, recent, other):
        path.mkdir(parents=True)
    (old / MARKER).write_text("")
    (recent / MARKER).write_text("")
    long_ago = time.time() - cache.STALE_SECONDS - 60
    os.utime(old / MARKER, (long_ago, long_ago))
    cache.cached_site(tmp_path)
    assert not old.exists() and recent.is_dir() and other.is_dir()


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUV_CACHE_DIR", "/somewhere/eduv")
    assert cache.cache_root() == Path("/somewhere/eduv")
    monkeypatch.delenv("EDUV_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert cache.cache_root() == Path("/xdg/eduv")
