"""Scenario mode: adapters, skipping without one, and a vendor's Python adapter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from eduv.conformance.config import Limits, Provisioning
from eduv.conformance.embedded import configure
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker
from eduv.conformance.model import Outcome
from eduv.conformance.runner import run_suite
from eduv.conformance.scenario.adapters import (
    HttpProvisioning,
    ProvisioningError,
    entry_point_adapter,
)
from eduv.conformance.scenario.checks import CHECKS as ALL
from eduv.dataset.model import Dataset
from eduv.provider import embedded
from tests.conformance.conftest import QUICK


def test_without_an_adapter_scenario_mode_is_skipped_with_the_reason(
    reference: embedded.Embedded,
) -> None:
    cfg = configure(QUICK.with_changes(modes=("scenario",)), reference)
    run = run_suite(cfg.with_changes(provisioning=Provisioning()))
    rows = [r for r in run.results if r.check_id in ALL]
    assert {r.outcome for r in rows} == {Outcome.SKIP}
    assert rows[0].note.key == "scenario-no-adapter"
    assert "no provisioning adapter" in str(rows[0].note.params["reason"])


def test_an_unknown_entry_point_adapter_is_refused_with_what_is_installed() -> None:
    with pytest.raises(ProvisioningError, match="no provisioning adapter 'acme'"):
        entry_point_adapter("acme")


class RecordingAdapter:
    """A vendor's Python adapter (here delegating to the provider's provisioning API)."""

    def __init__(self, inner: HttpProvisioning) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def load_school(self, dataset: Dataset, key: str) -> None:
        self.calls.append("load")
        self.inner.load_school(dataset, key)

    def apply(self, changes: Sequence[dict[str, Any]]) -> None:
        self.calls.append("apply")
        self.inner.apply(changes)

    def remove_school(self, key: str) -> None:
        self.calls.append("remove")
        self.inner.remove_school(key)


def test_a_python_adapter_drives_the_scenarios(reference: embedded.Embedded) -> None:
    http = SafeHttp(Limits(), Masker())
    adapter = RecordingAdapter(HttpProvisioning(http, reference.url, reference.provisioning_token))
    cfg = configure(QUICK.with_changes(modes=("preflight", "scenario")), reference)
    run = run_suite(cfg, adapter=adapter)
    http.close()
    assert {"load", "apply", "remove"} <= set(adapter.calls)
    outcomes = {r.check_id: r.outcome for r in run.results if r.check_id in ALL}
    assert set(outcomes) == set(ALL)
    assert set(outcomes.values()) == {Outcome.PASS}  # the every-case example exercises all
    assert run.extra["seed"] == 0 and run.extra["examples"] == 1
