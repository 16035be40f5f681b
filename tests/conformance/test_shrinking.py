"""Scenario mode shrinks a failure found on a generated example and reports its seed.

The every-case example is fixed; these tests use a target that passes it and fails only on
larger generated examples, so the failure has to be found by hypothesis, shrunk, and
reported with the seed that finds it again. The target is the reference provider over HTTP,
fed by a vendor's Python adapter with a size-dependent fault of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from eduv.conformance.config import Limits, RunConfig
from eduv.conformance.embedded import configure
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker
from eduv.conformance.runner import Run, run_suite
from eduv.conformance.scenario import checks as scn
from eduv.conformance.scenario import steps as stepping
from eduv.conformance.scenario.adapters import HttpProvisioning
from eduv.conformance.scenario.run import every_case
from eduv.dataset.model import Dataset
from eduv.provider import embedded

# Change batches the adapter passes on after a load. The every-case example runs one step
# of each kind, so it stays within the cap; a generated example with more steps does not.
CAP = 4
SEED = 0
PROFILE = RunConfig(
    modes=("preflight", "scenario"), seed=SEED, examples=8, steps=8, shrink_budget=40, sample=2
)
STEP_CHECKS = frozenset(
    {scn.MOVE, scn.END, scn.DELETE, scn.ADD_PERIOD, scn.NOTIFIED, scn.DELETE_NOTIFIED}
)


@dataclass
class Loaded:
    """One example as the adapter saw it."""

    keys: list[str]
    objects: int
    applied: int = 0
    dropped: int = 0
    removed: bool = False

    @property
    def size(self) -> int:  # as the suite measures an example: objects and steps
        return self.objects + self.applied


@dataclass
class CappedQueue:
    """A vendor's import with a change queue of ``CAP`` batches per load.

    Later batches are acknowledged and silently lost. That breaks what scenario mode checks
    after every step: the served state follows each change (SCN-020 to 023) and each change
    is notified (SCN-030). Only examples with more than ``CAP`` steps show it.
    """

    inner: HttpProvisioning
    seen: list[Loaded] = field(default_factory=list)

    def load_school(self, dataset: Dataset, key: str) -> None:
        if not self.seen or self.seen[-1].removed:
            self.seen.append(Loaded([], sum(dataset.count().values())))
        self.seen[-1].keys.append(key)
        self.inner.load_school(dataset, key)

    def apply(self, changes: Sequence[dict[str, Any]]) -> None:
        now = self.seen[-1]
        now.applied += 1
        if now.applied > CAP:
            now.dropped += 1
            return
        self.inner.apply(changes)

    def remove_school(self, key: str) -> None:
        self.seen[-1].removed = True
        self.inner.remove_school(key)


def scenario_run(provider: embedded.Embedded, seed: int) -> tuple[Run, CappedQueue]:
    http = SafeHttp(Limits(), Masker())
    adapter = CappedQueue(HttpProvisioning(http, provider.url, provider.provisioning_token))
    try:
        run = run_suite(configure(PROFILE.with_changes(seed=seed), provider), adapter=adapter)
    finally:
        http.close()
    return run, adapter


@pytest.mark.slow
def test_a_failure_on_a_generated_example_is_shrunk_and_reported_with_its_seed(
    reference: embedded.Embedded,
) -> None:
    assert len(stepping.KINDS) == CAP  # the every-case example applies exactly CAP batches
    run, adapter = scenario_run(reference, SEED)

    # The every-case example came first and passed; a later, generated one failed.
    every, *generated = adapter.seen
    assert set(every.keys) == {s.key for s in every_case(SEED).schools}
    assert every.applied == CAP and every.dropped == 0
    failing = [e for e in generated if e.dropped]
    assert failing, "no generated example had more than CAP steps"
    first = failing[0]

    # Only the checks that name the broken behaviour fail.
    failed = run.failed_ids()
    assert failed and failed <= STEP_CHECKS

    # (a) The report shows a shrunk scenario: no bigger than the first failure, and
    # minimal for this fault: exactly one step more than the queue takes.
    scenario = run.extra
    smallest = scenario["smallestFailingExample"]
    size = sum(smallest["objects"].values()) + len(smallest["steps"])
    assert size < first.size
    assert sum(smallest["objects"].values()) <= first.objects
    assert len(smallest["steps"]) == CAP + 1
    assert any(
        e.dropped == 1 and e.size == size and set(e.keys) == {s["key"] for s in smallest["schools"]}
        for e in failing
    ), "the reported scenario is not one that was run and failed"

    # (b) The report carries the seed, and that seed finds the same failure again.
    assert scenario["seed"] == SEED
    assert f"--seed {SEED} " in scenario["reproduce"]
    again, replay = scenario_run(reference, scenario["seed"])
    assert again.failed_ids() == failed
    assert again.extra["smallestFailingExample"] == smallest
    assert [(e.keys, e.size, e.dropped) for e in replay.seen] == [
        (e.keys, e.size, e.dropped) for e in adapter.seen
    ]
