"""EDUV-CONF-ORG-002: the organisations search finds a school by its board or its name.

The Education API's organisations search gathers the organisations "for the specified
school or board", and every one of its parameters is optional: a board alone is a
question the source must answer (an error when the school is missing). A name alone is
read from the parameter's own text ("the name of the school") and is a warning.
"""

from __future__ import annotations

from typing import Any

from eduv.conformance.reads import ObserveContext, Observed, judge, operation, where
from eduv.conformance.tally import Tally
from eduv.findings import Severity

SEARCH = "get-organisations-by-school-search"
API = "education-api"


def organisation_search(ctx: ObserveContext) -> list[Any]:
    tally = Tally("EDUV-CONF-ORG-002")
    for api, version in ctx.pairs:
        op = operation(api, version, SEARCH) if api == API else None
        if op is None or "boardMasterId" not in op.parameter_in:
            continue
        for school in ctx.testable(api, version):
            own = ctx.read(op, school.id, {"orgMasterId": school.id}, purpose="search")
            org = next((o for o in own.objects() if _key(o) == school.id), None)
            if org is None:
                # The school's own record is EDUV-CONF-LIST-001's and the schema's concern.
                continue
            for board in org.get("boards") or []:
                board_id = board.get("organisationMasterIdentifier")
                if isinstance(board_id, str):
                    found = ctx.read(op, school.id, {"boardMasterId": board_id}, purpose="search")
                    _judge(tally, found, school.id, "board", {"board": board_id}, "error")
            name = org.get("name")
            if isinstance(name, str) and name:
                found = ctx.read(op, school.id, {"name": name}, purpose="search")
                _judge(tally, found, school.id, "name", {"name": name}, "warning")
    return tally.results([p for p in ctx.pairs if p[0] == API])


def _key(org: Any) -> str | None:
    return org.get("organisationMasterIdentifier") if isinstance(org, dict) else None


def _judge(
    tally: Tally,
    item: Observed,
    school: str,
    key: str,
    params: dict[str, Any],
    severity: Severity,
) -> None:
    if item.answer.status == 200 and any(_key(o) == school for o in item.objects()):
        judge(tally, item, None)
        return
    tally.problem(
        item.op.api,
        item.op.version,
        key,
        {**params, "school": school, "status": item.answer.status},
        where=where(item),
        severity=severity,
        subject=school,
        source_kind="normative" if severity == "error" else "inferred",
    )
