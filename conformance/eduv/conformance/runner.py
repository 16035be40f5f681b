"""The runner: the modes of the check catalogue, in its order, each through its runner.

Which modes run follows from the configuration and the catalogue (a mode brings the
modes it needs: observe and scenario need preflight); each mode's runner evaluates the
checks of its table, every check under a guard, so that one broken check ends as an
error of that check instead of ending the run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance import known_issues
from eduv.conformance.binding import RUNNERS
from eduv.conformance.catalogue import load
from eduv.conformance.chain.context import LISTENER
from eduv.conformance.config import RunConfig
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker
from eduv.conformance.model import CheckSpec, Outcome, Result
from eduv.conformance.session import Session
from eduv.conformance.state import SuiteState
from eduv.spec import Lang
from eduv.version import __version__

Progress = Callable[[str], None]


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
    lang: Lang = "en"
    config: str | None = None  # the configuration file, as given, for the token command


@dataclass
class Run:
    info: RunInfo
    results: list[Result] = field(default_factory=list)
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the scenario's seed and example
    # The run's masking: it learned the personal values the source served, and every
    # output (report, console, log) passes through it.
    masker: Masker = field(default_factory=Masker)

    def failed_ids(self) -> set[str]:
        return {r.check_id for r in self.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)}

    @property
    def passed(self) -> bool:
        return not self.failed_ids()


def run_suite(
    cfg: RunConfig,
    progress: Progress | None = None,
    adapter: Any = None,
    listener: Any = None,
) -> Run:
    """Run the configured modes against the configured target.

    ``listener`` is a started callback listener the target already knows (the embedded
    provider's); without one, the chain's writing checks start their own when asked to.
    """
    shown = progress or (lambda _text: None)
    catalogue = load()
    known = known_issues.KnownIssues.load(cfg.known_issues) if cfg.known_issues else None
    started = time.perf_counter()
    masker = Masker(personal=not cfg.keep_personal_data)

    def say(text: str) -> None:
        shown(masker.text(text))  # progress and logs are outputs too

    run = Run(_info(cfg), checks=dict(catalogue.checks), masker=masker)
    http = SafeHttp(cfg.limits, masker)
    state = SuiteState(cfg, Session(cfg, http), masker, say, adapter, {})
    if listener is not None:
        state.extra[LISTENER] = listener
    try:
        for mode in catalogue.run_order(cfg.modes):
            say(mode.id)
            state.results += RUNNERS[mode.id](state)
    finally:
        for stop in state.closing:
            stop()
        http.close()
    # What the modes leave for the report (the scenario's seed and example, ...).
    run.extra.update({k: v for k, v in state.extra.items() if not k.startswith("chain-")})
    run.results = state.results
    if known is not None:
        run.results = known_issues.excuse(run.results, known, dt.date.today())
    run.info.finished = _now()
    run.info.seconds = round(time.perf_counter() - started, 3)
    run.info.requests = http.count
    run.info.waiting_seconds = round(http.waiting, 3)
    return run


def _info(cfg: RunConfig) -> RunInfo:
    return RunInfo(
        suite_version=__version__,
        spec_versions={a.id: list(a.versions) for a in spec.apis()},
        seed=cfg.seed,
        target=cfg.label,
        modes=list(cfg.modes),
        started=_now(),
        lang=cfg.lang,
        config=cfg.source,
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
