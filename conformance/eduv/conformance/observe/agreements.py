"""Observe mode and the DPA API: what the processor register answers, held together.

The register is asked about the supplier and the boards of ``[agreements]`` (a sample
of the boards): the agreement (``GET /agreements/self``) and the verification
(``GET /agreements``), first without data services, then for the services the agreement
lists, then for one service of the version's list that it does not list.

EDUV-CONF-DPA-001 holds each pair of answers to the same question against each other and
against the question. The texts say that the agreement answered is the one between that
supplier and that board for the services asked, and that a verification is valid when
the supplier holds an agreement in force for the board and those services. So an
agreement answered names the supplier and board asked for and lists every service asked
for; a verification repeats the supplier, board and services asked; it is valid when
the agreement answered is, and not valid when no agreement was found. An agreement
answered that is not in force says nothing about another one that may be.
"""

from __future__ import annotations

from collections.abc import Iterator

from eduv.conformance.model import Result
from eduv.conformance.reads import (
    DPA_API,
    JsonObject,
    ObserveContext,
    Observed,
    agreement_params,
    judge,
    operation,
    parameter_values,
)
from eduv.conformance.tally import Tally

CHECK = "EDUV-CONF-DPA-001"
OWN = "GET /agreements/self"
VERIFY = "GET /agreements"
SERVICES = "data_services"


def collect(ctx: ObserveContext, version: str) -> None:
    """The register's answers for a sample of the configured boards."""
    own, verify = operation(DPA_API, version, OWN), operation(DPA_API, version, VERIFY)
    if own is None or verify is None or not ctx.cfg.agreements.named:
        return
    for board in ctx.cfg.agreements.boards[: ctx.cfg.sample]:
        base = agreement_params(ctx.cfg, board)
        first = ctx.read(own, None, base)
        ctx.read(verify, None, base)
        listed = [str(s) for s in (_one(first) or {}).get("dataServices") or ()]
        asked = [listed] if listed else []
        other = [s for s in parameter_values(verify, SERVICES) if s not in listed][:1]
        asked += [other] if other else []
        for services in asked:
            params = {**base, SERVICES: services}
            ctx.read(own, None, params)
            ctx.read(verify, None, params)


def verifications_agree(ctx: ObserveContext) -> list[Result]:
    """EDUV-CONF-DPA-001."""
    tally = Tally(CHECK)
    for own, verification in _pairs(ctx):
        _judge(tally, own, verification)
    return tally.results([p for p in ctx.pairs if p[0] == DPA_API])


def _pairs(ctx: ObserveContext) -> Iterator[tuple[Observed, Observed]]:
    """Each agreement read with the verification read for the same question after it."""
    reads = [i for i in ctx.observed if i.purpose == "read" and i.op.api == DPA_API]
    for index, item in enumerate(reads):
        if item.op.operation_id != OWN:
            continue
        for later in reads[index + 1 :]:
            if (
                later.op.operation_id == VERIFY
                and later.op.version == item.op.version
                and later.params == item.params
            ):
                yield item, later
                break


def _judge(tally: Tally, own: Observed, verification: Observed) -> None:
    asked = own.params
    services = [str(s) for s in asked.get(SERVICES) or ()]
    what = {
        "supplier": asked.get("supplierOin"),
        "board": asked.get("boardId"),
        "services": ", ".join(services) or "-",
    }
    agreement = _one(own)
    problems = 0
    if agreement is not None:
        named = (agreement.get("supplierOin"), agreement.get("boardId"))
        missing = [s for s in services if s not in (agreement.get("dataServices") or ())]
        if named != (asked.get("supplierOin"), asked.get("boardId")) or missing:
            judge(tally, own, "other-agreement", {**what, "missing": ", ".join(missing) or "-"})
            problems += 1
    answer = _one(verification)
    if answer is None:
        return  # not answered: the status and schema checks say why
    repeated = (answer.get("supplierOin"), answer.get("boardId"))
    if repeated != (asked.get("supplierOin"), asked.get("boardId")) or (
        services and sorted(answer.get("dataServices") or ()) != sorted(services)
    ):
        judge(tally, verification, "not-repeated", what)
        problems += 1
    valid = answer.get("valid")
    if agreement is None and own.answer.status == 404 and valid is True:
        judge(tally, verification, "valid-without-agreement", what)
        problems += 1
    elif agreement is not None and agreement.get("valid") is True and valid is not True:
        judge(tally, verification, "not-valid-with-agreement", what)
        problems += 1
    if not problems:
        judge(tally, verification, None)


def _one(item: Observed) -> JsonObject | None:
    objects = item.objects()
    return objects[0] if item.ok and not item.is_list and objects else None
