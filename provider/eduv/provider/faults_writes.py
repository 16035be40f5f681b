"""The faults of the chain's writing side (see ``eduv.provider.faults``).

Each breaks one thing the texts ask of a component that takes requests and sends
confirmations; ``WRITE_FAULTS`` lists them as (name, what it breaks, what it does,
switch), and ``eduv.provider.faults`` turns them into faults like the others.
"""

from __future__ import annotations

NEW_CONFIRMATION_ON_REPEAT = "new-confirmation-on-repeat"
REFERENCE_NOT_ECHOED = "reference-not-echoed"
CODES_SHORT = "codes-short"
REVOKE_NOT_ECHOED = "revoke-not-echoed"
DELIVERY_NOT_STORED = "delivery-not-stored"
DELIVERY_TOTAL_CHANGED = "delivery-total-changed"
ACTIVATION_IGNORED = "activation-ignored"
CONFIRMATION_WITHOUT_TOKEN = "confirmation-without-token"
CONFIRMATION_NOT_RETRIED = "confirmation-not-retried"
WRITES_UNVALIDATED = "writes-unvalidated"
OTHER_SIDE_ACCEPTED = "other-side-accepted"
RESULTS_ANSWER_202 = "results-answer-202"
PROGRESS_ANSWER_200 = "progress-answer-200"
PUSH_CONSENT_UNCHECKED = "push-consent-unchecked"
ENTITLEMENTS_NOT_PUSHED = "entitlements-not-pushed"
CONSENT_NOT_ANSWERED = "consent-not-answered"
WITHDRAWAL_IGNORED = "withdrawal-ignored"

WRITE_FAULTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "confirmation-id-not-kept",
        "EDUV-CHAIN-007: a request that arrives again gets its earlier confirmation, with "
        "the same id.",
        "A repeated request is confirmed again under a new confirmation id.",
        NEW_CONFIRMATION_ON_REPEAT,
    ),
    (
        "confirmation-reference-not-echoed",
        "EDUV-CHAIN-004, -019, -033: a confirmation carries the reference of its request.",
        "Confirmations of orders, delivery orders and activation codes carry a reference "
        "of their own instead of the request's.",
        REFERENCE_NOT_ECHOED,
    ),
    (
        "activation-codes-short",
        "EDUV-CHAIN-033: a code confirmation gives as many codes as were asked for.",
        "Every activation code request is confirmed with one code fewer than asked.",
        CODES_SHORT,
    ),
    (
        "withdrawn-code-not-echoed",
        "EDUV-CHAIN-036: a withdrawal confirmation repeats the code it withdrew.",
        "Withdrawal confirmations name the code in lower case, not as it was issued.",
        REVOKE_NOT_ECHOED,
    ),
    (
        "delivery-order-not-stored",
        "A delivery order taken is served: the ordering environment reads it back.",
        "Delivery orders are confirmed but neither stored nor turned into entitlements.",
        DELIVERY_NOT_STORED,
    ),
    (
        "delivery-total-changed",
        "EDUV-CHAIN-020: a confirmed total is the total of the request.",
        "Delivery confirmations report one more than the requested total quantity.",
        DELIVERY_TOTAL_CHANGED,
    ),
    (
        "initial-activation-ignored",
        "EDUV-CHAIN-042: a first activation makes the entitlement licensed.",
        "First activations are accepted and kept, but the entitlement stays as it was.",
        ACTIVATION_IGNORED,
    ),
    (
        "confirmation-without-token",
        "Confirmations are sent with an access token of the requester's token endpoint.",
        "Confirmations are sent without an Authorization header.",
        CONFIRMATION_WITHOUT_TOKEN,
    ),
    (
        "confirmation-not-retried",
        "A confirmation the requester did not accept is sent again later.",
        "A confirmation is sent once; when the requester's endpoint fails, it is dropped.",
        CONFIRMATION_NOT_RETRIED,
    ),
    (
        "writes-unvalidated",
        "A request that is not a valid message of its API is refused with 400 and status 11.",
        "Requests, results and progress are taken without checking them against the schema.",
        WRITES_UNVALIDATED,
    ),
    (
        "other-side-accepted",
        "A component answers 405 to the operations meant for the other side.",
        "The other side's operations (confirmations to the order system, entitlements to "
        "the entitlement manager) are answered 202 instead of 405.",
        OTHER_SIDE_ACCEPTED,
    ),
    (
        "results-answer-202",
        "Results API: results taken are answered 201 Created.",
        "Results are answered 202 Accepted.",
        RESULTS_ANSWER_202,
    ),
    (
        "progress-answer-200",
        "Progress API: progress taken is answered 202 Accepted.",
        "Progress is answered 200 OK.",
        PROGRESS_ANSWER_200,
    ),
    (
        "push-consent-unchecked",
        "Results and progress of a school's pupils are taken only with the school's consent.",
        "Results and progress are taken for schools that gave the sender no consent.",
        PUSH_CONSENT_UNCHECKED,
    ),
    (
        "entitlements-kept-back",
        "Entitlement API: the entitlement manager sends each entitlement it makes to the "
        "licence registries and portals (PUT /entitlements).",
        "Delivery orders become entitlements that are served, but never sent on.",
        ENTITLEMENTS_NOT_PUSHED,
    ),
    (
        "consent-request-unanswered",
        "Consent API: a consent request is answered with a ConsentNotification.",
        "Consent requests are registered, but no notification is ever sent.",
        CONSENT_NOT_ANSWERED,
    ),
    (
        "consent-withdrawal-ignored",
        "Consent API: a withdrawn registration is served as revoked.",
        "Consent withdrawals are answered 202 and change nothing.",
        WITHDRAWAL_IGNORED,
    ),
)
