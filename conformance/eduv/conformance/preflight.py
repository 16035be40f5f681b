"""Preflight: can the suite test this target at all, per API and version?

It reports whether a token was obtained, which scopes were granted, whether the tested
schools gave consent, and whether the version is answered. What cannot run is skipped
with that reason in the later modes. Pre-1.0 versions are not applicable: the standard
makes no promise of stability for them, so no conformance can be claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from eduv import spec
from eduv.conformance.config import SOURCE_APIS, is_pre_release
from eduv.conformance.model import Outcome, Result
from eduv.conformance.reads import ObserveContext, observable_pairs, probe_operation
from eduv.conformance.session import Grant, TokenFailedError
from eduv.conformance.state import SuiteState, guard
from eduv.spec import Operation

Pair = tuple[str, str]

TOKEN = "EDUV-CONF-PRE-001"
SCOPES = "EDUV-CONF-PRE-002"
CONSENT = "EDUV-CONF-PRE-003"
VERSION = "EDUV-CONF-PRE-004"


@dataclass
class Preflight:
    """What preflight learns, check by check: the token, and which pairs can be tested.

    ``closed`` holds the pairs no check of the suite applies to (pre-1.0 versions, APIs
    the suite does not observe at a source); ``skipped`` the pairs a preflight check
    found untestable, with the reason the later modes give.
    """

    ctx: ObserveContext
    plan: list[Pair]
    closed: dict[Pair, tuple[str, bool]] = field(default_factory=dict)  # reason, pre-1.0
    skipped: dict[Pair, str] = field(default_factory=dict)
    grant: Grant | None = None
    refused: dict[Pair, list[str]] = field(default_factory=dict)  # schools without consent

    def open(self) -> list[Pair]:
        return [p for p in self.plan if p not in self.closed and p not in self.skipped]

    def not_applicable(self, check_id: str, pre_release_only: bool = True) -> list[Result]:
        return [
            Result(check_id, Outcome.NOT_APPLICABLE, reason, *pair)
            for pair, (reason, pre_release) in self.closed.items()
            if pre_release or not pre_release_only
        ]

    @property
    def runnable(self) -> list[Pair]:
        return self.open()

    @property
    def reasons(self) -> dict[Pair, str]:
        """Why each pair that cannot be tested cannot, for the later modes."""
        return {**{p: r for p, (r, _) in self.closed.items()}, **self.skipped}


def start(ctx: ObserveContext) -> Preflight:
    pre = Preflight(ctx, ctx.cfg.plan())
    for api, version in pre.plan:
        if is_pre_release(version):
            reason = f"{api} {version} is a pre-1.0 version: conformance cannot be claimed"
            pre.closed[(api, version)] = (reason, True)
        elif api not in SOURCE_APIS:
            reason = f"{api} is not an API the suite observes at a source"
            pre.closed[(api, version)] = (reason, False)
    return pre


def tokens(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-001: a token for each credential; the first with consent is the run's."""
    ctx, out = pre.ctx, []
    if not ctx.cfg.credentials:
        out.append(Result(TOKEN, Outcome.SKIP, "no credentials are configured"))
    for cred in ctx.cfg.credentials:
        try:
            grant = ctx.session.grant(cred)
        except TokenFailedError as exc:
            out.append(Result(TOKEN, Outcome.FAIL, str(exc), subject=cred.name))
            continue
        scopes = " ".join(sorted(grant.scopes)) or "(none stated)"
        out.append(
            Result(TOKEN, Outcome.PASS, f"token obtained; scopes: {scopes}", subject=cred.name)
        )
        if cred.consent and pre.grant is None:
            pre.grant = grant
    ctx.grant = pre.grant
    return out


def scopes(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-002: the run's token holds a scope of each API version."""
    out = pre.not_applicable(SCOPES)
    for api, version in pre.open():
        wanted = set(spec.api_version(api, version).scopes)
        held = pre.grant.scopes if pre.grant else frozenset()
        if pre.grant is None:
            reason = "no token with consent was obtained"
        elif held and not wanted & held:
            reason = f"the token holds none of the scopes {', '.join(sorted(wanted))}"
        else:
            granted = ", ".join(sorted(wanted & held)) or "not stated by the token endpoint"
            out.append(Result(SCOPES, Outcome.PASS, f"granted: {granted}", api, version))
            continue
        out.append(Result(SCOPES, Outcome.SKIP, reason, api, version))
        pre.skipped[(api, version)] = reason
    return out


def versions(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-004: a first read in each version is answered (or refused for consent)."""
    out = pre.not_applicable(VERSION, pre_release_only=False)
    ctx = pre.ctx
    for api, version in pre.open():
        op = probe_operation(api, version)
        if op is None or not ctx.schools:
            reason = "no school to test is configured" if op else "no list operation to probe"
            out.append(Result(VERSION, Outcome.SKIP, reason, api, version))
            pre.skipped[(api, version)] = reason
            continue
        refused, not_served = _probe(ctx, op)
        if not_served is not None:
            out.append(Result(VERSION, Outcome.SKIP, not_served, api, version))
            pre.skipped[(api, version)] = not_served
            continue
        pre.refused[(api, version)] = refused
        out.append(Result(VERSION, Outcome.PASS, f"{op.operation_id} answered", api, version))
    return out


def _probe(ctx: ObserveContext, op: Operation) -> tuple[list[str], str | None]:
    """The schools that refused for want of consent, or why the version is not served."""
    refused = []
    for school in ctx.schools:
        item = ctx.read(op, school.id, {"orgMasterId": school.id}, purpose="preflight")
        status = item.answer.status
        if status is not None and 200 <= status < 300:
            continue
        if status == 403 and spec.status_code(_json(item.answer.content)) == 22:
            refused.append(school.id)
            continue
        return refused, f"{op.operation_id} answered HTTP {status}: the version is not served"
    return refused, None


def consent(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-003: no tested school refused the first read for want of consent."""
    out = pre.not_applicable(CONSENT)
    for pair in pre.open():
        refused = pre.refused.get(pair, [])
        if refused:
            reason = f"no consent of {', '.join(refused)}"
            out.append(Result(CONSENT, Outcome.SKIP, reason, *pair))
            pre.skipped[pair] = reason
        else:
            message = "consent for every tested school"
            out.append(Result(CONSENT, Outcome.PASS, message, *pair))
    return out


def _json(content: bytes) -> object:
    import orjson

    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


# The preflight checks, in the order they run: each one narrows what the next can test.
CHECKS: dict[str, Callable[[Preflight], list[Result]]] = {
    TOKEN: tokens,
    SCOPES: scopes,
    VERSION: versions,
    CONSENT: consent,
}


def run(state: SuiteState) -> list[Result]:
    """Run the preflight checks in order; leave the testable pairs for the later modes."""
    ctx = state.observe
    pre = start(ctx)
    results: list[Result] = []
    for check_id, check in CHECKS.items():
        results += guard(check_id, partial(check, pre))
    ctx.grant = pre.grant
    observable = observable_pairs(state.cfg)
    ctx.pairs = [p for p in pre.runnable if p in observable]
    state.reasons.update(pre.reasons)
    return results
