"""``eduv diff``: what changed between two versions of an API, and the semver verdict.

Exit codes: 0 done, 1 when ``--fail-on`` finds what it looks for, 2 bad input (one
line on standard error, never a traceback).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eduv.cli.common import fail
from eduv.spec import Lang

if TYPE_CHECKING:
    from eduv.diff.core import DiffResult


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    breaking = "breaking"
    policy = "policy"


def diff(
    names: Annotated[
        list[str],
        typer.Argument(
            help="API OLD NEW (versions from the registry, e.g. association 1.0.2 1.1.0) "
            "or FILE FILE (two OpenAPI 3.0/3.1 documents, JSON or YAML).",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.text,
    lang: Annotated[Lang, typer.Option(help="Language of the messages.")] = "en",
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit with 1 on a breaking change, or on a versioning finding (policy).",
        ),
    ] = None,
) -> None:
    """What changed between two versions of an API, how bad each change is, and whether
    the version numbers say so."""
    from eduv.diff.core import diff_files, diff_versions
    from eduv.diff.load import DiffInputError
    from eduv.spec import SpecLookupError

    if len(names) not in (2, 3):
        fail(f"give API OLD NEW or FILE FILE, not {len(names)} name(s)")
    try:
        if len(names) == 3:
            result = diff_versions(*names)
        else:
            result = diff_files(Path(names[0]), Path(names[1]))
    except (DiffInputError, SpecLookupError) as exc:
        fail(str(exc))
    _show(result, output_format, lang)
    if fail_on is FailOn.breaking and result.breaking:
        raise typer.Exit(1)
    if fail_on is FailOn.policy and result.verdict.findings:
        raise typer.Exit(1)


def _show(result: DiffResult, output_format: OutputFormat, lang: Lang) -> None:
    from eduv.diff.render import render, text_lines

    if output_format is not OutputFormat.text or not sys.stdout.isatty():
        sys.stdout.flush()
        sys.stdout.buffer.write(render(result, output_format.value, lang))
        sys.stdout.buffer.flush()
        return
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    for style, line in text_lines(result, lang):
        console.print(line, style=style or None, markup=False)
