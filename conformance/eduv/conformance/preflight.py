"""Preflight: can the suite test this target at all, per API and version?

It reports whether a token was obtained, which scopes were granted, whether each version
is served and whether the schools configured with consent are served. What cannot run is
skipped with that reason in the later modes; a school the source refuses for want of
consent is left out of that version only. Schools configured without consent are not
read here: EDUV-CONF-CONSENT-001 tests them. Pre-1.0 versions are not applicable: the
standard makes no promise of stability for them, so no conformance can be claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from eduv import spec
from eduv.conformance.config import OBSERVED_APIS
from eduv.conformance.model import Note, Outcome, Result, Where, result
from eduv.conformance.reads import (
    DPA_API,
    ObserveContext,
    Observed,
    judge,
    observable_pairs,
    probe_operation,
    read_params,
    school_params,
)
from eduv.conformance.session import Grant, TokenFailedError
from eduv.conformance.state import SuiteState, guard
from eduv.conformance.tally import Tally
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
    closed: dict[Pair, tuple[Note, bool]] = field(default_factory=dict)  # reason, pre-1.0
    skipped: dict[Pair, Note] = field(default_factory=dict)
    grant: Grant | None = None

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
    def reasons(self) -> dict[Pair, Note]:
        """Why each pair that cannot be tested cannot, for the later modes."""
        return {**{p: r for p, (r, _) in self.closed.items()}, **self.skipped}


def start(ctx: ObserveContext) -> Preflight:
    pre = Preflight(ctx, ctx.cfg.plan())
    for api, version in pre.plan:
        if ctx.cfg.left_out(api, version):
            note = Note("pair-pre-release", {"api": api, "version": version})
            pre.closed[(api, version)] = (note, True)
        elif api not in OBSERVED_APIS:
            pre.closed[(api, version)] = (Note("pair-not-observed", {"api": api}), False)
    return pre


def tokens(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-001: a token for each credential; the first with consent is the run's."""
    ctx, out = pre.ctx, []
    if not ctx.cfg.credentials:
        out.append(result(TOKEN, Outcome.SKIP, "no-credentials"))
    for cred in ctx.cfg.credentials:
        try:
            grant = ctx.session.grant(cred)
        except TokenFailedError as exc:
            tally = Tally(TOKEN, cred.name)
            place = Where(evidence=exc.exchange)
            tally.problem(
                None, None, "no-token", {"credential": cred.name, "error": exc.reason}, where=place
            )
            out += tally.results()
            continue
        scopes = " ".join(sorted(grant.scopes)) or "-"
        out.append(result(TOKEN, Outcome.PASS, "token", subject=cred.name, scopes=scopes))
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
            note = Note("pair-no-token")
        elif held and not wanted & held:
            note = Note("pair-no-scope", {"scopes": ", ".join(sorted(wanted))})
        else:
            granted = ", ".join(sorted(wanted & held)) or "-"
            out.append(result(SCOPES, Outcome.PASS, "granted", api, version, scopes=granted))
            continue
        out.append(Result(SCOPES, Outcome.SKIP, note, api, version))
        pre.skipped[(api, version)] = note
    return out


def versions(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-004: each version is served: a first read is answered in it (or
    refused for want of consent). A version that is not served gets one verdict here and
    is left out of every later check."""
    out = pre.not_applicable(VERSION, pre_release_only=False)
    ctx = pre.ctx
    for api, version in pre.open():
        op = probe_operation(api, version)
        note: Note | None = None
        if op is None:
            note = Note("pair-no-probe")
        elif api == DPA_API and not ctx.cfg.agreements.named:
            note = Note("pair-no-agreements")
        elif not ctx.schools and school_params(op, "-"):
            note = Note("pair-no-school")
        if op is None or note is not None:
            note = note or Note("pair-no-probe")
            out.append(Result(VERSION, Outcome.SKIP, note, api, version))
            pre.skipped[(api, version)] = note
            continue
        tally = Tally(VERSION)
        served = _probe(ctx, op, tally)
        if served is None:
            note = Note("pair-no-data", {"operation": op.operation_id})
            out.append(Result(VERSION, Outcome.SKIP, note, api, version))
            pre.skipped[(api, version)] = note
            continue
        if served:
            tally.ok(api, version)
            out += [
                replace(r, note=Note("answered", {"operation": op.operation_id}))
                for r in tally.results()
            ]
            continue
        out += tally.results()
        pre.skipped[(api, version)] = Note("pair-not-served", {"api": api, "version": version})
    return out


def _probe(ctx: ObserveContext, op: Operation, tally: Tally) -> bool | None:
    """Whether the version is served; the schools that refused for want of consent are
    noted for EDUV-CONF-PRE-003. A version that is not served is one finding. None: the
    version answers, but has nothing for any school (see ``_nothing_for_school``)."""
    pair = (op.api, op.version)
    if not school_params(op, "-"):
        # An API about no school (the catalogue, the register) is read once, not per school.
        item = ctx.read(op, None, read_params(ctx.cfg, op, None), purpose="preflight")
        asked = item.answer.header("api-version") == op.version
        if _nothing_for_school(item, op) and asked:
            # Served, with nothing for what was asked (the register knows no agreement
            # of the configured supplier and board); the checks judge that answer.
            return True
        if not item.ok:
            status = item.answer.status
            judge(tally, item, "not-served", {"operation": op.operation_id, "status": status})
            return False
        return _answered_in(item, op, tally)
    empty: list[Observed] = []
    answered = False
    for school in ctx.schools:
        item = ctx.read(op, school.id, {"orgMasterId": school.id}, purpose="preflight")
        status = item.answer.status
        if item.ok:
            if not _answered_in(item, op, tally):
                return False
            answered = True
            continue
        if status == 403 and spec.status_code(_json(item.answer.content)) == 22:
            ctx.refused.setdefault(pair, set()).add(school.id)
            continue
        if _nothing_for_school(item, op):
            empty.append(item)
            continue
        judge(tally, item, "not-served", {"operation": op.operation_id, "status": status})
        return False
    if empty and not answered:
        if all(e.answer.header("api-version") == op.version for e in empty):
            return None
        status = empty[0].answer.status
        judge(tally, empty[0], "not-served", {"operation": op.operation_id, "status": status})
        return False
    return True


def _nothing_for_school(item: Observed, op: Operation) -> bool:
    """Whether a 404 may say that the school (or what was asked) has nothing yet rather
    than that the version is not served: an operation that answers one object (the Usage
    API's school overview, the register's agreement) has no empty list to give. It counts
    so when another school is answered, or when every school gets it in the version asked
    (see ``_probe``)."""
    body = op.success[1]
    return (
        item.answer.status == 404
        and body is not None
        and not body.array
        and spec.status_code(_json(item.answer.content)) is not None
    )


def _answered_in(item: Observed, op: Operation, tally: Tally) -> bool:
    """Whether a successful answer is in the version asked for (else one finding)."""
    said = item.answer.header("api-version")
    if said != op.version and said in spec.versions(op.api):
        # The version asked for is answered by another one: it is not served.
        params = {"asked": op.version, "answered": said, "operation": op.operation_id}
        judge(tally, item, "answered-as", params)
        return False
    return True


def consent(pre: Preflight) -> list[Result]:
    """EDUV-CONF-PRE-003: the schools configured with consent are served. A school the
    source refuses for want of consent is skipped in this version, the others are tested."""
    out = pre.not_applicable(CONSENT)
    ctx = pre.ctx
    for api, version in pre.open():
        refused = sorted(ctx.refused.get((api, version), set()))
        for school in refused:
            out.append(
                result(CONSENT, Outcome.SKIP, "refused", api, version, school, school=school)
            )
        if ctx.schools and len(refused) == len(ctx.schools):
            note = Note("pair-no-consent", {"api": api, "version": version})
            pre.skipped[(api, version)] = note
            continue
        served = len(ctx.schools) - len(refused)
        out.append(result(CONSENT, Outcome.PASS, "consent", api, version, schools=served))
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
