"""Named faults: realistic ways a source gets Edu-V wrong, switchable at start-up.

Each fault is one entry of ``FAULTS`` and breaks exactly one rule or convention. It
acts inside the real request path: either as a transform of the objects about to be
served (``objects``) or as a switch (``flags``) that one step of the path consults.
The conformance suite is proven against the provider by switching these on one at a
time and checking that the suite notices.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eduv.provider.faults_chain import (
    SERVICES_IGNORED,
    agreement_dates_with_time,
    consent_reference_dropped,
    consent_status_granted,
    usage_status_active,
    usage_totals_off,
)
from eduv.provider.faults_writes import WRITE_FAULTS

JsonObject = dict[str, Any]
ObjectHook = Callable[[str, list[JsonObject]], list[JsonObject]]

# The switches the request path consults.
SKIP_SCOPE_CHECK = "skip-scope-check"
SKIP_CONSENT = "skip-consent"
UNKNOWN_ORG_OK = "unknown-organisation-ok"
CURRENT_SHAPE_FOR_PREVIOUS = "current-shape-for-previous"
BAD_VERSION_HEADER = "bad-version-header"
UNAUTHENTICATED_WITH_BODY = "unauthenticated-with-body"
PADDED_STATUS = "padded-status"
IGNORE_PERIOD_FILTER = "ignore-period-filter"
NO_DELETE_NOTIFICATIONS = "no-delete-notifications"
NEWEST_FIRST = "newest-first"
DEMOGRAPHICS_ALWAYS = "demographics-always"
PREVIOUS_AS_CURRENT = "previous-as-current"
GROUP_LOOKUP_MISSES = "group-lookup-misses"
CONSENT_PER_CLIENT = "consent-per-client"
SEARCH_NEEDS_SCHOOL = "search-needs-school"
PARAMETER_TIES_IGNORED = "parameter-ties-ignored"
PERSON_NOT_NARROWED = "person-not-narrowed"
CONSENT_NOT_NARROWED = "consent-not-narrowed"
# Chain lookups by id that miss, per collection of the chain dataset.
CHAIN_LOOKUP_MISSES = {
    "products": "product-lookup-misses",
    "deliveryOrders": "delivery-order-lookup-misses",
    "entitlements": "entitlement-lookup-misses",
    "deliveryOrderUsage": "usage-lookup-misses",
}


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    breaks: str
    summary: str
    objects: ObjectHook | None = None
    flags: frozenset[str] = field(default_factory=frozenset)


# -- object transforms -------------------------------------------------------------------


def _drop_lesson_groups(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    if message != "Group" or len(docs) < 2:
        return docs
    return [d for d in docs if d.get("groupType") != "lesson-group"]


def _inclusive_end_dates(_message: str, docs: list[JsonObject]) -> list[JsonObject]:
    return [_day_earlier(doc) for doc in docs]


def _day_earlier(doc: JsonObject) -> JsonObject:
    end = doc.get("endDate")
    if not isinstance(end, str):
        return doc
    try:
        last_day = dt.date.fromisoformat(end) - dt.timedelta(days=1)
    except ValueError:
        return doc
    return {**doc, "endDate": last_day.isoformat()}


def _student_in_two_classes(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Put a pupil of one class into another class that runs at the same time."""
    if message != "Group":
        return docs
    classes = [i for i, d in enumerate(docs) if d.get("groupType") == "class" and d.get("students")]
    for pos, first in enumerate(classes):
        for second in classes[pos + 1 :]:
            if _overlap(docs[first], docs[second]):
                moved = docs[second]["students"][0]
                if moved in docs[first]["students"]:
                    continue
                out = list(docs)
                out[first] = {**docs[first], "students": [*docs[first]["students"], moved]}
                return out
    return docs


def _overlap(a: JsonObject, b: JsonObject) -> bool:
    end = "9999-12-31"
    return bool(
        a.get("beginDate", "") < b.get("endDate", end)
        and b.get("beginDate", "") < a.get("endDate", end)
    )


def _dangling_assignment(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Every group also lists an assignment the source deleted long ago."""
    if message != "Group":
        return docs
    return [
        {
            **d,
            "assignments": [
                *d.get("assignments", []),
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"deleted-assignment/{d.get('groupId')}")),
            ],
        }
        for d in docs
    ]


def _drop_last_modified(_message: str, docs: list[JsonObject]) -> list[JsonObject]:
    return [{k: v for k, v in d.items() if k != "dateLastModified"} for d in docs]


def _status_outside_list(_message: str, docs: list[JsonObject]) -> list[JsonObject]:
    return [{**d, "status": "inactive"} if d.get("status") == "active" else d for d in docs]


def _drop_licence_period(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Digital products lose their licence period (physical ones have none to lose)."""
    if message != "Product":
        return docs
    return [{k: v for k, v in d.items() if k != "licensePeriod"} for d in docs]


def _info_other_publisher(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    """Product summaries still name the publisher before a takeover."""
    if message != "ProductInfo":
        return docs
    return [{**d, "publisher": f"{d.get('publisher', '')} (oud)"} for d in docs]


def _delivery_status_delivered(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    if message != "DeliveryOrder":
        return docs
    return [{**d, "status": "delivered"} for d in docs]


def _entitlement_status_active(message: str, docs: list[JsonObject]) -> list[JsonObject]:
    if message != "Entitlement":
        return docs
    return [{**d, "entitlementStatus": "active"} for d in docs]


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "lesson-groups-dropped",
            "Completeness: a school's group list contains all its groups, lesson groups "
            "included; subject enrolments then have no lesson group to go with them.",
            "Group lists leave out every lesson-group (only classes are served).",
            objects=_drop_lesson_groups,
        ),
        Fault(
            "end-dates-inclusive",
            "Dates: endDate is exclusive (the first day the object no longer applies).",
            "Every endDate is served as the last day instead, one day early.",
            objects=_inclusive_end_dates,
        ),
        Fault(
            "demographics-without-scope",
            "Field minimisation: dateOfBirth and gender need eduv.student.demographics.",
            "Students are served with their demographic fields whatever the token's scopes.",
            flags=frozenset({DEMOGRAPHICS_ALWAYS}),
        ),
        Fault(
            "wrong-api-version-header",
            "Convention api-version-header: every response carries the full semantic "
            "version it was produced in.",
            "Responses carry API-Version: v<major> instead of the full version.",
            flags=frozenset({BAD_VERSION_HEADER}),
        ),
        Fault(
            "student-in-two-classes",
            "Groups: a student belongs to at most one class (stamgroep) at a time.",
            "In group lists a pupil of one class also appears in another class running at the "
            "same time.",
            objects=_student_in_two_classes,
        ),
        Fault(
            "group-missing-assignment",
            "References: every assignmentId a Group lists refers to an Assignment of the "
            "same school.",
            "Every group also lists the id of an assignment that does not exist.",
            objects=_dangling_assignment,
        ),
        Fault(
            "notifications-out-of-order",
            "Notifications: a batch is sorted by created, oldest first.",
            "Batches are delivered (and GET /notifications answers) newest first.",
            flags=frozenset({NEWEST_FIRST}),
        ),
        Fault(
            "no-delete-notification",
            "Notifications: deleting an object produces a notification with "
            "isDeleteNotification true, the last one for that object.",
            "Deletions are not notified at all.",
            flags=frozenset({NO_DELETE_NOTIFICATIONS}),
        ),
        Fault(
            "unknown-organisation-200",
            "Status codes: a request for an organisation the source does not know is "
            "answered with 400 and status 23.",
            "Such requests get 200 with an empty list (or 404 for one object).",
            flags=frozenset({UNKNOWN_ORG_OK}),
        ),
        Fault(
            "required-field-missing",
            "Schema: dateLastModified is a required property of every object served.",
            "Every object is served without dateLastModified.",
            objects=_drop_last_modified,
        ),
        Fault(
            "enum-outside-list",
            "Schema: status is one of active or tobedeleted.",
            "Active objects are served with status inactive.",
            objects=_status_outside_list,
        ),
        Fault(
            "previous-in-current-shape",
            "Versions: a t-1 request is answered in the shapes of t-1, converted as the "
            "dataset's conversion table says.",
            "t-1 requests get the stored t objects unconverted, labelled t-1.",
            flags=frozenset({CURRENT_SHAPE_FOR_PREVIOUS}),
        ),
        Fault(
            "lookup-404",
            "Lookups: an object the school's list holds is found by its id.",
            "Groups are listed, but every lookup of a group by its id answers 404.",
            flags=frozenset({GROUP_LOOKUP_MISSES}),
        ),
        Fault(
            "previous-not-served",
            "Versions: a supplier serves the current version and the previous one (t and t-1).",
            "t-1 requests are answered as t: in t's shapes, with t in the API-Version header.",
            flags=frozenset({CURRENT_SHAPE_FOR_PREVIOUS, PREVIOUS_AS_CURRENT}),
        ),
        Fault(
            "organisation-search-needs-school",
            "Organisations search: a board alone, or a school name alone, is a search the "
            "Education API answers.",
            "A search that names no school is refused with 400, as if a school were required.",
            flags=frozenset({SEARCH_NEEDS_SCHOOL}),
        ),
        Fault(
            "parameter-ties-ignored",
            "Parameters: orgId goes with orgIdType (boardId with boardIdType), and "
            "filterByOrgId only asks about orgId; a request that breaks such a tie gets 400.",
            "Each parameter is checked on its own only: a request that breaks a tie between "
            "parameters is answered as if the extra parameter were not there.",
            flags=frozenset({PARAMETER_TIES_IGNORED}),
        ),
        Fault(
            "status-code-strings",
            "Convention status-codes-integers: status is a JSON integer.",
            'StatusResponse bodies carry zero-padded strings such as "0021".',
            flags=frozenset({PADDED_STATUS}),
        ),
        Fault(
            "unauthenticated-with-body",
            "Convention unauthenticated-401: 401 has no body and a WWW-Authenticate header.",
            "401 answers carry a StatusResponse and no WWW-Authenticate header.",
            flags=frozenset({UNAUTHENTICATED_WITH_BODY}),
        ),
        Fault(
            "scope-not-checked",
            "Convention missing-scope-403: a token without the operation's scopes gets 403 "
            "with status 21.",
            "Any valid token may call any operation.",
            flags=frozenset({SKIP_SCOPE_CHECK}),
        ),
        Fault(
            "consent-ignored",
            "Consent: a client only gets data of schools that gave it consent (else 403, "
            "status 22).",
            "Every school's data is served to every client.",
            flags=frozenset({SKIP_CONSENT}),
        ),
        Fault(
            "consent-per-client",
            "Consent: each school gives its own consent; consent of one school opens no "
            "other school's data.",
            "Consent is checked per client: a client that any school gave consent reads "
            "every school.",
            flags=frozenset({CONSENT_PER_CLIENT}),
        ),
        Fault(
            "product-lookup-404",
            "Catalogue lookups: a product the catalogue lists is found by its productId.",
            "Products are listed, but every lookup of a product by its id answers 404.",
            flags=frozenset({CHAIN_LOOKUP_MISSES["products"]}),
        ),
        Fault(
            "licence-period-dropped",
            "Catalogue: a digital product states its licence period (EDUV-PRODUCT-001).",
            "Products are served without licensePeriod.",
            objects=_drop_licence_period,
        ),
        Fault(
            "product-info-disagrees",
            "Catalogue: a ProductInfo agrees with the Product of the same id (EDUV-CHAIN-003).",
            "Product summaries are served with another publisher than their product's.",
            objects=_info_other_publisher,
        ),
        Fault(
            "delivery-order-lookup-404",
            "Delivery lookups: a delivery order a school's list holds is found by its id.",
            "Delivery orders are listed, but every lookup by id answers 404.",
            flags=frozenset({CHAIN_LOOKUP_MISSES["deliveryOrders"]}),
        ),
        Fault(
            "delivery-status-outside-list",
            "Schema: a delivery order's status is one of the statuses the Delivery API lists.",
            "Delivery orders are served with status delivered.",
            objects=_delivery_status_delivered,
        ),
        Fault(
            "entitlement-lookup-404",
            "Entitlement lookups: an entitlement a school's list holds is found by its id.",
            "Entitlements are listed, but every lookup by id answers 404.",
            flags=frozenset({CHAIN_LOOKUP_MISSES["entitlements"]}),
        ),
        Fault(
            "entitlement-status-outside-list",
            "Schema: an entitlement's status is one of the statuses the Entitlement API lists.",
            "Entitlements are served with entitlementStatus active.",
            objects=_entitlement_status_active,
        ),
        Fault(
            "usage-lookup-404",
            "Usage lookups: the usage of a delivery order or entitlement that a school's "
            "usage holds is found by its id.",
            "Usage is served per school, but every lookup by delivery order or entitlement "
            "answers 404.",
            flags=frozenset({CHAIN_LOOKUP_MISSES["deliveryOrderUsage"]}),
        ),
        Fault(
            "usage-status-outside-list",
            "Schema: a usage entry's entitlementStatus is one the Usage API lists.",
            "Usage entries are served with entitlementStatus active.",
            objects=usage_status_active,
        ),
        Fault(
            "usage-totals-disagree",
            "Usage: the totals count the entitlements listed (EDUV-USAGE-007).",
            "Usage overviews count one licensed entitlement more than they list.",
            objects=usage_totals_off,
        ),
        Fault(
            "consent-school-not-narrowed",
            "Consent API: the consents read for a school are that school's.",
            "GET /consent/statuses/school answers the most recent consents of every school.",
            flags=frozenset({CONSENT_NOT_NARROWED}),
        ),
        Fault(
            "consent-status-outside-list",
            "Schema: a consent's providerStatus is one the Consent API lists.",
            "Consents are served with providerStatus granted.",
            objects=consent_status_granted,
        ),
        Fault(
            "consent-reference-missing",
            "EDUV-CONSENT-001: an accepted consent carries the provider's reference.",
            "Accepted consents are served with an empty providerReferenceId.",
            objects=consent_reference_dropped,
        ),
        Fault(
            "person-read-not-narrowed",
            "Reads for one person: the delivery orders and entitlements answered name that person.",
            "The Delivery and Entitlement reads for one person answer every delivery order "
            "or entitlement of the school.",
            flags=frozenset({PERSON_NOT_NARROWED}),
        ),
        Fault(
            "period-filter-ignored",
            "Filters: schoolPeriodId narrows a list to the objects of that school period.",
            "The schoolPeriodId parameter is accepted and ignored.",
            flags=frozenset({IGNORE_PERIOD_FILTER}),
        ),
        Fault(
            "agreement-date-with-time",
            "EDUV-DPA-001: an agreement's start and end are dates (YYYY-MM-DD).",
            "Agreements are served with a date and a time of day in startDate and endDate.",
            objects=agreement_dates_with_time,
        ),
        Fault(
            "agreement-services-ignored",
            "DPA API: an agreement is found, and a verification valid, only when it covers "
            "every data service asked for.",
            "The register ignores data_services: an agreement for other services is "
            "answered, and verified as valid.",
            flags=frozenset({SERVICES_IGNORED}),
        ),
        *(Fault(n, b, s, flags=frozenset({f})) for n, b, s, f in WRITE_FAULTS),
    )
}


# The faults that act on chain objects; the others leave chain answers alone.
CHAIN_FAULTS = frozenset(
    {
        "product-lookup-404",
        "licence-period-dropped",
        "product-info-disagrees",
        "delivery-order-lookup-404",
        "delivery-status-outside-list",
        "entitlement-lookup-404",
        "entitlement-status-outside-list",
        "usage-lookup-404",
        "usage-status-outside-list",
        "usage-totals-disagree",
        "person-read-not-narrowed",
        *("consent-school-not-narrowed", "consent-status-outside-list"),
        "consent-reference-missing",
        "agreement-date-with-time",
    }
)


class UnknownFaultError(ValueError):
    pass


class Faults:
    """The faults switched on for one provider (usually none)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        chosen: list[Fault] = []
        for name in names:
            if name not in FAULTS:
                known = ", ".join(sorted(FAULTS))
                raise UnknownFaultError(f"unknown fault {name!r}; known faults: {known}")
            chosen.append(FAULTS[name])
        self.active: tuple[Fault, ...] = tuple(chosen)
        self._flags = frozenset(f for fault in chosen for f in fault.flags)
        self._hooks: Sequence[ObjectHook] = [f.objects for f in chosen if f.objects is not None]

    def __bool__(self) -> bool:
        return bool(self.active)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.active)

    def has(self, flag: str) -> bool:
        return flag in self._flags

    @property
    def rewrites_objects(self) -> bool:
        return bool(self._hooks)

    def objects(self, message: str, docs: list[JsonObject]) -> list[JsonObject]:
        for hook in self._hooks:
            docs = hook(message, docs)
        return docs

    def chain_objects(self, message: str, docs: list[JsonObject]) -> list[JsonObject]:
        """The object transforms of the chain faults switched on (see ``CHAIN_FAULTS``)."""
        for fault in self.active:
            if fault.name in CHAIN_FAULTS and fault.objects is not None:
                docs = fault.objects(message, docs)
        return docs


def fault_names(values: Iterable[str]) -> tuple[str, ...]:
    """The fault names of command-line values, each repeated or comma-separated; an
    unknown name is refused (:class:`UnknownFaultError`) before anything starts."""
    names = tuple(n.strip() for value in values for n in value.split(",") if n.strip())
    Faults(names)
    return names
