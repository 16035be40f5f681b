"""Validate Edu-V messages and datasets: schema errors plus rule violations, in a report.

>>> from eduv import validate
>>> report = validate({"status": "11"}, api="association", message="StatusResponse")
>>> report.valid, report.items[0].findings[0].instance_path
(False, '/status')

Give the API, version (default: the current one, or ``t``/``t-1``) and message name,
or leave the message out to have it recognised from the content when that is
unambiguous. A list is validated as a list of the message. Pydantic models from
``eduv.models`` carry their own API, version and message. A
:class:`eduv.dataset.Dataset`, or a path to a file or folder, is validated as a whole.

The report's JSON form is described by ``spec/report/1/report.json``
(:func:`report_schema`); validators are compiled once per (api, version, message).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import orjson

from eduv import spec
from eduv._detect import DetectionError, detect
from eduv._engine import Target, check, rules_available
from eduv._i18n import LANGS, Lang
from eduv._paths import spec_root
from eduv._report import Finding, InputError, Item, Report, SourceSummary
from eduv._runner import Options, run

__all__ = [
    "DetectionError",
    "Finding",
    "InputError",
    "Item",
    "Report",
    "SourceSummary",
    "report_schema",
    "validate",
    "validate_dataset",
    "validate_paths",
]


def _lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def _model_identity(instance: Any) -> tuple[str, str, str] | None:
    """(api, version, message) of a generated model instance, else None."""
    module_name = type(instance).__module__
    parts = module_name.split(".")
    if len(parts) != 4 or parts[:2] != ["eduv", "models"] or not parts[3].startswith("v"):
        return None
    api = parts[2].replace("_", "-")
    version = parts[3][1:].replace("_", ".")
    import sys

    table: Mapping[str, type] = getattr(sys.modules[module_name], "MESSAGES", {})
    for message, cls in table.items():
        if cls is type(instance):
            return api, version, message
    return None


def _plain(instance: Any) -> Any:
    dump = getattr(instance, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True)
    if (
        isinstance(instance, list)
        and instance
        and callable(getattr(instance[0], "model_dump", None))
    ):
        return [_plain(element) for element in instance]
    return instance


def validate(
    instance: Any,
    api: str | None = None,
    version: str | None = None,
    message: str | None = None,
    *,
    lang: str = "en",
    rules: bool = True,
    strict: bool = False,
    as_of: str | None = None,
) -> Report:
    """Validate one message, a list of messages, a model, a dataset, or a file or folder.

    Files and folders are given as :class:`pathlib.Path` (a ``str`` is a JSON string).

    ``strict`` also reports properties the schema does not define (the schemas allow
    them, so that newer providers do not break older consumers). Unknown API, version
    or message names raise :class:`eduv.spec.SpecLookupError`; a payload whose message
    cannot be recognised raises :class:`DetectionError`.
    """
    chosen = _lang(lang)
    if isinstance(instance, os.PathLike):  # a str is a JSON string payload, not a path
        return validate_paths(
            [os.fspath(instance)],
            api=api,
            version=version,
            message=message,
            lang=chosen,
            rules=rules,
            strict=strict,
            as_of=as_of,
        )
    if _is_dataset(instance):
        return validate_dataset(instance, as_of=as_of, lang=chosen, rules=rules, strict=strict)
    sample = instance[0] if isinstance(instance, list) and instance else instance
    identity = _model_identity(sample)
    if identity is not None and message is None:
        api, version, message = identity
    payload = _plain(instance)
    goal = _target(payload, api, version, message, strict)
    report = Report(lang=chosen, rules=rules and rules_available())
    findings = check(goal, payload, chosen, rules)
    item = Item(goal.api, goal.version, goal.message, findings, detected=message is None)
    report.messages = 1
    report.invalid = 0 if item.valid else 1
    for finding in findings:
        report.finding_counts[finding.kind] += 1
    report.items.append(item)
    return report


def _target(
    payload: Any, api: str | None, version: str | None, message: str | None, strict: bool
) -> Target:
    if message is None:
        found = detect(payload, api, version)
        return Target(found.api, found.version, found.message, found.array, strict)
    if api is None:
        raise spec.SpecLookupError(f"message {message!r} needs an API (api=...)")
    api_id, resolved = spec.resolve_version(api, version)
    document = spec.schema(api_id, resolved, message)
    is_list = isinstance(payload, list) and document.get("type") != "array"
    return Target(api_id, resolved, message, is_list, strict)


def _is_dataset(instance: Any) -> bool:
    return type(instance).__name__ == "Dataset" and type(instance).__module__.startswith(
        "eduv.dataset"
    )


def validate_dataset(
    dataset: Any,
    *,
    as_of: str | None = None,
    lang: str = "en",
    rules: bool = True,
    strict: bool = False,
) -> Report:
    """Validate every object of a dataset against its message, then the dataset rules.

    ``dataset`` is an :class:`eduv.dataset.Dataset` or the path of a dataset file or
    folder (problems reading it are input errors in the report).
    """
    from eduv import _datasets

    chosen = _lang(lang)
    report = Report(lang=chosen, rules=rules and _datasets.dataset_rules() is not None)
    source = "<dataset>" if _is_dataset(dataset) else os.fspath(dataset)
    summary = report.source(source)
    loaded = dataset if _is_dataset(dataset) else _datasets.load(source, report, summary)
    if loaded is not None:
        _datasets.check_dataset(
            loaded, source, report, summary, lang=chosen, rules=rules, strict=strict, as_of=as_of
        )
    return report


def validate_paths(
    paths: Sequence[str],
    *,
    api: str | None = None,
    version: str | None = None,
    message: str | None = None,
    lang: str = "en",
    rules: bool = True,
    strict: bool = False,
    as_of: str | None = None,
    jobs: int = 1,
    max_items: int | None = 1000,
) -> Report:
    """Validate files and folders (JSON, NDJSON, envelopes, HAR, datasets); ``-`` is stdin.

    Unreadable or malformed input is reported as input errors, never raised.
    """
    if api is not None:
        spec.resolve_version(api, version)  # fail early on unknown names
    options = Options(api, version, message, _lang(lang), rules, strict, max_items, as_of)
    return run(paths, options, jobs=jobs)


@cache
def report_schema() -> Mapping[str, Any]:
    """The JSON Schema of the report's JSON form."""
    document: dict[str, Any] = orjson.loads(
        (spec_root() / "report" / "1" / "report.json").read_bytes()
    )
    return document
