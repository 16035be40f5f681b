"""Serving a built site over HTTP, for the reference provider to mount (``/docs/site``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eduv.docsite.build import SiteError


def docs_app(site_dir: Path) -> Any:
    """An ASGI app that serves the site in ``site_dir`` (``/`` is the language choice).

    Every link in the site is relative, so it works under any mount point.
    """
    if not (site_dir / "index.html").is_file():
        raise SiteError(f"{site_dir}: no built site here (run `eduv docs build --out {site_dir}`)")
    try:
        from starlette.staticfiles import StaticFiles
    except ImportError:
        raise SiteError(
            "serving the site needs starlette, which is not installed (pip install 'eduv[server]')"
        ) from None
    return StaticFiles(directory=site_dir, html=True)
