"""EDUV-CONF-CONSENT-001: what needs consent is refused to a client that lacks it.

The Students, Employees and Association APIs say that every consuming component needs
the school's consent to read them (each in its ``info.description``); the Education API
leaves a school free to publish its offerings as open data, so it is not tested here.
Which APIs and versions the check covers is its ``appliesTo`` in the check catalogue.

Two ways to be without consent are tested, whichever the configuration names:

- a school configured with ``consent = false``: every list operation of the school is
  called with the run's own token and must be refused with 403 and status 22;
- a credential configured with ``consent = false``: the probe operation of each school
  with consent is called with that credential's token and must be refused the same way.
"""

from __future__ import annotations

from typing import Any

from eduv.conformance.catalogue import load
from eduv.conformance.observe.conventions import expect_refusal
from eduv.conformance.reads import ObserveContext, allowed, probe_operation
from eduv.conformance.session import TokenFailedError, list_operations
from eduv.conformance.tally import Tally

CHECK = "EDUV-CONF-CONSENT-001"


def no_consent(ctx: ObserveContext) -> list[Any]:
    tally = Tally(CHECK)
    applies = load().checks[CHECK].applies
    pairs = [(a, v) for a, v in ctx.pairs if v in applies.get(a, ())]
    credentials = [c for c in ctx.cfg.credentials if not c.consent]
    if not ctx.without_consent and not credentials:
        for api, version in pairs:
            tally.skip(api, version, "nothing-without-consent")
        return tally.results(pairs)
    for api, version in pairs:
        _schools_without_consent(ctx, tally, api, version)
        for cred in credentials:
            _credential_without_consent(ctx, tally, cred, api, version)
    return tally.results(pairs)


def _schools_without_consent(ctx: ObserveContext, tally: Tally, api: str, version: str) -> None:
    if ctx.grant is None:
        return
    for school in ctx.without_consent:
        for op in list_operations(api, version):
            if not allowed(op):
                continue
            item = ctx.read(op, school.id, {"orgMasterId": school.id}, purpose="consent")
            what = {"operation": op.operation_id, "school": school.id}
            expect_refusal(tally, item, 403, 22, what)


def _credential_without_consent(
    ctx: ObserveContext, tally: Tally, cred: Any, api: str, version: str
) -> None:
    op = probe_operation(api, version)
    if op is None:
        return
    try:
        grant = ctx.session.grant(cred)
    except TokenFailedError as exc:
        tally.skip(api, version, "no-token", credential=cred.name, error=exc.reason)
        return
    for school in ctx.testable(api, version):
        item = ctx.read(
            op, school.id, {"orgMasterId": school.id}, token=grant.token, purpose="consent"
        )
        what = {"operation": op.operation_id, "school": school.id, "credential": cred.name}
        expect_refusal(tally, item, 403, 22, what, key="refusal-credential")
