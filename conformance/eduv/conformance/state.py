"""What a run carries from mode to mode, and the guard every check runs under.

Each mode runner is a function of one :class:`SuiteState`; preflight leaves in it the
token and the (api, version) pairs the later modes can test. :func:`guard` turns a crash
or a used-up request budget into an error result of the registered check concerned, so
that one broken check never ends the run.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eduv.conformance.config import RunConfig
from eduv.conformance.http import BudgetExceededError
from eduv.conformance.mask import Masker
from eduv.conformance.model import Note, Outcome, Result
from eduv.conformance.reads import ObserveContext
from eduv.conformance.session import Session

Progress = Callable[[str], None]
Pair = tuple[str, str]


@dataclass
class SuiteState:
    cfg: RunConfig
    session: Session
    masker: Masker
    say: Progress
    adapter: Any = None  # a provisioning adapter given by the caller (scenario mode)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the scenario's seed and example
    reasons: dict[Pair, Note] = field(default_factory=dict)  # why a pair cannot be tested
    results: list[Result] = field(default_factory=list)  # of the modes run so far
    # What to stop when the run ends (a callback listener the run started, say).
    closing: list[Callable[[], None]] = field(default_factory=list)
    observe: ObserveContext = field(init=False)

    def __post_init__(self) -> None:
        self.observe = ObserveContext(self.cfg, self.session, self.masker, None, [])


def guard(check_ids: str | Iterable[str], work: Callable[[], list[Result]]) -> list[Result]:
    """Run ``work``; a crash or a used-up budget is an error of each check it was for."""
    ids = [check_ids] if isinstance(check_ids, str) else list(check_ids)
    try:
        return work()
    except BudgetExceededError as exc:
        note = Note("budget", {"limit": exc.limit})
    except Exception as exc:
        note = Note("crashed", {"error": traceback.format_exception_only(exc)[-1].strip()})
    return [Result(check_id, Outcome.ERROR, note) for check_id in ids]
