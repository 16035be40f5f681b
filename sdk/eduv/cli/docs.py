"""``eduv docs``: the documentation site of the Edu-V APIs.

Exit codes: 0 done, 2 when the site cannot be written (one line, no traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The documentation site of the Edu-V APIs.", no_args_is_help=True)


@app.command("build")
def build_command(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder to write the site into (new, empty, or a site)."),
    ],
) -> None:
    """Write a static site, in English and Dutch, that works offline and from the file system."""
    from eduv.docsite.build import SiteError, build

    try:
        result = build(out)
    except (SiteError, OSError) as exc:
        typer.echo(f"eduv: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {result.pages} pages to {out} in {result.seconds:.2f} s")
