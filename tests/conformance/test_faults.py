"""Fault detection: for every fault of the reference provider, a run against the provider
started with that fault fails with exactly the checks expected below. The run is
configured the way a tester writes it by hand (``natural_config``): one credential, every
school listed, the school without consent marked on its own entry.

``names`` are the checks that name the rule or convention the fault breaks: a fault
counts as detected only through them. ``follows`` are checks that fail as a direct
consequence (a fault that rewrites group lists also makes the list differ from the
lookup by id, and the served groups differ from the loaded ones). The fidelity checks
never count as detection on their own.

How warnings count: a rule that is no obligation of the standard (inferred, a
convention, the flexibility material) is a warning at most, and a warning never fails a
check; a provider fails only on errors. A fault that breaks only such a rule is detected
as advice: the check that names the rule passes, and lists the warning
(``advice``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eduv.conformance.catalogue import load
from eduv.conformance.model import Outcome
from eduv.conformance.runner import run_suite
from eduv.provider import FAULTS, embedded
from tests.conformance.conftest import free_callback, natural_config

# Checks that compare what is served with itself or with what was loaded, whatever the
# rule: they show that something changed, not which rule was broken.
FIDELITY = frozenset({"EDUV-CONF-LIST-001", "EDUV-CONF-SCN-003"})

# Faults that break exactly what a fidelity check asserts: it names them.
NAMED_BY_FIDELITY = frozenset(
    {
        "lookup-404",
        "product-lookup-404",
        "delivery-order-lookup-404",
        "entitlement-lookup-404",
        "usage-lookup-404",
        # No lookup by id: the list for one school is held against the list of all.
        "consent-school-not-narrowed",
    }
)
# fault -> (checks that name the broken rule, checks that fail as a consequence)
EXPECTED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "lesson-groups-dropped": (
        frozenset({"EDUV-CONF-SCN-001", "EDUV-CONF-RULE-ASSIGN-011"}),
        frozenset(),
    ),
    "end-dates-inclusive": (
        frozenset({"EDUV-CONF-SCN-002", "EDUV-CONF-SCN-011", "EDUV-CONF-SCN-021"}),
        frozenset(),
    ),
    "demographics-without-scope": (frozenset({"EDUV-CONF-SCOPE-002"}), frozenset()),
    # Reads and writes alike carry the header.
    "wrong-api-version-header": (
        frozenset({"EDUV-CONF-HDR-001", "EDUV-CONF-XCH-001"}),
        frozenset(),
    ),
    # One class at a time rests on the flexibility material: advice, not a failure.
    "student-in-two-classes": (
        frozenset(),
        frozenset({"EDUV-CONF-LIST-001", "EDUV-CONF-SCN-003"}),
    ),
    "group-missing-assignment": (
        frozenset({"EDUV-CONF-RULE-GROUP-011"}),
        frozenset({"EDUV-CONF-SCN-003"}),
    ),
    "notifications-out-of-order": (frozenset({"EDUV-CONF-SCN-032"}), frozenset()),
    "no-delete-notification": (frozenset({"EDUV-CONF-SCN-031"}), frozenset()),
    "unknown-organisation-200": (frozenset({"EDUV-CONF-ORG-001"}), frozenset()),
    "required-field-missing": (frozenset({"EDUV-CONF-SCHEMA-001"}), frozenset()),
    "enum-outside-list": (frozenset({"EDUV-CONF-SCHEMA-001"}), frozenset()),
    "previous-in-current-shape": (
        frozenset({"EDUV-CONF-VER-002"}),
        # a 1.1.0 answer in 1.1.1 shapes carries a VO study code 1.1.0 does not allow, and
        # a Delivery 1.0.0 answer in 2.0.0 shapes a delivery type 1.0.0 does not know
        frozenset({"EDUV-CONF-RULE-OFFER-001", "EDUV-CONF-SCHEMA-001"}),
    ),
    # The lookup itself is the broken promise, so the list-versus-lookup check names it;
    # the class move of scenario mode is verified by lookups and fails with it.
    "lookup-404": (frozenset({"EDUV-CONF-LIST-001"}), frozenset({"EDUV-CONF-SCN-020"})),
    # A t-1 answered as t is one verdict per version in preflight, nothing scattered.
    # Where t-1 has a major version of its own (Catalogue 1.1.0, Delivery 1.0.0) its
    # prefix serves nothing newer, so the header stays t-1 and the t shapes show instead.
    "previous-not-served": (
        frozenset({"EDUV-CONF-PRE-004"}),
        # a t-1 request of the chain is taken, and answered with t's API-Version
        frozenset({"EDUV-CONF-VER-002", "EDUV-CONF-SCHEMA-001", "EDUV-CONF-XCH-001"}),
    ),
    # The board search fails the check (an error); the name search adds a warning to it.
    "organisation-search-needs-school": (frozenset({"EDUV-CONF-ORG-002"}), frozenset()),
    # The ties between parameters are read from their texts: a warning, so advice.
    "parameter-ties-ignored": (frozenset(), frozenset()),
    "status-code-strings": (frozenset({"EDUV-CONF-STATUS-001"}), frozenset()),
    "unauthenticated-with-body": (
        frozenset({"EDUV-CONF-AUTH-001", "EDUV-CONF-AUTH-002"}),
        frozenset(),
    ),
    "scope-not-checked": (frozenset({"EDUV-CONF-SCOPE-001", "EDUV-CONF-XCH-002"}), frozenset()),
    # Pushed results and progress need the school's consent as reads do.
    "consent-ignored": (frozenset({"EDUV-CONF-CONSENT-001", "EDUV-CONF-XCH-009"}), frozenset()),
    # Only a school without consent, beside schools with it, can show this one.
    "consent-per-client": (frozenset({"EDUV-CONF-CONSENT-001"}), frozenset()),
    "period-filter-ignored": (frozenset({"EDUV-CONF-FILTER-001"}), frozenset()),
    # The chain reads: a listed object not found by its id, a catalogue rule broken, and
    # a status outside its schema's list, per chain API served.
    "product-lookup-404": (frozenset({"EDUV-CONF-LIST-001"}), frozenset()),
    "licence-period-dropped": (frozenset({"EDUV-CONF-RULE-PRODUCT-001"}), frozenset()),
    # A chain rule over what was read together; it is a warning, so advice.
    "product-info-disagrees": (frozenset(), frozenset()),
    # The flow reads the confirmed delivery order back by its id, and with its status.
    "delivery-order-lookup-404": (
        frozenset({"EDUV-CONF-LIST-001"}),
        frozenset({"EDUV-CONF-FLOW-001"}),
    ),
    "delivery-status-outside-list": (
        frozenset({"EDUV-CONF-SCHEMA-001"}),
        frozenset({"EDUV-CONF-FLOW-001"}),
    ),
    # ... and the activated entitlement by its id, licensed.
    "entitlement-lookup-404": (
        frozenset({"EDUV-CONF-LIST-001"}),
        frozenset({"EDUV-CONF-FLOW-003"}),
    ),
    # No entitlement is licensed any more, so a licensed delivery order has none.
    "entitlement-status-outside-list": (
        frozenset({"EDUV-CONF-SCHEMA-001"}),
        frozenset({"EDUV-CONF-RULE-CHAIN-024", "EDUV-CONF-FLOW-003"}),
    ),
    # The Usage API: lookups of what a school's usage names, statuses, totals.
    "usage-lookup-404": (frozenset({"EDUV-CONF-LIST-001"}), frozenset()),
    # An entry of no listed status counts in no total; its status also differs from the
    # entitlement's, which EDUV-CHAIN-044 reports as a warning.
    "usage-status-outside-list": (
        frozenset({"EDUV-CONF-SCHEMA-001"}),
        frozenset({"EDUV-CONF-RULE-USAGE-007"}),
    ),
    "usage-totals-disagree": (frozenset({"EDUV-CONF-RULE-USAGE-007"}), frozenset()),
    "person-read-not-narrowed": (frozenset({"EDUV-CONF-PERSON-001"}), frozenset()),
    # The Consent API (read with pre_release): a school's consents against all of them,
    # a status outside the schema's list, and a consent rule.
    "consent-school-not-narrowed": (frozenset({"EDUV-CONF-LIST-001"}), frozenset()),
    "consent-status-outside-list": (frozenset({"EDUV-CONF-SCHEMA-001"}), frozenset()),
    # The registration asked for is then served without the reference its notification
    # gave, so it cannot be found again.
    "consent-reference-missing": (
        frozenset({"EDUV-CONF-RULE-CONSENT-001"}),
        frozenset({"EDUV-CONF-XCH-010"}),
    ),
    # The processor register (read with pre_release and [agreements]).
    "agreement-date-with-time": (frozenset({"EDUV-CONF-RULE-DPA-001"}), frozenset()),
    "agreement-services-ignored": (frozenset({"EDUV-CONF-DPA-001"}), frozenset()),
    # The chain's writing side: requests taken, their confirmations, the flow read back.
    # A confirmation sent again under a new id breaks the promise of the repeat check
    # and the rule the exchanged dataset is judged by.
    "confirmation-id-not-kept": (
        frozenset({"EDUV-CONF-XCH-005", "EDUV-CONF-XCH-004"}),
        frozenset(),
    ),
    # No confirmation names its request, so none arrives; the flow stops at its order.
    "confirmation-reference-not-echoed": (
        frozenset({"EDUV-CONF-XCH-003"}),
        frozenset(
            {"EDUV-CONF-FLOW-001", "EDUV-CONF-FLOW-002", "EDUV-CONF-FLOW-003", "EDUV-CONF-FLOW-004"}
        ),
    ),
    # The flow asks for one code: one fewer is a successful confirmation without codes.
    "activation-codes-short": (
        frozenset({"EDUV-CONF-XCH-004", "EDUV-CONF-FLOW-003", "EDUV-CONF-RULE-ACTCODE-001"}),
        frozenset(),
    ),
    "withdrawn-code-not-echoed": (frozenset({"EDUV-CONF-XCH-004"}), frozenset()),
    # Confirmed but not served: nothing to read back, no entitlement to activate.
    "delivery-order-not-stored": (
        frozenset({"EDUV-CONF-FLOW-001"}),
        frozenset({"EDUV-CONF-FLOW-002", "EDUV-CONF-FLOW-003", "EDUV-CONF-FLOW-004"}),
    ),
    "delivery-total-changed": (frozenset({"EDUV-CONF-XCH-004"}), frozenset()),
    "initial-activation-ignored": (frozenset({"EDUV-CONF-FLOW-003"}), frozenset()),
    # The entitlements it sends on and the consent notifications go out without a token
    # as well.
    "confirmation-without-token": (
        frozenset({"EDUV-CONF-XCH-003", "EDUV-CONF-FLOW-004", "EDUV-CONF-XCH-010"}),
        frozenset(),
    ),
    # How often to try again is not in the texts: a warning, so advice.
    "confirmation-not-retried": (frozenset(), frozenset()),
    # Confirmations taken back are writing operations too.
    "writes-unvalidated": (
        frozenset({"EDUV-CONF-XCH-002", "EDUV-CONF-XCH-008"}),
        frozenset(),
    ),
    "other-side-accepted": (frozenset({"EDUV-CONF-XCH-007"}), frozenset()),
    "results-answer-202": (frozenset({"EDUV-CONF-XCH-001"}), frozenset()),
    "progress-answer-200": (frozenset({"EDUV-CONF-XCH-001"}), frozenset()),
    "push-consent-unchecked": (frozenset({"EDUV-CONF-XCH-009"}), frozenset()),
    "entitlements-kept-back": (frozenset({"EDUV-CONF-FLOW-004"}), frozenset()),
    # The source's consent management, as the consumer's asks it (with pre_release).
    "consent-request-unanswered": (frozenset({"EDUV-CONF-XCH-010"}), frozenset()),
    "consent-withdrawal-ignored": (frozenset({"EDUV-CONF-XCH-010"}), frozenset()),
}


# fault -> checks that pass but list the fault's warnings as advice
ADVICE: dict[str, frozenset[str]] = {
    "student-in-two-classes": frozenset({"EDUV-CONF-RULE-GROUP-015"}),
    "product-info-disagrees": frozenset({"EDUV-CONF-RULE-CHAIN-003"}),
    "parameter-ties-ignored": frozenset({"EDUV-CONF-PARAM-001"}),
    "usage-status-outside-list": frozenset({"EDUV-CONF-RULE-CHAIN-044"}),
    "confirmation-not-retried": frozenset({"EDUV-CONF-XCH-006"}),
}


def test_every_fault_has_its_expectation_and_every_expected_check_exists() -> None:
    assert set(EXPECTED) == set(FAULTS)
    checks = load().checks
    for fault, (names, follows) in EXPECTED.items():
        advice = ADVICE.get(fault, frozenset())
        assert names or advice, "a fault must be detected by a check that names the broken rule"
        assert not names & FIDELITY or fault in NAMED_BY_FIDELITY
        assert (names | follows | advice) <= set(checks)


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_a_run_against_the_faulty_provider_fails_with_exactly_the_expected_checks(
    fault: str, tmp_path: Path
) -> None:
    names, follows = EXPECTED[fault]
    callback = free_callback()
    with embedded.running(
        faults=[fault], seed=0, confirmations=callback.confirmations()
    ) as provider:
        run = run_suite(natural_config(provider, tmp_path, callback))
    errors = [(r.check_id, r.note) for r in run.results if r.outcome is Outcome.ERROR]
    assert errors == []
    assert run.failed_ids() == names | follows
    advised = {r.check_id for r in run.results if r.outcome is Outcome.PASS and r.findings}
    assert ADVICE.get(fault, frozenset()) <= advised
    # Every finding carries the exchange it came from, rule findings included.
    bare = [
        (f.check_id, f.key) for r in run.results for f in r.findings if f.where.evidence is None
    ]
    assert bare == []
