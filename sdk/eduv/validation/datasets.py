"""Validating a whole dataset: every object against its message, then the dataset rules.

Objects are checked in the API version the dataset declares for them (its ``shapes``);
rule violations are attached to the object their first pointer lands in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from eduv.dataset import Dataset, DatasetError, dataset_from_json, load_dataset
from eduv.dataset.judged import judged_range
from eduv.findings import Finding
from eduv.spec import Lang
from eduv.validation.engine import check, target
from eduv.validation.report import Item, Report, SourceSummary


def load(path: str, report: Report, summary: SourceSummary) -> Dataset | None:
    """Read a dataset file or folder; problems become input errors."""
    try:
        return load_dataset(path)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(problem, summary)
        return None


def from_document(
    document: Any, source: str, report: Report, summary: SourceSummary
) -> Dataset | None:
    try:
        return dataset_from_json(document, source)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(problem, summary)
        return None


def check_dataset(
    dataset: Dataset,
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

    The rules judge the days of ``as_of``, ``between`` or, by default, every day the
    dataset's data covers; the summary of the source records which days, and why.
    """
    items: dict[str, Item] = {}
    for where, collection, obj in dataset.iter_objects():
        version = dataset.shapes.get(collection.api)
        goal = target(collection.api, version, collection.component, strict=strict)
        findings = check(goal, obj, lang, False)
        item = Item(goal.api, goal.version, goal.message, findings, source=source, location=where)
        items[where] = item
    if rules:
        from eduv.rules import check_dataset as rule_findings

        judged = judged_range(dataset, as_of=as_of, between=between)
        summary.judged = judged
        found = rule_findings(dataset, date_range=(judged.begin, judged.end), lang=lang)
        _attach_rules(found, items, source)
    for item in items.values():
        report.add(item, summary)


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
