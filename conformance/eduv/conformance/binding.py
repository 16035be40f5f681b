"""Which function evaluates each check, and which runner runs each mode.

The catalogue (``spec/conformance/checks.json``) says what a check asserts; every mode
module binds its checks in a ``CHECKS`` table, one function with one signature per
module, and has a ``run`` that evaluates them. Consumer and scenario mode also run the
chain's writing checks (``eduv.conformance.chain.mode``), each a function of the run's
state. This module joins them: nothing registers itself when imported, and a test keeps
the tables and the catalogue one-to-one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eduv.conformance import consumer, known_issues, preflight
from eduv.conformance.chain import mode as chain
from eduv.conformance.model import Mode, Result
from eduv.conformance.observe import mode as observe
from eduv.conformance.scenario import checks as scenario_checks
from eduv.conformance.scenario import run as scenario
from eduv.conformance.state import SuiteState

ModeRunner = Callable[[SuiteState], list[Result]]

# The check tables, by mode (a mode's rule checks are evaluated by its rule pass).
TABLES: Mapping[Mode, Mapping[str, Callable[..., Any]]] = {
    "preflight": preflight.CHECKS,
    "observe": observe.CHECKS,
    "scenario": {**scenario_checks.CHECKS, **chain.SCENARIO_CHECKS},
    "consumer": {**consumer.CHECKS, **chain.CONSUMER_CHECKS},
    "report": known_issues.CHECKS,
}


def _both(first: ModeRunner, second: ModeRunner) -> ModeRunner:
    def run(state: SuiteState) -> list[Result]:
        return first(state) + second(state)

    return run


RUNNERS: Mapping[Mode, ModeRunner] = {
    "preflight": preflight.run,
    "observe": observe.run,
    "scenario": _both(scenario.run, chain.run_scenario),
    "consumer": _both(consumer.run, chain.run_consumer),
    "report": known_issues.run,
}
