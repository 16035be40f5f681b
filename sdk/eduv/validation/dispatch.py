"""Telling what a document is and checking it: the validation state of one process.

A :class:`Session` takes documents from :mod:`.inputs`: an envelope (``{"api",
"version", "message", "payload"}``) or a list of them, a HAR file, a dataset, or a bare
message whose message is given or recognised. It resolves each to a
:class:`~eduv.validation.engine.Target`, checks it and adds the outcome to its report.

The hot path is :meth:`Session.lines`: for an envelope line of a known message with
rules off it costs one ``orjson.loads``, one dict lookup and one ``is_valid``; anything
else takes the general path through :meth:`Session.document`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from eduv import spec
from eduv.dataset import Dataset
from eduv.findings import InputError
from eduv.spec import Lang
from eduv.validation import crossing, datasets, duplicates, inputs
from eduv.validation._i18n import label
from eduv.validation.detect import DetectionError, detect
from eduv.validation.engine import Target, check, schema_findings, target
from eduv.validation.har import HarChecker, is_har
from eduv.validation.inputs import (
    LINE_TOO_LONG,
    LINE_TOO_MANY_VALUES,
    MAX_DOCUMENT_BYTES,
    MAX_JSON_VALUES,
    NDJSON_SUFFIXES,
    UTF8_BOM,
    Batch,
    Limits,
    Progress,
    bounded_lines,
    decode_problem,
    held,
    limit_message,
    looks_like_ndjson,
    read_bounded,
    too_many_values,
    wrong_encoding,
)
from eduv.validation.report import Item, Report, SourceSummary


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
    between: tuple[str, str] | None = None
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    max_json_values: int = MAX_JSON_VALUES
    duplicate_keys: bool = True  # off only to measure what the check costs

    @property
    def limits(self) -> Limits:
        return Limits(self.max_document_bytes, self.max_json_values)

    def new_report(self) -> Report:
        return Report(lang=self.lang, rules=self.rules, max_items=self.max_items)


# What both dataset formats hold besides their datasetVersion.
_DATASET_KEYS = frozenset(("shapes", "schools"))


def _envelope(doc: Any) -> bool:
    return type(doc) is dict and "payload" in doc and "message" in doc


class Session:
    """Validation state of one process: the report and the resolved-target caches."""

    def __init__(self, options: Options, report: Report) -> None:
        self.options = options
        self.report = report
        self.rules = options.rules
        # (api, version, message) as written in envelopes -> validator, for the hot path.
        self.fast: dict[tuple[Any, Any, Any], jsonschema_rs.Validator] = {}
        # The same names -> resolved target, for envelopes of lists and failing messages.
        self.named: dict[tuple[Any, Any, Any], Target] = {}
        self.default: Target | None = None
        # What the datasets checked so far add to the cross-school pass, until taken.
        self.summaries: list[crossing.SchoolSummary] = []

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
        if raw == LINE_TOO_LONG:
            self.input_error(summary, self.over("line_too_long"), line)
            return
        if raw == LINE_TOO_MANY_VALUES:
            self.input_error(summary, self.over("too_many_values"), line)
            return
        message, column = decode_problem(raw, exc, self.options.lang)
        if line is None:  # a whole document: orjson knows the line
            line, column = (exc.lineno, exc.colno) if column is not None else (None, None)
        self.input_error(summary, message, line, column)

    def say(self, key: str, **values: Any) -> str:
        return label(self.options.lang, key, **values)

    def over(self, key: str) -> str:
        """The message of a broken input limit, with the limit it broke."""
        return limit_message(self.options.lang, key, self.options.limits)

    # -- targets ----------------------------------------------------------------------

    def _named(self, api: Any, version: Any, message: Any, payload: Any) -> Target:
        if not isinstance(message, str) or not (api is None or isinstance(api, str)):
            raise spec.SpecLookupError("an envelope names its message with text fields")
        api = api or self.options.api
        if api is None:
            raise spec.SpecLookupError(f"message {message!r} needs an API; give --api")
        version = version or self.options.version
        return target(api, version, message, payload=payload, strict=self.options.strict)

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
            started = time.process_time()
            dataset = datasets.from_document(doc, summary.source, self.report, summary)
            self.report.spent("input", started)
            if dataset is not None:
                self._dataset(dataset, summary)
        elif isinstance(doc, dict) and doc.keys() >= _DATASET_KEYS:
            # Without its version a dataset would be taken for a message it is not.
            keys = ", ".join(sorted(_DATASET_KEYS))
            self.input_error(summary, self.say("dataset_version_missing", keys=keys), line)
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
        if self.rules and isinstance(dataset, Dataset):
            started = time.process_time()
            self.summaries.append(crossing.summarise(dataset, summary.source))
            self.report.spent("cross-school", started)
        datasets.check_dataset(
            dataset,
            summary.source,
            self.report,
            summary,
            lang=self.options.lang,
            rules=self.options.rules,
            strict=self.options.strict,
            as_of=self.options.as_of,
            between=self.options.between,
        )

    # -- NDJSON -----------------------------------------------------------------------

    def lines(self, lines: Iterable[bytes], line: int, summary: SourceSummary) -> int:
        """Validate NDJSON lines numbered from ``line + 1``; returns the last number used."""
        if self.rules:
            return self._general_lines(lines, line, summary)
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        # The duplicate-key gate inlined: on this path a function call costs as much.
        dumps = orjson.dumps if self.options.duplicate_keys else None
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
            if dumps is not None and len(dumps(doc)) != len(raw) and duplicates.suspect(raw, doc):
                self.repeated_names(raw, summary, number)
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
            if self.options.duplicate_keys and duplicates.suspect(raw, doc):
                self.repeated_names(raw, summary, number)
            self.document(doc, summary, number, "")
        return number

    def _readable_start(self, first_line: bytes, summary: SourceSummary) -> bool:
        encoding = wrong_encoding(first_line)
        if encoding is not None:
            self.input_error(summary, self.say("wrong_encoding", encoding=encoding))
        return encoding is None

    def ndjson_stream(
        self,
        batches: Iterable[Batch],
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
                batch[0] = batch[0].removeprefix(UTF8_BOM)
            first = False
            line = self.lines(batch, line, summary)
            progress(size)
        return line

    # -- whole files ------------------------------------------------------------------

    def path(self, source: str, progress: Progress) -> None:
        """Validate a file or folder named on the command line (no byte range)."""
        summary = self.report.source(source)
        started = time.process_time()
        target = Path(source)
        if target.is_dir():
            if (target / "dataset.json").is_file():
                dataset = datasets.load(
                    source, self.report, summary, self.options.limits, self.options.lang
                )
                self.report.spent("input", started)
                if dataset is not None:
                    self._dataset(dataset, summary)
            return
        ndjson = source.lower().endswith(NDJSON_SUFFIXES)
        limit = self.options.max_document_bytes
        try:
            with open(source, "rb") as handle:
                if ndjson:  # a pipe or device named .ndjson: read it as a stream
                    batches = bounded_lines(b"", handle.read, self.options.limits)
                    self.ndjson_stream(batches, summary, progress)
                    return
                if inputs.size(source) > limit:
                    head = handle.read(inputs.BLOCK_SIZE)
                    if looks_like_ndjson(head):  # NDJSON without its suffix: lines have limits
                        batches = bounded_lines(head, handle.read, self.options.limits)
                        self.ndjson_stream(batches, summary, progress)
                    else:
                        self.input_error(summary, self.over("too_large"))
                    return
                data = read_bounded(handle.read, limit)
        except OSError as exc:
            self.input_error(summary, self.say("unreadable", reason=exc.strerror or exc))
            return
        if data is None:
            self.input_error(summary, self.over("too_large"))
            return
        self.report.spent("input", started)
        self.data(data, summary, False)
        progress(len(data))

    def data(self, data: bytes, summary: SourceSummary, ndjson: bool) -> None:
        """Validate the bytes of a document: one JSON document, or NDJSON."""
        if data.startswith(UTF8_BOM):
            data = data[len(UTF8_BOM) :]
        if ndjson:
            self.lines(held(data.split(b"\n"), len(data), self.options.limits), 0, summary)
            return
        if not data or data.isspace():
            self.input_error(summary, self.say("empty"))
            return
        if len(data) > self.options.max_document_bytes:
            self.input_error(summary, self.over("too_large"))
            return
        started = time.process_time()
        try:
            if too_many_values(data, self.options.max_json_values):
                raise _TooManyValuesError
            doc = orjson.loads(data)
        except (orjson.JSONDecodeError, _TooManyValuesError) as exc:
            if looks_like_ndjson(data):
                self.lines(held(data.split(b"\n"), len(data), self.options.limits), 0, summary)
            elif isinstance(exc, _TooManyValuesError):
                self.input_error(summary, self.over("too_many_values"))
            else:
                self.bad_json(data, exc, summary, None)
            return
        if self.options.duplicate_keys and duplicates.suspect(data, doc):
            self.repeated_names(data, summary, None)
        self.report.spent("input", started)
        self.document(doc, summary, None, "")

    def repeated_names(self, raw: bytes, summary: SourceSummary, line: int | None) -> None:
        """Warn about names repeated in an object of a JSON text (see :mod:`.duplicates`)."""
        found = duplicates.findings(raw, self.options.lang)
        if found:
            item = Item(None, None, None, found, source=summary.source, line=line)
            self.report.add_document(item)


class _TooManyValuesError(Exception):
    """A document over the value limit, which may still be NDJSON of small lines."""
