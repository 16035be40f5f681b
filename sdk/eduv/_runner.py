"""Validating files, folders and standard input in bulk, streamed and in parallel.

Inputs are planned as tasks: an NDJSON file (or a byte range of one, cut at line
ends, when several jobs share it), a whole document (JSON, HAR, dataset), or a block
of standard input. Each task yields a partial report whose line numbers count from the
start of the task; the parent shifts them while merging, in input order.

The hot path is :meth:`_Session.lines`: for an envelope line of a known message with
rules off it costs one ``orjson.loads``, one dict lookup and one ``is_valid``; anything
else takes the general path through :meth:`_Session.document`.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Literal

import jsonschema_rs
import orjson

from eduv import _datasets, spec
from eduv._detect import DetectionError, detect
from eduv._engine import Target, check, rules_available, schema_findings
from eduv._har import HarChecker, is_har
from eduv._i18n import Lang, label
from eduv._report import InputError, Item, Report, SourceSummary

BLOCK_SIZE = 1 << 22
STDIN = "-"
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
FOLDER_SUFFIXES = (".json", ".har", *NDJSON_SUFFIXES)
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_UTF8_BOM = b"\xef\xbb\xbf"

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Options:
    """What to validate against and how to report (picklable, sent to workers)."""

    api: str | None = None
    version: str | None = None
    message: str | None = None
    lang: Lang = "en"
    rules: bool = True
    strict: bool = False
    max_items: int | None = 1000
    as_of: str | None = None

    def new_report(self) -> Report:
        return Report(
            lang=self.lang, rules=self.rules and rules_available(), max_items=self.max_items
        )


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a byte range of an NDJSON file, a path, or standard input."""

    kind: Literal["ndjson", "path", "stdin", "block", "block-document"]
    source: str
    start: int = 0
    end: int | None = None
    data: bytes = b""

    @property
    def size(self) -> int:
        if self.kind == "block":
            return len(self.data)
        if self.end is not None:
            return self.end - self.start
        return _size(self.source)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size if os.path.isfile(path) else 0
    except OSError:
        return 0


def _envelope(doc: Any) -> bool:
    return type(doc) is dict and "payload" in doc and "message" in doc


def _decode_problem(raw: bytes, exc: orjson.JSONDecodeError, lang: Lang) -> tuple[str, int | None]:
    """What is wrong with bytes that did not parse, and the column when it helps."""
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            return label(lang, "wrong_encoding", encoding=name), None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return label(lang, "not_utf8", byte=bad.start + 1), None
    return label(lang, "malformed", reason=exc.msg), exc.colno


class _Session:
    """Validation state of one process: the report and the resolved-target caches."""

    def __init__(self, options: Options, report: Report) -> None:
        self.options = options
        self.report = report
        self.rules = options.rules and rules_available()
        # (api, version, message) as written in envelopes -> validator, for the hot path.
        self.fast: dict[tuple[Any, Any, Any], jsonschema_rs.Validator] = {}
        # The same names -> resolved target, for envelopes of lists and failing messages.
        self.named: dict[tuple[Any, Any, Any], Target] = {}
        self.default: Target | None = None

    # -- input errors ---------------------------------------------------------------

    def input_error(
        self,
        summary: SourceSummary,
        message: str,
        line: int | None = None,
        column: int | None = None,
        location: str | None = None,
    ) -> None:
        error = InputError(summary.source, message, line, column, location)
        self.report.add_input_error(error, summary)

    def bad_json(
        self, raw: bytes, exc: orjson.JSONDecodeError, summary: SourceSummary, line: int | None
    ) -> None:
        message, column = _decode_problem(raw, exc, self.options.lang)
        if line is None:  # a whole document: orjson knows the line
            line, column = (exc.lineno, exc.colno) if column is not None else (None, None)
        self.input_error(summary, message, line, column)

    def say(self, key: str, **values: Any) -> str:
        return label(self.options.lang, key, **values)

    # -- targets ----------------------------------------------------------------------

    def _named(self, api: Any, version: Any, message: Any, payload: Any) -> Target:
        if not isinstance(message, str) or not (api is None or isinstance(api, str)):
            raise spec.SpecLookupError("an envelope names its message with text fields")
        api = api or self.options.api
        if api is None:
            raise spec.SpecLookupError(f"message {message!r} needs an API; give --api")
        api_id, resolved = spec.resolve_version(api, version or self.options.version)
        spec.schema_path(api_id, resolved, message)
        is_list = (
            isinstance(payload, list)
            and spec.schema(api_id, resolved, message).get("type") != "array"
        )
        return Target(api_id, resolved, message, is_list, self.options.strict)

    def _default(self, payload: Any) -> Target | None:
        options = self.options
        if options.message is None:
            return None
        if self.default is None:
            self.default = self._named(options.api, options.version, options.message, [])
        if isinstance(payload, list) != self.default.array:
            return replace(self.default, array=not self.default.array)
        return self.default

    # -- documents --------------------------------------------------------------------

    def document(self, doc: Any, summary: SourceSummary, line: int | None, location: str) -> None:
        """Validate any parsed JSON value: envelope(s), HAR, dataset or a bare message."""
        if _envelope(doc):
            self._envelope(doc, summary, line, location)
        elif is_har(doc):
            HarChecker(
                summary.source,
                self.report,
                summary,
                self.options.lang,
                self.rules,
                self.options.strict,
            ).check(doc)
        elif isinstance(doc, dict) and "datasetVersion" in doc:
            dataset = _datasets.from_document(doc, summary.source, self.report, summary)
            if dataset is not None:
                self._dataset(dataset, summary)
        elif isinstance(doc, list) and doc and all(_envelope(d) for d in doc):
            for index, element in enumerate(doc):
                self._envelope(element, summary, line, f"{location}/{index}")
        else:
            self._bare(doc, summary, line, location)

    def _envelope(
        self, doc: dict[str, Any], summary: SourceSummary, line: int | None, location: str
    ) -> None:
        payload = doc["payload"]
        key = (doc.get("api"), doc.get("version"), doc.get("message"))
        hashable = all(isinstance(k, str | None) for k in key)
        goal = self.named.get(key) if hashable else None
        if goal is None or goal.array != isinstance(payload, list):
            try:
                goal = self._named(*key, payload)
            except spec.SpecLookupError as exc:
                self.input_error(summary, str(exc), line, None, location or None)
                return
        if hashable and not goal.array:
            self.named[key] = goal
            self.fast[key] = goal.validator
        self._check(goal, payload, summary, line, location, detected=False)

    def _bare(self, doc: Any, summary: SourceSummary, line: int | None, location: str) -> None:
        try:
            goal = self._default(doc)
            detected = goal is None
            if goal is None:
                goal = detect(doc, self.options.api, self.options.version)
                goal = replace(goal, strict=self.options.strict)
        except (spec.SpecLookupError, DetectionError) as exc:
            self.input_error(summary, str(exc), line, None, location or None)
            return
        self._check(goal, doc, summary, line, location, detected)

    def _check(
        self,
        goal: Target,
        payload: Any,
        summary: SourceSummary,
        line: int | None,
        location: str,
        detected: bool,
    ) -> None:
        findings = check(goal, payload, self.options.lang, self.rules)
        item = Item(
            goal.api,
            goal.version,
            goal.message,
            findings,
            source=summary.source,
            line=line,
            location=location or None,
            detected=detected,
        )
        self.report.add(item, summary)

    def _failed(self, goal: Target, payload: Any, summary: SourceSummary, line: int) -> None:
        """A known envelope that failed is_valid: only its errors are still needed."""
        findings = schema_findings(goal, payload, self.options.lang)
        item = Item(
            goal.api, goal.version, goal.message, findings, source=summary.source, line=line
        )
        self.report.add(item, summary)

    def _dataset(self, dataset: Any, summary: SourceSummary) -> None:
        _datasets.check_dataset(
            dataset,
            summary.source,
            self.report,
            summary,
            lang=self.options.lang,
            rules=self.options.rules,
            strict=self.options.strict,
            as_of=self.options.as_of,
        )

    # -- NDJSON -----------------------------------------------------------------------

    def lines(self, lines: Iterable[bytes], line: int, summary: SourceSummary) -> int:
        """Validate NDJSON lines numbered from ``line + 1``; returns the last number used."""
        if self.rules:
            return self._general_lines(lines, line, summary)
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        fast = self.fast
        valid = 0
        number = line
        for number, raw in enumerate(lines, line + 1):
            try:
                doc = loads(raw)
            except decode_error as exc:
                if raw.strip():
                    self.bad_json(raw, exc, summary, number)
                continue
            try:
                # A known envelope that passes costs a lookup and one is_valid call.
                key = (doc["api"], doc["version"], doc["message"])
                if fast[key].is_valid(doc["payload"]):
                    valid += 1
                    continue
            except (KeyError, TypeError, IndexError):
                self.document(doc, summary, number, "")  # the general path explains it
                continue
            self._failed(self.named[key], doc["payload"], summary, number)
        self.report.messages += valid
        summary.messages += valid
        return number

    def _general_lines(self, lines: Iterable[bytes], line: int, summary: SourceSummary) -> int:
        number = line
        for number, raw in enumerate(lines, line + 1):
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                if raw.strip():
                    self.bad_json(raw, exc, summary, number)
                continue
            self.document(doc, summary, number, "")
        return number

    def _readable_start(self, first_line: bytes, summary: SourceSummary) -> bool:
        for bom, name in _BOMS.items():
            if first_line.startswith(bom):
                self.input_error(summary, self.say("wrong_encoding", encoding=name))
                return False
        return True

    def ndjson_stream(
        self,
        batches: Iterable[tuple[list[bytes], int]],
        summary: SourceSummary,
        progress: Progress,
        at_start: bool = True,
    ) -> int:
        """Validate NDJSON arriving as batches of lines (memory is bounded by a batch)."""
        line = 0
        first = at_start
        for batch, size in batches:
            if first and batch:
                if not self._readable_start(batch[0], summary):
                    return line
                batch[0] = batch[0].removeprefix(_UTF8_BOM)
            first = False
            line = self.lines(batch, line, summary)
            progress(size)
        return line

    # -- whole files ------------------------------------------------------------------

    def path(self, source: str, progress: Progress) -> None:
        """Validate a file or folder named on the command line (no byte range)."""
        summary = self.report.source(source)
        target = Path(source)
        if target.is_dir():
            if (target / "dataset.json").is_file():
                dataset = _datasets.load(source, self.report, summary)
                if dataset is not None:
                    self._dataset(dataset, summary)
            return
        try:
            data = target.read_bytes()
        except OSError as exc:
            self.input_error(summary, self.say("unreadable", reason=exc.strerror or exc))
            return
        self.data(data, summary, source.lower().endswith(NDJSON_SUFFIXES))
        progress(len(data))

    def data(self, data: bytes, summary: SourceSummary, ndjson: bool) -> None:
        """Validate the bytes of a file: one JSON document, or NDJSON."""
        if data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
        if ndjson:
            self.lines(data.split(b"\n"), 0, summary)
            return
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            if _looks_like_ndjson(data):
                self.lines(data.split(b"\n"), 0, summary)
                return
            self.bad_json(data, exc, summary, None)
            return
        if not data.strip():
            self.input_error(summary, self.say("empty"))
            return
        self.document(doc, summary, None, "")


def _looks_like_ndjson(data: bytes) -> bool:
    """Several lines of which the first is a JSON value on its own."""
    lines = [line for line in data.split(b"\n", 2) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False
    return True


# -- planning -------------------------------------------------------------------------


def _split(path: str, parts: int) -> list[Task]:
    """Byte ranges of an NDJSON file that start right after a line end."""
    size = _size(path)
    if parts <= 1 or size < 2 * BLOCK_SIZE:
        return [Task("ndjson", path, 0, size)]
    cuts = [0]
    with open(path, "rb") as handle:
        for index in range(1, parts):
            handle.seek(max(size * index // parts, cuts[-1]))
            handle.readline()
            position = handle.tell()
            if position < size and position > cuts[-1]:
                cuts.append(position)
    cuts.append(size)
    return [Task("ndjson", path, a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _folder_files(folder: Path) -> list[str]:
    return sorted(
        str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
    )


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
            files = _folder_files(path)
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


# -- running ---------------------------------------------------------------------------


def run_task(task: Task, options: Options) -> tuple[Report, int]:
    """Validate one task in this process; returns the partial report and its line count."""
    report = options.new_report()
    session = _Session(options, report)
    lines = _execute(session, task, lambda _: None)
    return report, lines


def _file_batches(
    handle: BinaryIO, start: int, end: int | None
) -> Iterator[tuple[list[bytes], int]]:
    """Lines of a byte range in batches of about :data:`BLOCK_SIZE` bytes, with their size.

    Ranges start and end at line ends, so a batch that reads past the end only needs
    its last lines dropped.
    """
    handle.seek(start)
    position = start
    while end is None or position < end:
        batch = handle.readlines(BLOCK_SIZE)
        if not batch:
            return
        reached = handle.tell()
        while end is not None and reached > end:
            reached -= len(batch.pop())
        yield batch, reached - position
        position = reached


def _execute(session: _Session, task: Task, progress: Progress) -> int:
    summary = session.report.source(task.source)
    if task.kind == "block":
        parts = task.data.split(b"\n")
        if parts and not parts[-1]:
            parts.pop()  # the block ends with a line end, not with another line
        return session.lines(parts, 0, summary)
    if task.kind == "path":
        session.path(task.source, progress)
        return 0
    try:
        with open(task.source, "rb") as handle:
            batches = _file_batches(handle, task.start, task.end)
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


def _is_ndjson_head(head: bytes) -> bool:
    """Standard input is NDJSON when its first line is a JSON value on its own."""
    try:
        orjson.loads(head.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return False
    return True


def _stream_batches(head: bytes, stream: BinaryIO) -> Iterator[tuple[list[bytes], int]]:
    """Lines of a stream whose first bytes were already read, in batches."""
    parts = head.split(b"\n")
    carry = parts.pop()
    yield [part + b"\n" for part in parts], len(head) - len(carry)
    while True:
        batch = stream.readlines(BLOCK_SIZE)
        if not batch:
            break
        size = sum(len(line) for line in batch)
        if carry:
            batch[0] = carry + batch[0]
            carry = b""
        yield batch, size
    if carry:
        yield [carry], len(carry)


def _stdin_inline(session: _Session, stream: BinaryIO, advance: Progress) -> None:
    summary = session.report.source(STDIN)
    head = stream.read(BLOCK_SIZE)
    if _is_ndjson_head(head):
        session.ndjson_stream(_stream_batches(head, stream), summary, advance)
        return
    session.data(head + stream.read(), summary, False)


def _stdin_tasks(stream: BinaryIO) -> Iterator[Task]:
    """Standard input as blocks cut at line ends (NDJSON) or as one document."""
    head = stream.read(BLOCK_SIZE)
    if not _is_ndjson_head(head):
        yield Task("block-document", STDIN, data=head + stream.read())
        return
    carry = head
    while True:
        block = stream.read(BLOCK_SIZE)
        data = carry + block
        if not block:
            if data:
                yield Task("block", STDIN, data=data)
            return
        cut = data.rfind(b"\n") + 1
        if cut > 0:
            yield Task("block", STDIN, data=data[:cut])
        carry = data[cut:]


def _ignore(_: int) -> None:
    return None


def run(
    paths: Sequence[str],
    options: Options,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> Report:
    """Validate every input and return one report (inputs in the order given)."""
    report = options.new_report()
    tasks = plan(paths, max(jobs, 1), report)
    advance = progress or _ignore
    stream = stdin if stdin is not None else sys.stdin.buffer
    if jobs <= 1:
        session = _Session(options, report)
        for task in tasks:
            if task.kind == "stdin":
                _stdin_inline(session, stream, advance)
            else:
                _execute(session, task, advance)
        return report
    offsets: dict[str, int] = {}
    with _executor(jobs) as pool:
        for task, partial, lines in _ordered(pool, _expand_stdin(tasks, stream), options, jobs * 2):
            offset = offsets.get(task.source, 0)
            report.merge(_shift(partial, offset))
            offsets[task.source] = offset + lines
            advance(task.size)
    return report


def _expand_stdin(tasks: list[Task], stream: BinaryIO) -> Iterator[Task]:
    for task in tasks:
        if task.kind == "stdin":
            yield from _stdin_tasks(stream)
        else:
            yield task


def _executor(jobs: int) -> ProcessPoolExecutor:
    import multiprocessing

    # fork keeps start-up cheap on Linux: the workers inherit the imported modules.
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def _ordered(
    pool: Executor, tasks: Iterable[Task], options: Options, window: int
) -> Iterator[tuple[Task, Report, int]]:
    """Results in input order, with at most ``window`` tasks in flight."""
    pending: deque[tuple[Task, Future[tuple[Report, int]]]] = deque()
    for task in tasks:
        pending.append((task, pool.submit(_worker, task, options)))
        if len(pending) >= window:
            done_task, future = pending.popleft()
            yield (done_task, *future.result())
    while pending:
        done_task, future = pending.popleft()
        yield (done_task, *future.result())


def _worker(task: Task, options: Options) -> tuple[Report, int]:
    if task.kind == "block-document":
        report = options.new_report()
        session = _Session(options, report)
        session.data(task.data, report.source(task.source), False)
        return report, 0
    return run_task(task, options)
