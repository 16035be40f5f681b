"""Validating a whole dataset: every object against its message, then the dataset rules.

Objects are checked in the API version the dataset declares for them (its ``shapes``);
rule violations are attached to the object their first pointer lands in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from eduv._engine import check, rule_finding, target
from eduv._i18n import Lang
from eduv._report import InputError, Item, Report, SourceSummary

if TYPE_CHECKING:  # pragma: no cover
    from eduv.dataset import Dataset

DatasetRules = Callable[..., Iterable[Any]]


@cache
def dataset_rules() -> DatasetRules | None:
    """The rule engine's dataset check, or None when the engine is not installed."""
    try:
        from eduv import rules
    except ImportError:
        return None
    found: DatasetRules | None = getattr(rules, "check_dataset", None)
    return found


def load(path: str, report: Report, summary: SourceSummary) -> Dataset | None:
    """Read a dataset file or folder; problems become input errors."""
    from eduv.dataset import DatasetError, load_dataset

    try:
        return load_dataset(path)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(
                InputError(path, f"{problem.what}: {problem.why}", location=problem.where), summary
            )
        return None


def from_document(
    document: Any, source: str, report: Report, summary: SourceSummary
) -> Dataset | None:
    from eduv.dataset import DatasetError, dataset_from_json

    try:
        return dataset_from_json(document, source)
    except DatasetError as exc:
        for problem in exc.problems:
            report.add_input_error(
                InputError(source, f"{problem.what}: {problem.why}", location=problem.where),
                summary,
            )
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
) -> None:
    """Add one item per object with findings, then the dataset-rule violations."""
    items: dict[str, Item] = {}
    for where, collection, obj in dataset.iter_objects():
        version = dataset.shapes.get(collection.api)
        goal = target(collection.api, version, collection.component, strict=strict)
        findings = check(goal, obj, lang, False)
        item = Item(goal.api, goal.version, goal.message, findings, source=source, location=where)
        items[where] = item
    check_rules = dataset_rules() if rules else None
    if check_rules is not None:
        violations = check_rules(dataset, as_of=as_of, lang=lang)
        _attach_rules(violations, items, source)
    for item in items.values():
        report.add(item, summary)


def _attach_rules(violations: Iterable[Any], items: dict[str, Item], source: str) -> None:
    for violation in violations:
        pointers = tuple(getattr(violation, "pointers", ())) or ("",)
        owner = _owner(items, pointers[0])
        if owner is None:
            owner = Item(None, None, None, source=source, location=pointers[0])
            items[pointers[0] or "/"] = owner
        base = owner.location or ""
        relative = pointers[0][len(base) :] if pointers[0].startswith(base) else pointers[0]
        owner.findings.append(replace(rule_finding(violation), instance_path=relative))


def _owner(items: dict[str, Item], where: str) -> Item | None:
    """The object a pointer lands in: the longest object pointer that prefixes it."""
    probe = where
    while probe:
        found = items.get(probe)
        if found is not None:
            return found
        probe = probe.rpartition("/")[0]
    return None
