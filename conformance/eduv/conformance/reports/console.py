"""The console: a progress bar while the run goes, a summary table when it is done."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from eduv.conformance.model import Outcome
from eduv.conformance.reports.text import finding_lines

__all__ = ["Console", "progress_bar", "summary"]

STYLES = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.ERROR: "bold red",
    Outcome.SKIP: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}


@contextmanager
def progress_bar(console: Console, steps: int) -> Iterator[Callable[[str], None]]:
    """A callable that advances the bar by one step and shows what is being done."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("conformance", total=steps)

        def step(text: str) -> None:
            done = bar.tasks[0].completed
            if done + 1 >= (bar.tasks[0].total or 0):
                bar.update(task, total=done + 2)
            bar.update(task, advance=1, description=text[:60])

        yield step


def summary(console: Console, doc: Mapping[str, Any], limit: int = 5, detailed: int = 12) -> None:
    """The results table, the verdict with its counts, and each failure's findings."""
    run, lang = doc["run"], doc["run"].get("lang", "en")
    table = Table(title=f"eduv conformance: {run['target']}")
    table.add_column("check")
    table.add_column("outcome")
    table.add_column("findings", justify="right")
    table.add_column("title")
    for chk in doc["checks"]:
        outcome = Outcome(chk["outcome"])
        if outcome is Outcome.NOT_APPLICABLE:
            continue
        table.add_row(
            chk["id"],
            f"[{STYLES[outcome]}]{outcome.value}[/]",
            str(chk.get("findings", 0) or ""),
            escape(chk.get("title", {}).get(lang, "")),
        )
    console.print(table)
    summ = doc["summary"]
    counts = ", ".join(f"{n} {o}" for o, n in summ["checks"].items() if n)
    found = summ["findings"]
    verdict = "[green]PASSED[/]" if summ["passed"] else "[bold red]FAILED[/]"
    console.print(
        f"{verdict}: {counts}; findings: {found['errors']} error(s), "
        f"{found['warnings']} warning(s), {found['excused']} excused; "
        f"{run['requests']} requests in {run['seconds']} s (seed {run['seed']})"
    )
    if "baseline" in summ:
        b = summ["baseline"]
        console.print(
            f"against the baseline: {b['new']} new ({b['newErrors']} error(s)), "
            f"{b['gone']} gone, {b['unchanged']} unchanged",
            markup=False,
        )
    failed = [r for r in doc["results"] if r["outcome"] in ("fail", "error")]
    for index, result in enumerate(failed):
        where = " ".join(result[k] for k in ("api", "version", "subject") if result.get(k))
        console.print(f"  [red]{result['checkId']}[/] {escape(where)}: {escape(result['message'])}")
        # Past the first few failures one line each: the console is for finding one's
        # way, report.html and report.json hold every finding with its evidence.
        if index < detailed:
            for line in finding_lines(doc, result, limit):
                console.print(f"  {line}", markup=False, highlight=False)
    if len(failed) > detailed:
        console.print(
            f"  (findings of the first {detailed} failures shown; every finding with its "
            "evidence is in report.html and report.json)",
            markup=False,
        )
