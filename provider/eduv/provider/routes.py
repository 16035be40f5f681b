"""What each Edu-V operation does, as a table.

The HTTP routes are generated from the spec (``eduv.spec.operations``); this table only
says, per operationId, which kind of lookup answers it and which SQL filter each of its
query parameters becomes. A test checks that every served operation is in the table and
every one of its parameters is handled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from eduv import spec
from eduv.provider.chain.agreements import PARAMS as AGREEMENT_PARAMS
from eduv.provider.queries import (
    Column,
    Filter,
    GroupOffering,
    Link,
    OfferingInPeriod,
    PersonEnrolled,
    PersonInPeriod,
)
from eduv.provider.roles import WRITES

# Parameters every school-scoped operation takes to name the school; handled centrally.
SCHOOL_PARAMS = frozenset({"orgMasterId", "orgId", "orgIdType", "filterByOrgId"})


@dataclass(frozen=True, slots=True)
class Route:
    """``kind`` is one of: get (one object by id), list (a school's collection),
    for-person (a collection narrowed to the person in the body), search (one person by
    the reference in the body), people (a school's students or employees),
    organisations, subscribe, notifications."""

    kind: str
    target: str = ""  # a collection name, or 'student' / 'employee'
    filters: Mapping[str, Filter] = field(default_factory=dict)
    body_person: str = ""  # the request body member holding the person's UserReference

    @property
    def needs_body(self) -> bool:
        """Whether the provider cannot answer without a request body, even where the
        spec leaves it optional: a lookup of the person in it, or a chain request."""
        return bool(self.body_person) or self.kind == "chain-write"


PERIOD = Column("school_period")

ENROLLMENT_FILTERS: Mapping[str, Filter] = {
    "enrollmentType": Column("enrollment_type"),
    "schoolPeriodId": PERIOD,
    "studyOfferingId": Column("study"),
    "subjectOfferingId": Column("subject"),
}
ASSIGNMENT_FILTERS: Mapping[str, Filter] = {
    "assignmentType": Column("assignment_type"),
    "schoolPeriodId": PERIOD,
}

CONSENT_FILTERS: Mapping[str, Filter] = {"api": Column("kind"), "since": Column("modified")}

ROUTES: Mapping[str, Route] = {
    # association-api
    "get-school-period": Route("get", "schoolPeriods"),
    "get-school-periods-for-school": Route("list", "schoolPeriods"),
    "get-enrollment": Route("get", "enrollments"),
    "get-enrollments-for-school": Route("list", "enrollments", ENROLLMENT_FILTERS),
    "get-enrollments-for-student-at-school": Route(
        "for-person", "enrollments", ENROLLMENT_FILTERS, body_person="student"
    ),
    "get-assignment": Route("get", "assignments"),
    "get-assignments-for-school": Route("list", "assignments", ASSIGNMENT_FILTERS),
    "get-assignments-for-employee-at-school": Route(
        "for-person", "assignments", ASSIGNMENT_FILTERS, body_person="employee"
    ),
    "get-group": Route("get", "groups"),
    "get-groups-for-school": Route(
        "list",
        "groups",
        {
            "groupType": Column("group_type"),
            "schoolPeriodId": PERIOD,
            "studyOfferingId": GroupOffering("study"),
            "subjectOfferingId": GroupOffering("subject"),
        },
    ),
    # education-api
    "get-organisations-by-school-search": Route("organisations"),
    "get-studyofferings": Route("get", "studyOfferings"),
    "get-studyofferings-for-school": Route(
        "list",
        "studyOfferings",
        {"studyCode": Column("study_code"), "schoolPeriodId": OfferingInPeriod("study")},
    ),
    "get-subjectoffering": Route("get", "subjectOfferings"),
    "get-subjectofferings-for-school": Route(
        "list",
        "subjectOfferings",
        {
            "subjectCode": Column("subject_code"),
            "studyOfferingId": Link("study"),
            "schoolPeriodId": OfferingInPeriod("subject"),
        },
    ),
    # students-api and employees-api
    "search-student": Route("search", "student", body_person="student"),
    "get-students-for-school": Route(
        "people",
        "student",
        {
            "schoolPeriodId": PersonInPeriod(),
            "studyOfferingId": PersonEnrolled("study"),
            "subjectOfferingId": PersonEnrolled("subject"),
        },
    ),
    "search-employee": Route("search", "employee", body_person="employee"),
    "get-employees-for-school": Route("people", "employee", {"schoolPeriodId": PersonInPeriod()}),
    # notifications-api 0.9.1, source side
    "subscribe": Route("subscribe"),
    "get-notifications": Route("notifications"),
    # catalogue-api, as the supplier's catalogue (LC)
    "get-all-products": Route("chain-list", "products", {"since": Column("modified")}),
    "get-product-by-id": Route("chain-get", "products"),
    "get-all-products-info": Route("chain-list", "productInfo", {"since": Column("modified")}),
    "get-product-info-by-id": Route("chain-get", "productInfo"),
    # delivery-api, as the ordering environment (BO)
    "get-delivery-order": Route("chain-get", "deliveryOrders"),
    "get-delivery-orders-for-school": Route(
        "chain-school",
        "deliveryOrders",
        {"status": Column("status"), "deliveryType": Column("kind")},
    ),
    "get-delivery-orders-by-contract": Route(
        "chain-by", "deliveryOrders", {"id": Column("contract")}
    ),
    "get-delivery-orders-for-user-at-school": Route(
        "chain-user", "deliveryOrders", {"status": Column("status")}, body_person="user"
    ),
    # entitlement-api, as the entitlement manager (AM)
    "get-entitlement": Route("chain-get", "entitlements"),
    "get-entitlements-by-delivery-order": Route(
        "chain-by", "entitlements", {"id": Column("delivery_order")}
    ),
    "get-entitlements-for-school": Route(
        "chain-school",
        "entitlements",
        {"deliveryOrderId": Column("delivery_order"), "entitlementStatus": Column("status")},
    ),
    "get-entitlements-by-contract": Route(
        "chain-by", "deliveryOrderEntitlements", {"id": Column("contract")}
    ),
    "get-entitlements-for-user-at-school": Route(
        "chain-user", "entitlements", {"status": Column("status")}, body_person="user"
    ),
    "get-entitlementproducts-for-user-at-school": Route(
        "chain-user", "entitlements", {"status": Column("status")}, body_person="user"
    ),
    # usage-api, as the licence registry (LR): views of the usage reports
    "get-usage-by-deliveryorder": Route("chain-get", "deliveryOrderUsage"),
    "get-usage-by-entitlement": Route("chain-part", "deliveryOrderUsage"),
    "get-usage-for-school": Route("chain-school", "deliveryOrderUsage"),
    "get-usage-by-contract": Route("chain-by", "deliveryOrderUsage", {"id": Column("contract")}),
    "get-usage-for-user-at-school": Route("chain-user", "deliveryOrderUsage", body_person="user"),
    # consent-api, as the consent management of the source (CM, profile Bron). In 0.0.2
    # the API is a path parameter and the school is edu_org_id.
    "get-consent-statuses": Route("consents", "consents", CONSENT_FILTERS),
    "get-consent-statuses-by-school": Route(
        "consents-school",
        "consents",
        {
            **CONSENT_FILTERS,
            "providerReferenceId": Column("obj_id"),
            "consumerReferenceId": Column("reference"),
        },
    ),
    # dpa-api, as the processor register (VR)
    "GET /agreements/self": Route("agreement", "agreements"),
    "GET /agreements": Route("agreement-check", "agreements"),
    # the chain's writing side: requests, messages and confirmations taken
    # (eduv.provider.chain.exchanges)
    **{operation_id: Route("chain-write") for operation_id in sorted(WRITES)},
}


def _chain_not_served() -> frozenset[str]:
    """Operations of the chain APIs that none of the provider's components takes: the
    other side's, refused with 405 (routed on their own, see
    ``eduv.provider.chain.refusals``), and those not implemented."""
    from eduv.provider.roles import chain_apis, serves

    return frozenset(
        op.operation_id
        for api in chain_apis()
        for version in spec.versions(api)
        for op in spec.operations(api, version)
        if not serves(op)
    )


# Operations of the served APIs that a source does not serve: the receiving side of the
# Notifications API belongs to the subscriber; of the chain APIs, see _chain_not_served.
NOT_SERVED = frozenset({"post-notification", "post-notifications"}) | _chain_not_served()

# Parameters handled by the route kind itself rather than by a filter.
KIND_PARAMS: Mapping[str, frozenset[str]] = {
    "get": frozenset({"id"}),
    "chain-get": frozenset({"id"}),
    "chain-part": frozenset({"id"}),
    # 0.0.2 asks for a schema version in the query; the API-Version header decides here.
    "consents": frozenset({"schemaVersion"}),
    "consents-school": frozenset({"schemaVersion", "edu_org_id"}),
    "organisations": frozenset(
        {"orgMasterId", "orgId", "orgIdType", "boardMasterId", "boardId", "boardIdType", "name"}
    ),
    "subscribe": frozenset({"api"}),
    "chain-write": frozenset({"id", "schemaVersion"}),
    "agreement": AGREEMENT_PARAMS,
    "agreement-check": AGREEMENT_PARAMS,
    "notifications": frozenset({"since", "objectType"}),
}


def handled_params(operation_id: str) -> frozenset[str]:
    route = ROUTES[operation_id]
    return SCHOOL_PARAMS | KIND_PARAMS.get(route.kind, frozenset()) | frozenset(route.filters)
