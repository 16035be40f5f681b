"""Observe-mode checks of the API conventions: schemas, headers, status codes, security.

Each check looks at one concern only, so that a broken convention fails exactly the
check that names it: the checks of status codes accept ``"0023"`` as 23 and leave the
type of the code to EDUV-CONF-STATUS-001, the schema check leaves the API-Version
header to EDUV-CONF-HDR-001, and so on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from eduv import spec
from eduv.conformance.model import Note
from eduv.conformance.reads import (
    ObserveContext,
    Observed,
    allowed,
    judge,
    path_lists,
    probe_operation,
    read_params,
    school_params,
)
from eduv.conformance.session import TokenFailedError, list_operations
from eduv.conformance.tally import Tally
from eduv.pointer import pointer
from eduv.spec import Operation

UNKNOWN_SCHOOL = "999Z999"
UNSUPPORTED_VERSION = "99.0.0"
BAD_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJub2JvZHkifQ."  # unsigned: must be refused


def _body(item: Observed) -> Any:
    try:
        return item.answer.json()
    except ValueError:
        return None


def declared_version(item: Observed) -> str:
    """The version an answer says it is in, when that is a version of the API."""
    header = item.answer.header("api-version")
    known = spec.versions(item.op.api)
    return header if header in known else item.op.version


# -- schemas, headers, status bodies ------------------------------------------------------


def _judged(ctx: ObserveContext) -> Iterator[Observed]:
    """The answers of the pairs observe mode covers (a version preflight found not
    served has its one verdict there, not a finding in every passive check)."""
    pairs = set(ctx.pairs)
    return (i for i in ctx.observed if (i.op.api, i.op.version) in pairs)


def schema_valid(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-SCHEMA-001")
    for item in _judged(ctx):
        if item.purpose != "read" or not item.objects():
            continue
        body = item.op.success[1]
        if body is None:
            continue
        validator = spec.validator(item.op.api, declared_version(item), body.message)
        for index, obj in enumerate(item.objects()):
            errors = list(validator.iter_errors(obj))
            if not errors:
                judge(tally, item, None)
            for error in errors:
                schema_problem(tally, item, index, body.message, error)
    return tally.results(ctx.pairs)


def schema_problem(tally: Tally, item: Observed, index: int, message: str, error: Any) -> None:
    """One finding per schema error: one object can break its schema more than once."""
    inside = pointer(error.instance_path)
    kind = error.kind
    distinct = pointer(error.schema_path) + "|" + str(getattr(kind, "property", "") or "")
    params = {"component": message, "pointer": inside or "/", "error": error.message}
    judge(tally, item, "schema", params, index=index, pointer=inside, distinct=distinct)


def version_header(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-HDR-001")
    for item in _judged(ctx):
        if item.answer.status is None or item.requested_version not in spec.versions(item.op.api):
            continue
        got = item.answer.header("api-version")
        params = {
            "operation": item.op.operation_id,
            "got": "-" if got is None else got,
            "expected": item.requested_version,
        }
        key = None if got == item.requested_version else "header"
        judge(tally, item, key, params, distinct=item.purpose)
    return tally.results(ctx.pairs)


def status_bodies(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-STATUS-001")
    for item in _judged(ctx):
        status = item.answer.status
        if status is None or status < 400 or status == 401:
            continue
        validator = spec.validator(item.op.api, item.op.version, "StatusResponse")
        body = _body(item)
        if body is not None and validator.is_valid(body):
            judge(tally, item, None)
            continue
        params = {"operation": item.op.operation_id, "status": status}
        key = "no-json" if body is None else "not-status-response"
        if body is not None:
            params["body"] = _short(body)
        judge(tally, item, key, params, distinct=item.purpose)
    return tally.results(ctx.pairs)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


# -- probes -----------------------------------------------------------------------------------


def _probes(ctx: ObserveContext) -> Iterator[tuple[str, str, Operation, str | None]]:
    """(api, version, operation, school) for each pair: what a probe calls (no school for
    an API about none, which needs no school configured)."""
    for api, version in ctx.pairs:
        op = probe_operation(api, version)
        if op is None:
            continue
        schools = ctx.testable(api, version)
        if schools:
            yield api, version, op, schools[0].id
        elif not school_params(op, "-"):
            yield api, version, op, None


def expect_refusal(
    tally: Tally,
    item: Observed,
    http: int,
    code: int,
    what: dict[str, Any],
    key: str = "refusal",
) -> None:
    """Judge an answer that must be a refusal with HTTP ``http`` and status ``code``."""
    got = item.answer.status
    found = spec.status_code(_body(item))
    params = {
        **what,
        "status": got,
        "code": "-" if found is None else found,
        "expected_status": http,
        "expected_code": code,
    }
    judge(tally, item, None if got == http and found == code else key, params)


def _unauthenticated(ctx: ObserveContext, check_id: str, token: str | None) -> list[Any]:
    tally = Tally(check_id)
    for _api, _version, op, school in _probes(ctx):
        params = read_params(ctx.cfg, op, school)
        item = ctx.read(op, school, params, token=token, purpose=check_id.split("-")[-2])
        problems = _unauthenticated_problems(item)
        for key, params in problems:
            judge(tally, item, key, {"operation": op.operation_id, **params})
        if not problems:
            judge(tally, item, None)
    return tally.results(ctx.pairs)


def _unauthenticated_problems(item: Observed) -> list[tuple[str, dict[str, Any]]]:
    problems: list[tuple[str, dict[str, Any]]] = []
    if item.answer.status != 401:
        problems.append(("status", {"status": item.answer.status}))
    if item.answer.content:
        problems.append(("body", {"bytes": len(item.answer.content)}))
    challenge = item.answer.header("www-authenticate") or ""
    if not challenge.lower().startswith("bearer"):
        problems.append(("challenge", {}))
    return problems


def no_token(ctx: ObserveContext) -> list[Any]:
    return _unauthenticated(ctx, "EDUV-CONF-AUTH-001", None)


def bad_token(ctx: ObserveContext) -> list[Any]:
    return _unauthenticated(ctx, "EDUV-CONF-AUTH-002", BAD_TOKEN)


def _other_scopes(ctx: ObserveContext, op: Operation) -> list[str]:
    held = ctx.grant.scopes if ctx.grant else frozenset()
    return sorted(s for s in held if s not in op.scopes)[:1]


def missing_scope(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-SCOPE-001")
    cred = ctx.session.credential()
    for api, version, op, school in _probes(ctx):
        other = _other_scopes(ctx, op)
        if cred is None or not other:
            tally.skip(api, version, "no-other-scope")
            continue
        try:
            grant = ctx.session.grant(cred, other)
        except TokenFailedError as exc:
            tally.skip(api, version, "no-narrow-token", error=exc.reason)
            continue
        params = read_params(ctx.cfg, op, school)
        item = ctx.read(op, school, params, token=grant.token, purpose="scope")
        expect_refusal(tally, item, 403, 21, {"operation": op.operation_id, "scope": other[0]})
    return tally.results(ctx.pairs)


def _reduced_scopes(api: str, version: str) -> list[str] | None:
    """The smallest scope set that can read the API: its basic scope, if it has others."""
    scopes = spec.api_version(api, version).scopes
    basic = [s for s in scopes if s.endswith(".basic")]
    return basic if basic and len(scopes) > len(basic) else None


def _field_scopes(api: str, version: str, message: str) -> dict[str, set[str]]:
    props = spec.schema(api, version, message).get("properties", {})
    return {name: set(p.get("x-eduv-scopes", ())) for name, p in props.items()}


def data_minimisation(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-SCOPE-002")
    cred = ctx.session.credential()
    pairs = [(a, v) for a, v in ctx.pairs if _reduced_scopes(a, v)]
    for api, version in pairs:
        reduced = _reduced_scopes(api, version) or []
        if cred is None:
            tally.skip(api, version, "no-credential")
            continue
        try:
            grant = ctx.session.grant(cred, reduced)
        except TokenFailedError as exc:
            tally.skip(api, version, "no-narrow-token", error=exc.reason)
            continue
        for op in list_operations(api, version):
            for school in ctx.testable(api, version):
                item = ctx.read(
                    op, school.id, {"orgMasterId": school.id}, token=grant.token, purpose="minimal"
                )
                _judge_fields(tally, item, grant.scopes or frozenset(reduced))
    return tally.results(pairs)


def _judge_fields(tally: Tally, item: Observed, scopes: Iterable[str]) -> None:
    body = item.op.success[1]
    if body is None:
        return
    held = set(scopes)
    needs = _field_scopes(item.op.api, item.op.version, body.message)
    for index, obj in enumerate(item.objects()):
        extra = sorted(k for k in obj if needs.get(k) and not needs[k] & held)
        if not extra:
            judge(tally, item, None)
        for member in extra:
            params = {
                "operation": item.op.operation_id,
                "member": member,
                "scopes": ", ".join(sorted(held)),
                "needs": ", ".join(sorted(needs[member])),
            }
            judge(tally, item, "member", params, index=index, pointer="/" + member)


def unknown_school(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-ORG-001")
    known = {s.id for s in ctx.cfg.schools}
    if UNKNOWN_SCHOOL in known:
        return tally.results(ctx.pairs, Note("probe-school-known", {"school": UNKNOWN_SCHOOL}))
    for api, version, probe, _school in _probes(ctx):
        op = _school_read(api, version, probe)
        if op is None:
            continue  # an API about no school (the catalogue) has no school to refuse
        params = read_params(ctx.cfg, op, UNKNOWN_SCHOOL)
        item = ctx.read(op, UNKNOWN_SCHOOL, params, purpose="org")
        what = {"operation": op.operation_id, "school": UNKNOWN_SCHOOL}
        expect_refusal(tally, item, 400, 23, what)
    return tally.results(ctx.pairs)


def _school_read(api: str, version: str, probe: Operation) -> Operation | None:
    """A read that names a school: the probe, or one that names it in the path (Consent
    0.0.2); ``None`` for an API about no school."""
    if school_params(probe, UNKNOWN_SCHOOL):
        return probe
    named = [o for o in path_lists(api, version) if "edu_org_id" in o.parameter_in]
    return named[0] if named and allowed(named[0]) else None


def unsupported_version(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-VER-001")
    for _api, _version, op, school in _probes(ctx):
        item = ctx.read(
            op,
            school,
            read_params(ctx.cfg, op, school),
            version_header=UNSUPPORTED_VERSION,
            purpose="version",
        )
        what = {"operation": op.operation_id, "version": UNSUPPORTED_VERSION}
        expect_refusal(tally, item, 400, 12, what)
    return tally.results(ctx.pairs)


def unknown_object(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-NOTFOUND-001")
    missing = str(uuid.UUID(int=0x5EED))
    for api, version in ctx.pairs:
        lookups = [o for o in spec.operations(api, version) if "id" in o.parameter_in]
        schools = ctx.testable(api, version)
        if not lookups or not schools:
            continue
        school = schools[0].id
        for op in lookups:
            params = {"id": missing, **school_params(op, school)}
            item = ctx.read(op, school, params, purpose="404")
            status = item.answer.status
            params = {"operation": op.operation_id, "status": status}
            judge(tally, item, None if status == 404 else "status", params)
    return tally.results(ctx.pairs)
