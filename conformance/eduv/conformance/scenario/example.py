"""What one scenario example did, recorded before anything is judged.

Scenario mode acts first (load the schools, read them back, run the steps, read the
notifications) and judges afterwards: every check of :mod:`.checks` is a function of
the finished :class:`Example`, so the checks never call the source themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eduv.conformance.http import Answer
from eduv.conformance.scenario.readback import Served
from eduv.conformance.scenario.steps import Step
from eduv.dataset.model import Dataset

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class StepRecord:
    """One step: what it changed, whether the source then served the change, and the
    notifications since the step (with the answer that carried them)."""

    step: Step
    ok: bool
    text: str
    notifications: list[JsonObject]
    answer: Answer


@dataclass
class Example:
    """One generated example as the source handled it.

    ``dataset`` is the data as loaded (before the steps), ``served`` each school as read
    back in the current versions, ``previous`` each school's lists in the previous
    versions, ``steps`` the steps run and ``notifications`` everything notified since
    the example began, with ``notifications_answer``, the answer that carried them.
    """

    dataset: Dataset
    served: dict[str, Served] = field(default_factory=dict)
    previous: dict[str, dict[str, Answer]] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    notifications: list[JsonObject] = field(default_factory=list)
    notifications_answer: Answer | None = None
