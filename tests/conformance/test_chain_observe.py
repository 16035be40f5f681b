"""Observe mode over the chain reads of the embedded reference provider: every check
that applies to a chain API judges it, and a chain rule's finding points at the answer
and the object it was seen in."""

from __future__ import annotations

import pytest

from eduv import spec
from eduv.conformance.config import CHAIN_READ_APIS, Agreements, RunConfig, is_pre_release
from eduv.conformance.embedded import configure
from eduv.conformance.model import Outcome
from eduv.conformance.runner import Run, run_suite
from eduv.provider import embedded

OBSERVE = ("preflight", "observe")


def _run(faults: tuple[str, ...] = ()) -> Run:
    with embedded.running(faults=faults, seed=0) as provider:
        return run_suite(configure(RunConfig(modes=OBSERVE), provider))


@pytest.fixture(scope="module")
def clean() -> Run:
    return _run()


def test_every_check_that_applies_to_a_chain_api_judges_it(clean: Run) -> None:
    judged = {
        (r.check_id, r.api, r.version)
        for r in clean.results
        if r.api in CHAIN_READ_APIS and r.outcome is Outcome.PASS
    }
    for check in clean.checks.values():
        if check.mode != "observe" or check.id.startswith("EDUV-CONF-RULE-"):
            continue
        for api, versions in check.applies.items():
            if api in CHAIN_READ_APIS:
                for version in versions:
                    if check.id == "EDUV-CONF-VER-002" and version == spec.api(api).current:
                        continue  # judged on t-1, against t
                    if is_pre_release(version):
                        continue  # left out of a run (the Usage API's 0.9.1)
                    assert (check.id, api, version) in judged, (check.id, api, version)
    assert clean.passed


def test_the_chain_rules_over_what_was_read_are_judged(clean: Run) -> None:
    outcomes = {
        (r.check_id, r.api): r.outcome
        for r in clean.results
        if r.check_id in ("EDUV-CONF-RULE-CHAIN-003", "EDUV-CONF-RULE-CHAIN-025")
    }
    assert outcomes[("EDUV-CONF-RULE-CHAIN-003", "catalogue-api")] is Outcome.PASS
    assert outcomes[("EDUV-CONF-RULE-CHAIN-025", "entitlement-api")] is Outcome.PASS
    usage = {
        r.outcome
        for r in clean.results
        if r.check_id == "EDUV-CONF-RULE-CHAIN-044" and r.version == spec.api("usage-api").current
    }
    assert usage == {Outcome.PASS}
    # pre-release versions are left out of a run unless asked for, and say so
    unread = [
        r.note.key
        for r in clean.results
        if r.check_id == "EDUV-CONF-RULE-CHAIN-004" and not is_pre_release(r.version or "")
    ]
    assert unread == ["rule-chain-unread"]


def test_a_chain_rule_finding_points_at_the_answer_and_the_object() -> None:
    run = _run(("product-info-disagrees",))
    found = [
        f
        for r in run.results
        if r.check_id == "EDUV-CONF-RULE-CHAIN-003" and r.version == "2.0.0"
        for f in r.findings
    ]
    assert found
    first = found[0].where
    assert first.operation == "get-all-products-info"
    assert first.component == "ProductInfo" and first.object_id
    assert first.pointer == "/publisher"
    assert first.evidence is not None and first.evidence.url.endswith("/products/info")
    assert isinstance(first.item, dict) and first.item["productId"] == first.object_id


CONSENT_CHECKS = {
    "EDUV-CONF-AUTH-001",
    "EDUV-CONF-AUTH-002",
    "EDUV-CONF-HDR-001",
    "EDUV-CONF-LIST-001",
    "EDUV-CONF-ORG-001",
    "EDUV-CONF-SCHEMA-001",
    "EDUV-CONF-SCOPE-001",
    "EDUV-CONF-STATUS-001",
    "EDUV-CONF-VER-001",
    "EDUV-CONF-RULE-CONSENT-001",
    "EDUV-CONF-RULE-CONSENT-002",
}


def test_the_consent_api_is_read_only_when_asked_for(clean: Run) -> None:
    """Its versions are all pre-1.0: left out of a run unless ``pre_release`` names it;
    then both are judged: 0.0.2, whose API and school are path segments, is read per
    API and per school, and held against the current version."""
    left_out = {r.note.key for r in clean.results if r.api == "consent-api"}
    assert left_out == {"pair-pre-release"}
    with embedded.running(seed=0) as provider:
        cfg = configure(RunConfig(modes=OBSERVE, pre_release=("consent-api",)), provider)
        run = run_suite(cfg)
    current = spec.api("consent-api").current
    passed = {
        r.check_id
        for r in run.results
        if r.api == "consent-api" and r.version == current and r.outcome is Outcome.PASS
    }
    assert passed >= CONSENT_CHECKS
    previous = {
        r.check_id
        for r in run.results
        if r.api == "consent-api" and r.version != current and r.outcome is Outcome.PASS
    }
    assert previous >= CONSENT_CHECKS | {"EDUV-CONF-VER-002"}
    assert run.passed


REGISTER = RunConfig(modes=OBSERVE, apis=("dpa-api",), pre_release=("dpa-api",))


def _register_run(named: bool = True, agreements: Agreements | None = None) -> Run:
    with embedded.running(seed=0) as provider:
        configured = configure(REGISTER, provider)
        if not named:
            configured = configured.with_changes(agreements=Agreements())
        if agreements is not None:
            configured = configured.with_changes(agreements=agreements)
        return run_suite(configured)


def test_the_register_is_read_and_judged_for_the_configured_boards() -> None:
    run = _register_run()
    outcomes = {(r.check_id, r.version): r.outcome for r in run.results if r.api == "dpa-api"}
    # the chain rules that also look at consents, progress or results are not read here
    applying = [
        c
        for c in run.checks.values()
        if "dpa-api" in c.applies
        and c.mode == "observe"
        and not c.id.startswith("EDUV-CONF-RULE-CHAIN-")
    ]
    assert {"EDUV-CONF-DPA-001", "EDUV-CONF-RULE-DPA-001"} <= {c.id for c in applying}
    for check in applying:
        for version in check.applies["dpa-api"]:
            if check.id == "EDUV-CONF-VER-002" and version == spec.api("dpa-api").current:
                continue  # judged on t-1, against t
            assert outcomes[(check.id, version)] is Outcome.PASS, (check.id, version)
    assert run.passed


def test_without_agreements_configured_the_register_is_skipped_with_the_reason() -> None:
    run = _register_run(named=False)
    # the token is still checked; nothing is asked of the register
    notes = {
        r.note.key
        for r in run.results
        if r.api == "dpa-api" and r.note is not None and r.check_id != "EDUV-CONF-PRE-002"
    }
    assert notes == {"pair-no-agreements"}
    judged = [r for r in run.results if r.api == "dpa-api" and r.check_id != "EDUV-CONF-PRE-002"]
    assert judged and {r.outcome for r in judged} == {Outcome.SKIP}


def test_a_register_without_the_supplier_asked_about_is_served_all_the_same() -> None:
    # 404 for the agreement is the register's answer, not a version it does not serve
    run = _register_run(agreements=Agreements("0" * 20, ("41213",)))
    outcomes = {(r.check_id, r.version): r.outcome for r in run.results if r.api == "dpa-api"}
    for version in spec.versions("dpa-api"):
        assert outcomes[("EDUV-CONF-PRE-004", version)] is Outcome.PASS
        assert outcomes[("EDUV-CONF-DPA-001", version)] is Outcome.PASS
    assert run.passed
