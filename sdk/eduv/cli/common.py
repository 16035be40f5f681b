"""What the commands share: failing in one line, writing bytes, the console, options."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer

from eduv.spec import Lang

LangOption = Annotated[Lang, typer.Option(help="Language of the report.")]


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on standard error and the exit code: no traceback, ever.

    Messages may quote input (names, paths): its control characters are escaped.
    """
    from eduv.validation.render import printable

    typer.echo(f"eduv: {printable(message)}", err=True)
    raise typer.Exit(code)


def stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    # rich honours NO_COLOR and plain pipes by itself.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)
