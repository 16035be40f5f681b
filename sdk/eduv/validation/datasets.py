"""Validating a whole dataset: every object against its message, then the dataset rules.

Both formats are read here: a school dataset (format 1) and a chain dataset (format 2),
told apart by their ``datasetVersion``. Objects are checked in the API version the
dataset declares for them (its ``shapes``); rule violations are attached to the object
their first pointer lands in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from eduv.dataset import Dataset, DatasetError, dataset_from_json, load_dataset
from eduv.dataset.chain import (
    CHAIN_DATASET_VERSION,
    ChainDataset,
    chain_dataset_from_json,
    load_chain_dataset,
)
from eduv.dataset.files import Guard
from eduv.dataset.judged import judged_range
from eduv.findings import Finding, InputError
from eduv.spec import Lang
from eduv.validation import duplicates, inputs
from eduv.validation._i18n import label
from eduv.validation.engine import check, target
from eduv.validation.inputs import Limits
from eduv.validation.report import Item, Report, SourceSummary

AnyDataset = Dataset | ChainDataset


def _format(path: Path, limit: int) -> object:
    """The datasetVersion a dataset file or folder declares (None when it cannot be read)."""
    header = path / "dataset.json" if path.is_dir() else path
    try:
        with header.open("rb") as handle:
            data = inputs.read_bounded(handle.read, limit)
        doc = orjson.loads(data) if data is not None else None
    except (OSError, orjson.JSONDecodeError):
        return None  # the format-1 reader explains what is wrong
    return doc.get("datasetVersion") if isinstance(doc, dict) else None


def load(
    path: str,
    report: Report,
    summary: SourceSummary,
    limits: Limits = inputs.DEFAULT_LIMITS,
    lang: Lang = "en",
) -> AnyDataset | None:
    """Read a dataset file or folder of either format; problems become input errors.

    A file is read once, in chunks and within ``limits``, so that a pipe or a device
    (``/dev/null``, a FIFO) is read like a file and endless input stops at the limit.
    """
    where = Path(path)
    if not where.is_dir() and where.exists():
        doc = _read_document(where, report, summary, limits, lang)
        return None if doc is None else from_document(doc, path, report, summary)
    guard = _guard(report, limits, lang)
    try:
        if _format(where, limits.document_bytes) == CHAIN_DATASET_VERSION:
            return load_chain_dataset(path, guard)
        return load_dataset(path, guard)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(problem, summary)
        return None


def _guard(report: Report, limits: Limits, lang: Lang) -> Guard:
    """How the files of a dataset folder are read: within the limits, repeated names found."""

    def refuse(raw: bytes) -> str | None:
        if inputs.too_many_values(raw, limits.json_values):
            return inputs.limit_message(lang, "too_many_values", limits)
        return None

    def parsed(path: Path, line: int | None, raw: bytes, value: Any) -> None:
        if duplicates.suspect(raw, value):
            found = duplicates.findings(raw, lang)
            report.add_document(Item(None, None, None, found, source=str(path), line=line))

    return Guard(
        max_bytes=limits.document_bytes,
        too_large=inputs.limit_message(lang, "too_large", limits),
        too_long=inputs.limit_message(lang, "line_too_long", limits),
        refuse=refuse,
        parsed=parsed,
    )


def _read_document(
    path: Path, report: Report, summary: SourceSummary, limits: Limits, lang: Lang
) -> Any:
    """The parsed JSON of a dataset file, or None after adding why it cannot be read."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = inputs.read_bounded(handle.read, limits.document_bytes)
    except OSError as exc:
        data, problem = None, label(lang, "unreadable", reason=exc.strerror or exc)
    else:
        problem = inputs.limit_message(lang, "too_large", limits) if data is None else ""
    if data is not None:
        data = data.removeprefix(inputs.UTF8_BOM)
        if not data or data.isspace():
            problem = label(lang, "empty")
        elif inputs.too_many_values(data, limits.json_values):
            problem = inputs.limit_message(lang, "too_many_values", limits)
        else:
            try:
                doc = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                problem = inputs.decode_problem(data, exc, lang)[0]
            else:
                if duplicates.suspect(data, doc):
                    found = duplicates.findings(data, lang)
                    report.add_document(Item(None, None, None, found, source=source))
                return doc
    report.add_input_error(InputError(source, problem), summary)
    return None


def from_document(
    document: Any, source: str, report: Report, summary: SourceSummary
) -> AnyDataset | None:
    try:
        if isinstance(document, dict) and document.get("datasetVersion") == CHAIN_DATASET_VERSION:
            return chain_dataset_from_json(document, source)
        return dataset_from_json(document, source)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(problem, summary)
        return None


def check_dataset(
    dataset: AnyDataset,
    source: str,
    report: Report,
    summary: SourceSummary,
    *,
    lang: Lang,
    rules: bool,
    strict: bool = False,
    as_of: str | None = None,
    between: tuple[str, str] | None = None,
) -> None:
    """Add one item per object with findings, then the dataset-rule findings.

    The rules of a school dataset judge the days of ``as_of``, ``between`` or, by
    default, every day the dataset's data covers; the summary of the source records
    which days, and why. The rules of a chain dataset do not depend on the day.
    """
    started = time.process_time()
    items: dict[str, Item] = {}
    for where, api, component, obj in _objects(dataset):
        goal = target(api, dataset.shapes.get(api), component, strict=strict)
        findings = check(goal, obj, lang, False)
        item = Item(goal.api, goal.version, goal.message, findings, source=source, location=where)
        items[where] = item
    started = report.spent("schemas", started)
    if rules:
        _attach_rules(_rule_findings(dataset, summary, lang, as_of, between), items, source)
        report.spent("rules", started)
    for item in items.values():
        report.add(item, summary)


def _rule_findings(
    dataset: AnyDataset,
    summary: SourceSummary,
    lang: Lang,
    as_of: str | None,
    between: tuple[str, str] | None,
) -> list[Finding]:
    # Imported here: a run with rules off never loads the engine and its catalogue.
    from eduv.rules import check_chain_dataset, check_dataset

    if isinstance(dataset, ChainDataset):
        return check_chain_dataset(dataset, lang)
    judged = judged_range(dataset, as_of=as_of, between=between)
    summary.judged = judged
    return check_dataset(dataset, date_range=(judged.begin, judged.end), lang=lang)


def _objects(dataset: AnyDataset) -> Iterator[tuple[str, str, str, Any]]:
    """(pointer, api, component, object) for every API object of either format."""
    if isinstance(dataset, ChainDataset):
        yield from dataset.iter_objects()
        return
    for where, collection, obj in dataset.iter_objects():
        yield where, collection.api, collection.component, obj


def _attach_rules(found: Iterable[Finding], items: dict[str, Item], source: str) -> None:
    for finding in found:
        where = finding.instance_path
        owner = _owner(items, where)
        if owner is None:
            owner = Item(None, None, None, source=source, location=where)
            items[where or "/"] = owner
        base = owner.location or ""
        relative = where[len(base) :] if where.startswith(base) else where
        owner.findings.append(replace(finding, instance_path=relative))


def _owner(items: dict[str, Item], where: str) -> Item | None:
    """The object a pointer lands in: the longest object pointer that prefixes it."""
    probe = where
    while probe:
        found = items.get(probe)
        if found is not None:
            return found
        probe = probe.rpartition("/")[0]
    return None
