"""A built site kept in a cache folder and reused while what it is made from stays the same.

The reference provider serves the site without asking anyone to build it first: on
start it asks :func:`cached_site` for a folder, which builds one only when the spec or
eduv's code has changed since the last build. Builds go to a private folder that is
renamed into place, so two providers starting at once never see half a site.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from functools import cache
from pathlib import Path

from eduv import spec
from eduv.docsite.build import MARKER, build
from eduv.version import __version__

# Other builds (another eduv, an older spec) may still be served by a running provider,
# so after a new build only those untouched for a week are removed, and only folders
# that carry the marker of a built site.
STALE_SECONDS = 7 * 24 * 3600


def cache_root() -> Path:
    """Where eduv keeps what it builds: ``EDUV_CACHE_DIR``, else the user's cache folder."""
    chosen = os.environ.get("EDUV_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eduv"


@cache
def site_key() -> str:
    """What the site is made from: the spec folder and the code of eduv's own layers."""
    digest = hashlib.sha256(f"{__version__}\0{spec.fingerprint()}\0".encode())
    code = Path(__file__).resolve().parents[1]  # the eduv package folder that holds docsite
    for path in sorted(code.rglob("*.py")):
        digest.update(path.relative_to(code).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def cached_site(root: Path | None = None) -> Path:
    """The folder of a built site for this spec and this eduv, built now if there is none."""
    folder = (root or cache_root()) / "docs"
    target = folder / site_key()
    if (target / MARKER).is_file() and (target / "index.html").is_file():
        (target / MARKER).touch()  # in use: not stale
        return target
    folder.mkdir(parents=True, exist_ok=True)
    private = folder / f".build-{site_key()}-{os.getpid()}"
    if private.exists():
        shutil.rmtree(private)
    build(private)
    try:
        private.rename(target)
    except OSError:
        # Another process put its build there first (or a broken one is in the way).
        if not (target / "index.html").is_file():
            shutil.rmtree(target, ignore_errors=True)
            private.rename(target)
        else:
            shutil.rmtree(private, ignore_errors=True)
    _remove_older(folder, target)
    return target


def _remove_older(folder: Path, keep: Path) -> None:
    now = time.time()
    for other in folder.iterdir():
        marker = other / MARKER
        if other == keep or not marker.is_file():
            continue
        if now - marker.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(other, ignore_errors=True)
