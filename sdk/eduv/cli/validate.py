"""``eduv validate``: messages, captured traffic and datasets against the Edu-V spec."""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from eduv.cli.common import LangOption, console, fail, stdout

# Large inputs get a progress bar (on a terminal only).
PROGRESS_THRESHOLD = 32 * 1024 * 1024


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


def _total_size(paths: list[str]) -> int:
    total = 0
    for name in paths:
        path = Path(name)
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


class _Bar:
    """A progress bar on standard error, refreshed at most ten times a second."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=console(stderr=True),
            transient=True,
            auto_refresh=False,
        )
        self._task = self._progress.add_task("validating", total=total)
        self._last = 0.0

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task, amount)
        now = time.monotonic()
        if now - self._last > 0.1:
            self._last = now
            self._progress.refresh()


def _show_text(report: Any) -> None:
    from eduv.validation.render import text_lines

    out = console()
    for style, line in text_lines(report):
        out.print(line, style=style or None, markup=False)


def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="JSON, NDJSON or HAR files, dataset folders or files; - is stdin."),
    ] = None,
    api: Annotated[str | None, typer.Option(help="API id, e.g. association-api.")] = None,
    version: Annotated[
        str | None, typer.Option("--version", "-V", help="Full version, t or t-1 (default t).")
    ] = None,
    message: Annotated[
        str | None, typer.Option(help="Message name, e.g. Group; recognised when left out.")
    ] = None,
    lang: LangOption = "en",
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to use.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Run on the Dask cluster whose scheduler is at this address "
            "(tcp://HOST:8786); its workers read the inputs themselves. Needs the dask "
            "extra of eduv.",
            metavar="ADDRESS",
        ),
    ] = None,
    dask_timeout: Annotated[
        float,
        typer.Option(
            min=0.1, help="Seconds to wait for the Dask scheduler and a worker.", metavar="SECONDS"
        ),
    ] = 10.0,
    rules: Annotated[bool, typer.Option(help="Also check the rule catalogue.")] = True,
    strict: Annotated[
        bool, typer.Option(help="Report properties the schemas do not define.")
    ] = False,
    max_items: Annotated[
        int, typer.Option(min=1, help="Most messages with findings listed in the report.")
    ] = 1000,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Judge a dataset's rules on this one day (YYYY-MM-DD) instead of every day "
            "its data covers."
        ),
    ] = None,
    between: Annotated[
        tuple[str, str] | None,
        typer.Option(
            help="Judge a dataset's rules on these days, FIRST LAST, both included "
            "(YYYY-MM-DD YYYY-MM-DD).",
            metavar="FIRST LAST",
        ),
    ] = None,
    progress: Annotated[
        bool | None, typer.Option(help="Show a progress bar (default: large inputs on a terminal).")
    ] = None,
    max_document_bytes: Annotated[
        int,
        typer.Option(
            min=1, help="Largest document or NDJSON line read, in bytes (default 64 MiB)."
        ),
    ] = 64 * 1024 * 1024,  # eduv.validation.inputs.MAX_DOCUMENT_BYTES, not imported for speed
    max_json_values: Annotated[
        int,
        typer.Option(min=1, help="Most JSON values in one document or NDJSON line."),
    ] = 2_000_000,
    timings: Annotated[
        bool,
        typer.Option(
            help="Print on standard error the processor seconds spent on input, schemas, "
            "rules and the cross-school pass (summed over the jobs)."
        ),
    ] = False,
) -> None:
    """Validate messages, captured traffic and datasets against the Edu-V spec.

    Every NDJSON line is a message, or an envelope {"api", "version", "message",
    "payload"}. Exit code 0: all valid; 1: something invalid; 2: input errors.
    """
    from eduv import spec
    from eduv.validation import render, validate_paths

    sources = list(paths or [])
    if not sources:
        if sys.stdin.isatty():
            fail("nothing to validate: give files or folders, or pipe messages into - (stdin)")
        sources = ["-"]
    if api is not None:
        spec.resolve_version(api, version)
    elif version is not None:
        fail("--version needs --api: versions differ per API")
    elif message is not None:
        fail("--message needs --api: message names repeat across APIs")
    settings: dict[str, Any] = {
        "api": api,
        "version": version,
        "message": message,
        "lang": lang,
        "rules": rules,
        "strict": strict,
        "as_of": as_of,
        "between": between,
        "jobs": jobs,
        "max_items": max_items,
        "max_document_bytes": max_document_bytes,
        "max_json_values": max_json_values,
    }
    _check_days(as_of, between)
    if dask is not None:
        _check_cluster(sources, jobs)
        settings.update(dask=dask, dask_timeout=dask_timeout)
    total = _total_size([s for s in sources if s != "-"])
    show = (
        progress if progress is not None else (sys.stderr.isatty() and total >= PROGRESS_THRESHOLD)
    )
    if show:
        with _Bar(total) as bar:
            report = validate_paths(sources, progress=bar.advance, **settings)
    else:
        report = validate_paths(sources, **settings)
    if timings:
        _show_timings(report.timings)
    if output_format is ReportFormat.json:
        stdout(render.to_json(report))
    elif output_format is ReportFormat.junit:
        stdout(render.to_junit(report))
    else:
        _show_text(report)
    raise typer.Exit(report.exit_code)


STAGES = ("input", "schemas", "rules", "cross-school")


def _show_timings(spent: dict[str, float]) -> None:
    """Seconds per stage and each stage's share of the measured work, on standard error."""
    total = sum(spent.get(stage, 0.0) for stage in STAGES) or 1.0
    parts = [
        f"{stage} {spent.get(stage, 0.0):.2f} s ({100 * spent.get(stage, 0.0) / total:.0f} %)"
        for stage in STAGES
    ]
    sys.stderr.write("timings: " + ", ".join(parts) + "\n")


def _check_days(as_of: str | None, between: tuple[str, str] | None) -> None:
    """Refuse a day that is no day here, naming the option (not the library's argument)."""
    from eduv.dataset.judged import check_days

    try:
        check_days(as_of, between)
    except ValueError as exc:
        text = str(exc).replace("as_of", "--as-of").replace("between", "--between", 1)
        fail(text)


def _check_cluster(sources: list[str], jobs: int) -> None:
    if "-" in sources:
        fail(
            "--dask cannot read standard input: the cluster's workers read their input "
            "themselves, so give files, folders or URLs they can reach"
        )
    if jobs != 1:
        fail("--jobs does not go with --dask: the cluster's workers run the tasks")
