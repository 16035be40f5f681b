"""The runner: preflight, then the chosen modes, each check wrapped so that one broken
check ends as an error instead of ending the run.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import eduv
from eduv import spec
from eduv.conformance import preflight
from eduv.conformance.config import RunConfig
from eduv.conformance.http import BudgetExceededError, SafeHttp
from eduv.conformance.known_issues import KnownIssues, apply_known_issues
from eduv.conformance.mask import Masker
from eduv.conformance.model import CheckSpec, Outcome, Result
from eduv.conformance.observe.collect import collect
from eduv.conformance.observe.context import ObserveContext, observable_pairs
from eduv.conformance.observe.data import observed_dataset, rule_results
from eduv.conformance.registry import Check, by_mode, load_all
from eduv.conformance.session import Session

Progress = Callable[[str], None]

# Checks that judge every answer recorded so far: they run after the probing checks.
PASSIVE = ("EDUV-CONF-SCHEMA-001", "EDUV-CONF-HDR-001", "EDUV-CONF-STATUS-001")


@dataclass
class RunInfo:
    suite_version: str
    spec_versions: dict[str, list[str]]
    seed: int
    target: str
    modes: list[str]
    started: str
    finished: str = ""
    seconds: float = 0.0
    requests: int = 0
    waiting_seconds: float = 0.0
    lang: str = "en"


@dataclass
class Run:
    info: RunInfo
    results: list[Result] = field(default_factory=list)
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the scenario's seed and example

    def failed_ids(self) -> set[str]:
        return {r.check_id for r in self.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)}

    @property
    def passed(self) -> bool:
        return not self.failed_ids()


def run_suite(
    cfg: RunConfig,
    progress: Progress | None = None,
    adapter: Any = None,
) -> Run:
    """Run the configured modes against the configured target."""
    say = progress or (lambda _text: None)
    known = KnownIssues.load(cfg.known_issues) if cfg.known_issues else KnownIssues()
    checks = load_all()
    started = time.perf_counter()
    run = Run(_info(cfg), checks={k: c.spec for k, c in checks.items()})
    masker = Masker(personal=not cfg.keep_personal_data)
    http = SafeHttp(cfg.limits, masker)
    try:
        _modes(cfg, run, Session(cfg, http), masker, say, adapter)
    finally:
        http.close()
    run.results = apply_known_issues(run.results, known, dt.date.today())
    run.info.finished = _now()
    run.info.seconds = round(time.perf_counter() - started, 3)
    run.info.requests = http.count
    run.info.waiting_seconds = round(http.waiting, 3)
    return run


def _modes(
    cfg: RunConfig, run: Run, session: Session, masker: Masker, say: Progress, adapter: Any
) -> None:
    ctx = ObserveContext(cfg, session, masker, None, [])
    needs_target = any(m in cfg.modes for m in ("preflight", "observe", "scenario"))
    if needs_target:
        say("preflight")
        pre = _guard("EDUV-CONF-PRE-001", lambda: preflight.run(ctx))
        if isinstance(pre, list):
            run.results += pre
            return
        run.results += pre.results
        ctx.pairs = [p for p in pre.runnable if p in observable_pairs(cfg)]
        if "observe" in cfg.modes:
            run.results += observe(ctx, pre.skipped, say)
    if "scenario" in cfg.modes:
        from eduv.conformance.scenario.run import run_scenarios

        run.results += _guard(
            "EDUV-CONF-SCN-001",
            lambda: run_scenarios(cfg, session, ctx.grant, adapter, say, run.extra),
        )
    if "consumer" in cfg.modes:
        from eduv.conformance.consumer import run_consumer

        run.results += _guard("EDUV-CONF-CONS-001", lambda: run_consumer(cfg, session.http, say))


def observe(
    ctx: ObserveContext, skipped: dict[tuple[str, str], str], say: Progress
) -> list[Result]:
    results: list[Result] = []
    if not ctx.pairs:
        return [
            Result(c.spec.id, Outcome.SKIP, "nothing could be observed: see the preflight")
            for c in by_mode("observe")
        ]
    error = _guard("EDUV-CONF-SCHEMA-001", lambda: collect(ctx, say))
    if isinstance(error, list):
        return error
    ordered = sorted(
        (c for c in by_mode("observe") if c.run is not None),
        key=lambda c: c.spec.id in PASSIVE,
    )
    for chk in ordered:
        say(chk.spec.id)
        results += _run_check(chk, ctx)
    say("rules")
    found = _guard("EDUV-CONF-RULE", lambda: rule_results(ctx, observed_dataset(ctx)))
    results += found
    results += _skips(skipped, by_mode("observe"))
    return results


def _run_check(chk: Check, ctx: Any) -> list[Result]:
    run = chk.run
    if run is None:
        return []
    found: list[Result] = _guard(chk.spec.id, lambda: list(run(ctx)))
    return found


def _guard(check_id: str, work: Callable[[], Any]) -> Any:
    """Run ``work``; a crash or a used-up budget becomes an error result of ``check_id``."""
    try:
        return work()
    except BudgetExceededError as exc:
        return [Result(check_id, Outcome.ERROR, str(exc))]
    except Exception as exc:
        where = traceback.format_exception_only(exc)[-1].strip()
        return [Result(check_id, Outcome.ERROR, f"the check could not finish: {where}")]


def _skips(skipped: dict[tuple[str, str], str], checks: Iterable[Check]) -> list[Result]:
    out = []
    for (api, version), reason in skipped.items():
        for chk in checks:
            if version in chk.spec.applies.get(api, ()):
                out.append(Result(chk.spec.id, Outcome.SKIP, reason, api, version))
    return out


def _info(cfg: RunConfig) -> RunInfo:
    return RunInfo(
        suite_version=eduv.__version__,
        spec_versions={a.id: list(a.versions) for a in spec.apis()},
        seed=cfg.seed,
        target=cfg.label,
        modes=list(cfg.modes),
        started=_now(),
        lang=cfg.lang,
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
