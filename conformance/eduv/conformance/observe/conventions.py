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
from eduv.conformance.reads import ObserveContext, Observed, judge, probe_operation
from eduv.conformance.session import TokenFailedError, list_operations
from eduv.conformance.tally import Tally
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


def schema_valid(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-SCHEMA-001")
    for item in ctx.observed:
        if item.purpose != "read" or not item.objects():
            continue
        body = item.op.success[1]
        if body is None:
            continue
        version = declared_version(item)
        validator = spec.validator(item.op.api, version, body.message)
        for obj in item.objects():
            errors = list(validator.iter_errors(obj))
            problem = None
            if errors:
                first = errors[0]
                where = "/" + "/".join(str(p) for p in first.instance_path)
                problem = f"{item.op.operation_id}: a {body.message} at {where}: {first.message}"
            judge(tally, item, problem)
    return tally.results(ctx.pairs)


def version_header(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-HDR-001")
    for item in ctx.observed:
        if item.answer.status is None or item.requested_version not in spec.versions(item.op.api):
            continue
        got = item.answer.header("api-version")
        problem = (
            f"{item.op.operation_id} ({item.purpose}): API-Version {got!r}, "
            f"expected {item.requested_version}"
        )
        judge(tally, item, None if got == item.requested_version else problem)
    return tally.results(ctx.pairs)


def status_bodies(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-STATUS-001")
    for item in ctx.observed:
        status = item.answer.status
        if status is None or status < 400 or status == 401:
            continue
        validator = spec.validator(item.op.api, item.op.version, "StatusResponse")
        body = _body(item)
        if body is not None and validator.is_valid(body):
            judge(tally, item, None)
            continue
        shown = "no JSON body" if body is None else f"body {_short(body)}"
        judge(tally, item, f"{item.op.operation_id} ({item.purpose}): HTTP {status} with {shown}")
    return tally.results(ctx.pairs)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 120 else text[:117] + "..."


# -- probes -----------------------------------------------------------------------------------


def _probes(ctx: ObserveContext) -> Iterator[tuple[str, str, Operation, str]]:
    """(api, version, operation, school) for each pair: what a probe calls."""
    if not ctx.schools:
        return
    for api, version in ctx.pairs:
        op = probe_operation(api, version)
        if op is not None:
            yield api, version, op, ctx.schools[0].id


def _expect_refusal(tally: Tally, item: Observed, http: int, code: int, what: str) -> None:
    got = item.answer.status
    found = spec.status_code(_body(item))
    problem = f"{what}: HTTP {got} with status {found}, expected HTTP {http} with status {code}"
    judge(tally, item, None if got == http and found == code else problem)


def _unauthenticated(ctx: ObserveContext, check_id: str, token: str | None) -> list[Any]:
    tally = Tally(check_id)
    for _api, _version, op, school in _probes(ctx):
        item = ctx.read(
            op, school, {"orgMasterId": school}, token=token, purpose=check_id.split("-")[-2]
        )
        judge(tally, item, "; ".join(_unauthenticated_problems(item)) or None)
    return tally.results(ctx.pairs)


def _unauthenticated_problems(item: Observed) -> list[str]:
    problems = []
    if item.answer.status != 401:
        problems.append(f"HTTP {item.answer.status}, expected 401")
    if item.answer.content:
        problems.append(f"a body of {len(item.answer.content)} bytes, expected none")
    challenge = item.answer.header("www-authenticate") or ""
    if not challenge.lower().startswith("bearer"):
        problems.append("no WWW-Authenticate header naming the Bearer scheme")
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
            tally.skip(api, version, "the credential holds no scope outside this API")
            continue
        try:
            grant = ctx.session.grant(cred, other)
        except TokenFailedError as exc:
            tally.skip(api, version, f"no token with fewer scopes: {exc}")
            continue
        item = ctx.read(op, school, {"orgMasterId": school}, token=grant.token, purpose="scope")
        _expect_refusal(tally, item, 403, 21, f"{op.operation_id} with only {other[0]}")
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
            tally.skip(api, version, "no credential with consent is configured")
            continue
        try:
            grant = ctx.session.grant(cred, reduced)
        except TokenFailedError as exc:
            tally.skip(api, version, f"no token with only {', '.join(reduced)}: {exc}")
            continue
        for op in list_operations(api, version):
            for school in ctx.schools:
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
    for obj in item.objects():
        extra = sorted(k for k in obj if needs.get(k) and not needs[k] & held)
        problem = (
            f"{item.op.operation_id}: served {', '.join(extra)} to a token with only "
            f"{', '.join(sorted(held))}"
        )
        judge(tally, item, problem if extra else None)


def unknown_school(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-ORG-001")
    known = {s.id for s in ctx.schools}
    if UNKNOWN_SCHOOL in known:
        return tally.results(ctx.pairs, "the probe school code is one of the tested schools")
    for _api, _version, op, _school in _probes(ctx):
        item = ctx.read(op, UNKNOWN_SCHOOL, {"orgMasterId": UNKNOWN_SCHOOL}, purpose="org")
        _expect_refusal(tally, item, 400, 23, f"{op.operation_id} for school {UNKNOWN_SCHOOL}")
    return tally.results(ctx.pairs)


def no_consent(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-CONSENT-001")
    cred = ctx.session.credential(consent=False)
    for api, version, op, _school in _probes(ctx):
        if cred is None:
            tally.skip(api, version, "no credential without consent (consent = false) given")
            continue
        try:
            grant = ctx.session.grant(cred)
        except TokenFailedError as exc:
            tally.skip(api, version, str(exc))
            continue
        for school in ctx.schools:
            item = ctx.read(
                op, school.id, {"orgMasterId": school.id}, token=grant.token, purpose="consent"
            )
            _expect_refusal(tally, item, 403, 22, f"{op.operation_id} for {school.id}")
    return tally.results(ctx.pairs)


def unsupported_version(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-VER-001")
    for _api, _version, op, school in _probes(ctx):
        item = ctx.read(
            op,
            school,
            {"orgMasterId": school},
            version_header=UNSUPPORTED_VERSION,
            purpose="version",
        )
        _expect_refusal(tally, item, 400, 12, f"API-Version {UNSUPPORTED_VERSION}")
    return tally.results(ctx.pairs)


def unknown_object(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-NOTFOUND-001")
    missing = str(uuid.UUID(int=0x5EED))
    for api, version in ctx.pairs:
        lookups = [o for o in spec.operations(api, version) if "id" in o.parameter_in]
        if not lookups or not ctx.schools:
            continue
        school = ctx.schools[0].id
        for op in lookups:
            item = ctx.read(op, school, {"id": missing, "orgMasterId": school}, purpose="404")
            status = item.answer.status
            problem = f"{op.operation_id} for an unknown id: HTTP {status}"
            judge(tally, item, None if status == 404 else problem)
    return tally.results(ctx.pairs)
