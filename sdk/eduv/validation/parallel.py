"""Validating many inputs, in this process or spread over worker processes.

Inputs are planned as tasks: an NDJSON file (or a byte range of one, cut at line
ends, when several jobs share it), a whole document (JSON, HAR, dataset), or a block
of standard input. Each task yields a :class:`Partial`: a partial report whose line
numbers count from the start of the task, and the summaries of the school datasets it
checked. The parent shifts the line numbers while merging, in input order, and hands
the summaries to the cross-school pass (:mod:`.crossing`), which adds its warnings
once every task is in. Items end up ordered by source, line and pointer, whatever the
number of jobs.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Literal

from eduv.findings import InputError
from eduv.validation import inputs
from eduv.validation._i18n import label
from eduv.validation.crossing import CrossPass, SchoolSummary
from eduv.validation.dispatch import Options, Session
from eduv.validation.inputs import (
    NDJSON_SUFFIXES,
    STDIN,
    Progress,
    bounded_lines,
    file_batches,
    folder_files,
    held,
    is_ndjson_head,
    next_line_start,
    read_bounded,
    size,
)
from eduv.validation.report import Report

__all__ = [
    "Merger",
    "Options",
    "Partial",
    "Planner",
    "Progress",
    "Task",
    "plan",
    "run",
    "run_task",
]


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a byte range of an NDJSON file, a path, or standard input."""

    kind: Literal["ndjson", "path", "stdin", "block", "block-document"]
    source: str
    start: int = 0
    end: int | None = None
    data: bytes = b""
    oversized: bool = False  # a document of standard input over the byte limit

    @property
    def size(self) -> int:
        if self.kind == "block":
            return len(self.data)
        if self.end is not None:
            return self.end - self.start
        return size(self.source)


def _split(path: str, parts: int) -> list[Task]:
    """Byte ranges of an NDJSON file that start right after a line end."""
    total = size(path)
    if parts <= 1 or total < 2 * inputs.BLOCK_SIZE:
        return [Task("ndjson", path, 0, total)]
    cuts = [0]
    with open(path, "rb") as handle:
        for index in range(1, parts):
            position = next_line_start(handle, max(total * index // parts, cuts[-1]))
            if position < total and position > cuts[-1]:
                cuts.append(position)
    cuts.append(total)
    return [Task("ndjson", path, a, b) for a, b in itertools.pairwise(cuts) if b > a]


def plan(paths: Sequence[str], jobs: int, report: Report) -> list[Task]:
    """Tasks for the inputs; missing inputs become input errors right away."""
    tasks: list[Task] = []
    for source in paths:
        if source == STDIN:
            tasks.append(Task("stdin", STDIN))
            continue
        path = Path(source)
        if not path.exists():
            missing = InputError(source, label(report.lang, "missing"))
            report.add_input_error(missing, report.source(source))
        elif path.is_dir() and not (path / "dataset.json").is_file():
            files = folder_files(path)
            if not files:
                empty = InputError(source, label(report.lang, "empty_folder"))
                report.add_input_error(empty, report.source(source))
            tasks.extend(task for name in files for task in _file_tasks(name, jobs))
        else:
            tasks.extend(_file_tasks(source, jobs))
    return tasks


def _file_tasks(source: str, jobs: int) -> list[Task]:
    if source.lower().endswith(NDJSON_SUFFIXES) and os.path.isfile(source):
        return _split(source, jobs * 4 if jobs > 1 else 1)
    return [Task("path", source)]


@dataclass(slots=True)
class Partial:
    """What one task yields (picklable): its report, the number of NDJSON lines it read
    (to shift the line numbers of the next task of the same file) and the summaries of
    the school datasets it checked (for the cross-school pass; empty with rules off)."""

    report: Report
    lines: int
    summaries: list[SchoolSummary] = field(default_factory=list)


def run_task(task: Task, options: Options) -> Partial:
    """Validate one task in this process."""
    report = options.new_report()
    session = Session(options, report)
    lines = _execute(session, task, lambda _: None)
    return Partial(report, lines, session.summaries)


def _execute(session: Session, task: Task, progress: Progress) -> int:
    summary = session.report.source(task.source)
    if task.kind == "block":
        parts = task.data.split(b"\n")
        if parts and not parts[-1]:
            parts.pop()  # the block ends with a line end, not with another line
        return session.lines(held(parts, len(task.data), session.options.limits), 0, summary)
    if task.kind == "path":
        session.path(task.source, progress)
        return 0
    try:
        with open(task.source, "rb") as handle:
            batches = file_batches(handle, task.start, task.end, session.options.limits)
            return session.ndjson_stream(batches, summary, progress, task.start == 0)
    except OSError as exc:
        session.input_error(summary, session.say("unreadable", reason=exc.strerror or exc))
        return 0


def _shift(report: Report, offset: int) -> Report:
    """Turn task-relative line numbers into file line numbers."""
    if offset == 0:
        return report
    for item in report.items:
        if item.line is not None:
            item.line += offset
    report.input_errors = [
        replace(e, line=e.line + offset) if e.line is not None else e for e in report.input_errors
    ]
    return report


def _stdin_inline(session: Session, stream: BinaryIO, advance: Progress) -> None:
    summary = session.report.source(STDIN)
    head = stream.read(inputs.BLOCK_SIZE)
    if is_ndjson_head(head):
        batches = bounded_lines(head, stream.read, session.options.limits)
        session.ndjson_stream(batches, summary, advance)
        return
    data = _stdin_document(head, stream, session.options.max_document_bytes)
    if data is None:
        session.input_error(summary, session.over("too_large"))
        return
    session.data(data, summary, False)


def _stdin_document(head: bytes, stream: BinaryIO, limit: int) -> bytes | None:
    """The whole of standard input after its head, or None when it is over ``limit``."""
    if len(head) > limit:
        return None
    rest = read_bounded(stream.read, limit - len(head))
    return None if rest is None else head + rest


def _stdin_tasks(stream: BinaryIO, options: Options) -> Iterator[Task]:
    """Standard input as blocks cut at line ends (NDJSON) or as one document."""
    head = stream.read(inputs.BLOCK_SIZE)
    if not is_ndjson_head(head):
        data = _stdin_document(head, stream, options.max_document_bytes)
        yield Task("block-document", STDIN, data=data or b"", oversized=data is None)
        return
    for lines, _ in bounded_lines(head, stream.read, options.limits):
        if lines:
            yield Task("block", STDIN, data=b"\n".join(lines) + b"\n")


def _ignore(_: int) -> None:
    return None


# Turns the inputs into tasks, adding input errors for missing ones (see plan).
Planner = Callable[[Sequence[str], int, Report], list[Task]]


def run(
    paths: Sequence[str],
    options: Options,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    executor: Executor | None = None,
    planner: Planner = plan,
    window: int | None = None,
) -> Report:
    """Validate every input and return one report (inputs in the order given).

    ``executor`` runs the tasks elsewhere than in ``jobs`` local processes (a cluster,
    see :mod:`eduv.validation.cluster`; ``jobs`` then says how many tasks it runs at
    once); the caller owns it. ``planner`` replaces :func:`plan` for inputs it knows.
    ``window`` is how many tasks may be in flight (default twice ``jobs``).
    """
    report = options.new_report()
    tasks = planner(paths, max(jobs, 1), report)
    advance = progress or _ignore
    stream = stdin if stdin is not None else sys.stdin.buffer
    cross = CrossPass(options.lang) if options.rules else None
    try:
        if jobs <= 1 and executor is None:
            _inline(tasks, Session(options, report), stream, advance, cross)
        else:
            pool = nullcontext(executor) if executor is not None else _executor(jobs)
            _spread(tasks, report, options, pool, window or jobs * 8, stream, advance, cross)
        return Merger(report, cross).finish()
    finally:
        if cross is not None:
            cross.close()


def _inline(
    tasks: list[Task],
    session: Session,
    stream: BinaryIO,
    advance: Progress,
    cross: CrossPass | None,
) -> None:
    for task in tasks:
        if task.kind == "stdin":
            _stdin_inline(session, stream, advance)
        else:
            _execute(session, task, advance)
        _hand_over(session.summaries, cross)


def _hand_over(summaries: list[SchoolSummary], cross: CrossPass | None) -> None:
    """Give the summaries to the cross-school pass and forget them here."""
    if cross is not None:
        for summary in summaries:
            cross.add(summary)
    summaries.clear()


class Merger:
    """Folds the partial results of tasks into one report, the way :func:`run` does.

    Give it every task with its :class:`Partial` in input order (whatever ran them), then
    call :meth:`finish` once: it shifts line numbers, feeds the cross-school pass and
    orders the items, so that any way of running the tasks gives the same report.
    """

    def __init__(self, report: Report, cross: CrossPass | None) -> None:
        self.report = report
        self.cross = cross
        self.offsets: dict[str, int] = {}

    def add(self, task: Task, partial: Partial) -> None:
        offset = self.offsets.get(task.source, 0)
        self.report.merge(_shift(partial.report, offset))
        _hand_over(partial.summaries, self.cross)
        self.offsets[task.source] = offset + partial.lines

    def finish(self) -> Report:
        if self.cross is not None:
            self.cross.finish(self.report)
        self.report.order()
        return self.report


def _spread(
    tasks: list[Task],
    report: Report,
    options: Options,
    pool_context: AbstractContextManager[Executor],
    window: int,
    stream: BinaryIO,
    advance: Progress,
    cross: CrossPass | None,
) -> None:
    merger = Merger(report, cross)
    with pool_context as pool:
        expanded = _expand_stdin(tasks, stream, options)
        # Results are merged in input order, so a large task at the head holds up the
        # rest: a wide window keeps the other workers busy meanwhile (school files range
        # from twenty pupils to thousands). Partial reports of valid files are small.
        for task, partial in _ordered(pool, expanded, options, window):
            merger.add(task, partial)
            advance(task.size)


def _expand_stdin(tasks: list[Task], stream: BinaryIO, options: Options) -> Iterator[Task]:
    for task in tasks:
        if task.kind == "stdin":
            yield from _stdin_tasks(stream, options)
        else:
            yield task


def _executor(jobs: int) -> ProcessPoolExecutor:
    import multiprocessing

    # fork keeps start-up cheap on Linux: the workers inherit the imported modules.
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def _ordered(
    pool: Executor, tasks: Iterable[Task], options: Options, window: int
) -> Iterator[tuple[Task, Partial]]:
    """Results in input order, with at most ``window`` tasks in flight."""
    pending: deque[tuple[Task, Future[Partial]]] = deque()
    for task in tasks:
        pending.append((task, pool.submit(_worker, task, options)))
        if len(pending) >= window:
            done_task, future = pending.popleft()
            yield done_task, future.result()
    while pending:
        done_task, future = pending.popleft()
        yield done_task, future.result()


def _worker(task: Task, options: Options) -> Partial:
    if task.kind == "block-document":
        report = options.new_report()
        session = Session(options, report)
        summary = report.source(task.source)
        if task.oversized:
            session.input_error(summary, session.over("too_large"))
        else:
            session.data(task.data, summary, False)
        return Partial(report, 0, session.summaries)
    return run_task(task, options)
