"""Validate Edu-V messages and datasets: schema errors plus rule violations, in a report.

>>> from eduv import validate
>>> report = validate({"status": "11"}, api="association", message="StatusResponse")
>>> report.valid, report.items[0].findings[0].instance_path
(False, '/status')

Give the API, version (default: the current one, or ``t``/``t-1``) and message name,
or leave the message out to have it recognised from the content when that is
unambiguous. A list is validated as a list of the message. Pydantic models from
``eduv.models`` carry their own API, version and message. A school dataset
(:class:`eduv.dataset.Dataset`), a chain dataset
(:class:`eduv.dataset.chain.ChainDataset`), or a path to a file or folder of either,
is validated as a whole.

The report's JSON form is described by ``spec/report/2/report.json``
(:func:`report_schema`); validators are compiled once per (api, version, message).

The package's modules, in the order a payload passes them: :mod:`.inputs` reads
files, folders and standard input into documents, :mod:`.dispatch` decides what each
document is (an envelope, a HAR file, a dataset, a bare message) and checks it,
:mod:`.parallel` spreads the work over processes and merges the partial reports in
input order. :mod:`.engine` checks one payload against one message; :mod:`.report`
and :mod:`.render` hold and print the outcome.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from eduv import spec
from eduv.findings import Finding, InputError
from eduv.spec import Lang, parse_lang
from eduv.validation.detect import DetectionError, detect
from eduv.validation.engine import Target, check, number_findings, target
from eduv.validation.inputs import MAX_DOCUMENT_BYTES, MAX_JSON_VALUES, Limits
from eduv.validation.parallel import Options, Progress, run
from eduv.validation.report import Item, Report, SourceSummary

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
    return parse_lang(lang)


def _model_identity(instance: Any) -> tuple[str, str, str] | None:
    """(api, version, message) of a generated model instance, else None."""
    module = type(instance).__module__
    identity = spec.module_identity(module)
    if identity is None or identity[0] != "models":
        return None
    import sys

    table: Mapping[str, type] = getattr(sys.modules[module], "MESSAGES", {})
    for message, cls in table.items():
        if cls is type(instance):
            return identity[1], identity[2], message
    return None


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
    between: tuple[str, str] | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    max_json_values: int = MAX_JSON_VALUES,
) -> Report:
    """Validate one message, a list of messages, a model, a dataset, or a file or folder.

    Files and folders are given as :class:`pathlib.Path` (a ``str`` is a JSON string).

    ``strict`` also reports properties the schema does not define (the schemas allow
    them, so that newer providers do not break older consumers). Unknown API, version
    or message names raise :class:`eduv.spec.SpecLookupError`; a payload whose message
    cannot be recognised raises :class:`DetectionError`. ``max_document_bytes`` and
    ``max_json_values`` limit what one document or NDJSON line read from a file may
    take (see :func:`validate_paths`).
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
            between=between,
            max_document_bytes=max_document_bytes,
            max_json_values=max_json_values,
        )
    if _is_dataset(instance):
        return validate_dataset(
            instance, as_of=as_of, between=between, lang=chosen, rules=rules, strict=strict
        )
    sample = instance[0] if isinstance(instance, list) and instance else instance
    identity = _model_identity(sample)
    if identity is not None and message is None:
        api, version, message = identity
    # Imported here: models mean pydantic, which a run over files never needs to load.
    from eduv.parsing import dump

    payload = dump(instance)
    goal = _target(payload, api, version, message, strict)
    report = Report(lang=chosen, rules=rules)
    # NaN, infinities and numbers of thousands of digits are no JSON: jsonschema-rs
    # would see null or fail, so they are reported as what they are instead.
    findings = number_findings(payload, chosen) or check(goal, payload, chosen, rules)
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
        return replace(found, strict=strict)
    if api is None:
        raise spec.SpecLookupError(f"message {message!r} needs an API (api=...)")
    return target(api, version, message, payload=payload, strict=strict)


def _is_dataset(instance: Any) -> bool:
    kind = type(instance)
    return kind.__name__ in ("Dataset", "ChainDataset") and kind.__module__.startswith(
        "eduv.dataset"
    )


def validate_dataset(
    dataset: Any,
    *,
    as_of: str | None = None,
    between: tuple[str, str] | None = None,
    lang: str = "en",
    rules: bool = True,
    strict: bool = False,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    max_json_values: int = MAX_JSON_VALUES,
) -> Report:
    """Validate every object of a dataset against its message, then the dataset rules.

    ``dataset`` is an :class:`eduv.dataset.Dataset`, an
    :class:`eduv.dataset.chain.ChainDataset` or the path of a dataset file or folder of
    either format (problems reading it are input errors in the report). The rules of a
    school dataset judge every day its data covers (its school periods, else its
    objects' dates), ``as_of`` one day, or ``between`` a range of days, both given as
    ``YYYY-MM-DD`` and both included; the report's source summary says which days were
    judged and why. The rules of a chain dataset do not depend on the day.
    """
    _days(as_of, between)
    from eduv.validation import datasets

    chosen = _lang(lang)
    report = Report(lang=chosen, rules=rules)
    source = "<dataset>" if _is_dataset(dataset) else os.fspath(dataset)
    summary = report.source(source)
    limits = Limits(max_document_bytes, max_json_values)
    loaded = (
        dataset if _is_dataset(dataset) else datasets.load(source, report, summary, limits, chosen)
    )
    if loaded is not None:
        datasets.check_dataset(
            loaded,
            source,
            report,
            summary,
            lang=chosen,
            rules=rules,
            strict=strict,
            as_of=as_of,
            between=between,
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
    between: tuple[str, str] | None = None,
    jobs: int = 1,
    max_items: int | None = 1000,
    progress: Progress | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    max_json_values: int = MAX_JSON_VALUES,
    dask: str | None = None,
    dask_timeout: float = 10.0,
) -> Report:
    """Validate files and folders (JSON, NDJSON, envelopes, HAR, datasets); ``-`` is stdin.

    Unreadable or malformed input is reported as input errors, never raised.
    ``progress`` is called with the number of bytes done as the work advances.

    Input is read in chunks, so memory stays bounded whatever arrives: a document or
    NDJSON line longer than ``max_document_bytes`` (default 64 MiB) and one holding
    more than ``max_json_values`` JSON values (default 2 million; counted before
    parsing, since each value costs a Python object) are input errors, found while
    reading. A message keeps at most :data:`~eduv.validation.report.MAX_ITEM_FINDINGS`
    findings; the rest are counted.

    ``dask`` is the address of a Dask scheduler (``tcp://host:8786``) whose workers
    run the tasks instead of ``jobs`` local processes, reading the inputs themselves
    (paths they share with this process, or URLs fsspec opens); ``dask_timeout`` is
    how long to wait for it and its first worker, in seconds. A cluster that cannot
    do the work raises :class:`eduv.validation.cluster.ClusterError`; standard input
    cannot go to one.
    """
    if api is not None:
        spec.resolve_version(api, version)  # fail early on unknown names
    _days(as_of, between)
    _check_limits(max_document_bytes, max_json_values)
    options = Options(
        api,
        version,
        message,
        _lang(lang),
        rules,
        strict,
        max_items,
        as_of,
        between,
        max_document_bytes,
        max_json_values,
    )
    if dask is not None:
        from eduv.validation import cluster

        return cluster.run(paths, options, dask, progress=progress, timeout=dask_timeout)
    return run(paths, options, jobs=jobs, progress=progress)


def _days(as_of: str | None, between: tuple[str, str] | None) -> None:
    """Refuse a day that is not one, or both options at once, before any work starts."""
    from eduv.dataset.judged import check_days

    check_days(as_of, between)


def _check_limits(max_document_bytes: int, max_json_values: int) -> None:
    if max_document_bytes < 1 or max_json_values < 1:
        raise ValueError("max_document_bytes and max_json_values must be at least 1")


def report_schema() -> Mapping[str, Any]:
    """The JSON Schema of the report's JSON form."""
    return spec.document("report/2/report.json")
