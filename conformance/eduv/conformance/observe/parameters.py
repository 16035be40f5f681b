"""EDUV-CONF-PARAM-001: a request that breaks a rule between its parameters is refused.

The parameters' own texts tie some of them together: ``orgId`` goes with ``orgIdType``,
a school is named by its RIO code or by another key with its type, ``filterByOrgId``
asks about ``orgId`` only. The spec states each tie as a rule over the parameters
(:func:`eduv.params.parameter_rules`; the reference provider publishes the same rules in
its OpenAPI documents as ``x-eduv-parameter-rules``). For each list of a school's objects,
the suite turns the request it sends for the first testable school into one that breaks
one rule while every parameter stays valid on its own and every other rule holds, and
expects HTTP 400 with a StatusResponse. Taking such a request as fine is a warning (the
ties are read from the parameters' texts); a server error is an error, since every one
of these operations documents HTTP 400 for a request it cannot take.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from eduv import spec
from eduv.conformance.http import Answer
from eduv.conformance.reads import ObserveContext, allowed, school_params, where
from eduv.conformance.tally import Tally
from eduv.params import parameter_rules, query_pairs
from eduv.spec import Operation

CHECK_ID = "EDUV-CONF-PARAM-001"


def broken_parameters(ctx: ObserveContext) -> list[Any]:
    tally = Tally(CHECK_ID)
    for api, version in ctx.pairs:
        schools = ctx.testable(api, version)
        if not schools:
            continue
        school = schools[0].id
        for op in _school_lists(api, version):
            for rule, params in violations(op, school_params(op, school)):
                item = ctx.read(op, school, params, purpose="parameters")
                got = item.answer.status
                if got == 400 and spec.status_code(_body(item.answer)) is not None:
                    tally.ok(api, version)
                    continue
                key, severity, kind = _verdict(op, got)
                what = {
                    "operation": op.operation_id,
                    "rule": _compact(rule),
                    "query": "&".join(f"{k}={v}" for k, v in query_pairs(op, params)),
                    "status": got,
                }
                tally.problem(
                    api,
                    version,
                    key,
                    what,
                    where=where(item),
                    severity=severity,
                    subject=op.operation_id,
                    distinct=_compact(rule),
                    source_kind=kind,
                )
    return tally.results(ctx.pairs)


def _body(answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _verdict(op: Operation, status: int | None) -> tuple[str, Any, str]:
    """The message key, severity and source kind of an answer that is not the refusal."""
    if status is None:
        return "other", "warning", "inferred"
    if status >= 500:
        documented = "400" in op.responses
        return "server-error", "error" if documented else "warning", "normative"
    if 200 <= status < 300:
        return "accepted", "warning", "inferred"
    return "other", "warning", "inferred"


def _school_lists(api: str, version: str) -> Iterator[Operation]:
    """The read-only operations without path parameters whose parameters have rules."""
    for op in spec.operations(api, version):
        if allowed(op) and "path" not in op.parameter_in.values() and parameter_rules(op):
            yield op


Params = dict[str, Any]


def violations(op: Operation, base: Mapping[str, Any]) -> list[tuple[Params, Params]]:
    """(rule, parameters) for each rule of ``op`` that a change of ``base`` can break alone.

    The candidates change ``base`` as little as possible: leave out the parameters the
    rule names, or add one of them. The first candidate that breaks this rule, keeps
    the others and gives every parameter a valid value is the request to send.
    """
    rules = parameter_rules(op)
    checks = [_validator(orjson.dumps(rule)) for rule in rules]
    each = _each_valid(op.api, op.version, op.parameters)
    found: list[tuple[Params, Params]] = []
    for index, rule in enumerate(rules):
        for candidate in _candidates(op, base, sorted(_names(rule))):
            if (
                each.is_valid(candidate)
                and not checks[index].is_valid(candidate)
                and all(c.is_valid(candidate) for i, c in enumerate(checks) if i != index)
            ):
                found.append((rule, candidate))
                break
    return found


def _candidates(
    op: Operation, base: Mapping[str, Any], names: list[str]
) -> Iterator[dict[str, Any]]:
    yield {k: v for k, v in base.items() if k not in names}
    samples = _properties(op)
    for name in names:
        if name not in base and name in samples:
            yield {**base, name: _sample(samples[name], base)}
    for name in names:
        if name in base:
            yield {k: v for k, v in base.items() if k != name}


def _sample(schema: Mapping[str, Any], base: Mapping[str, Any]) -> Any:
    """A value the parameter's own schema takes (a school key for a free text)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "boolean":
        return True  # rules forbid the filter switched on, never switched off
    if kind == "integer":
        return 1
    return next((v for v in base.values() if isinstance(v, str)), "1")


def _names(node: Any) -> set[str]:
    """The parameter names a rule speaks of."""
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "required":
                names.update(value)
            elif key in ("properties", "dependentRequired"):
                names.update(value)
                if key == "dependentRequired":
                    for needed in value.values():
                        names.update(needed)
            if key != "required":
                names |= _names(value)
    elif isinstance(node, list):
        for value in node:
            names |= _names(value)
    return names


def _properties(op: Operation) -> dict[str, Any]:
    schema = spec.schema(op.api, op.version, op.parameters)
    return dict(schema.get("properties", {}))


@cache
def _each_valid(api: str, version: str, message: str) -> Any:
    """The parameters schema without its rules: each parameter valid on its own."""
    schema = spec.schema(api, version, message)
    alone = {"$id": schema["$id"], "type": "object", "properties": schema.get("properties", {})}
    registry = spec.registry(api, version)
    return jsonschema_rs.validator_for(alone, registry=registry, validate_formats=True)


@cache
def _validator(schema: bytes) -> Any:
    return jsonschema_rs.validator_for(orjson.loads(schema))


def _compact(rule: Mapping[str, Any]) -> str:
    return orjson.dumps(rule, option=orjson.OPT_SORT_KEYS).decode()
