"""The console: a progress bar while the run goes, a summary table when it is done."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from eduv.conformance.model import Outcome
from eduv.conformance.reports.json_report import check_outcomes
from eduv.conformance.runner import Run

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


def summary(console: Console, run: Run) -> None:
    folded = check_outcomes(run)
    table = Table(title=f"eduv conformance: {run.info.target}")
    table.add_column("check")
    table.add_column("outcome")
    table.add_column("title")
    for check_id in sorted(folded):
        outcome = folded[check_id]
        if outcome is Outcome.NOT_APPLICABLE:
            continue
        spec = run.checks.get(check_id)
        title = spec.title.get(run.info.lang) if spec else ""  # type: ignore[arg-type]
        table.add_row(check_id, f"[{STYLES[outcome]}]{outcome.value}[/]", title)
    console.print(table)
    counts = {o: sum(1 for v in folded.values() if v is o) for o in Outcome}
    line = ", ".join(f"{n} {o.value}" for o, n in counts.items() if n)
    verdict = "[green]PASSED[/]" if run.passed else "[bold red]FAILED[/]"
    console.print(
        f"{verdict}: {line}; {run.info.requests} requests in {run.info.seconds} s "
        f"(seed {run.info.seed})"
    )
    for result in run.results:
        if result.outcome in (Outcome.FAIL, Outcome.ERROR):
            where = " ".join(p for p in (result.api, result.version, result.subject) if p)
            console.print(f"  [red]{result.check_id}[/] {where}: {result.message}")
            for detail in result.details[:3]:
                console.print(f"      {detail}", markup=False)
