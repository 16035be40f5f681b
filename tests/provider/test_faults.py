"""Every named fault breaks what it says it breaks, and nothing breaks without faults.

Each fault has a check here that looks at the provider from outside, over HTTP, the way
a conformance suite would. The clean provider passes every check; a provider with one
fault fails that fault's check. Fixed seed, SQLite, a few seconds per fault.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.conformance.chain.listener import Listener
from eduv.dataset.convert import convert_object
from eduv.dataset.model import Dataset, School
from eduv.provider.chain.store import load_chain
from eduv.provider.faults import FAULTS
from tests.conftest import REPO
from tests.provider.harness import Provider, client, config, running, small_chain
from tests.provider.write_checks import CURRENT, WRITE_CHECKS, confirmations

Check = Callable[[Provider, Dataset], list[str]]
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")


def _config(dataset: Dataset, listener: Listener) -> Any:
    return config(
        [
            client("full", confirmations=confirmations(listener)),
            client("basic-only", scopes=["eduv.student.basic"]),
            client("education-only", scopes=["eduv.education"]),
            client("one-school", consents=[{"school": dataset.schools[0].key}]),
        ]
    )


def _vo(dataset: Dataset) -> School:
    return max(
        (s for s in dataset.schools if dataset.facts[s.key].sector == "VO"),
        key=lambda s: len(s.groups),
    )


def _get(provider: Provider, path: str, client_id: str = "full", **kwargs: Any) -> httpx.Response:
    with provider.http(provider.token(client_id)) as http:
        return http.get(path, **kwargs)


def _groups(provider: Provider, school: School, **params: str) -> list[dict[str, Any]]:
    answer = _get(
        provider, "/association-api/v1/groups/school", params={"orgMasterId": school.key, **params}
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


# -- checks --------------------------------------------------------------------------------


def all_groups_served(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    served = {g["groupId"] for g in _groups(provider, school)}
    return [f"group {g['groupId']} missing" for g in school.groups if g["groupId"] not in served]


def end_dates_exclusive(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    answer = _get(
        provider, "/association-api/v1/schoolperiods/school", params={"orgMasterId": school.key}
    )
    stored = {p["schoolPeriodId"]: p["endDate"] for p in school.schoolPeriods}
    return [
        f"{p['schoolPeriodId']} ends {p['endDate']}, not {stored[p['schoolPeriodId']]}"
        for p in answer.json()
        if p["endDate"] != stored[p["schoolPeriodId"]]
    ]


def demographics_need_their_scope(provider: Provider, dataset: Dataset) -> list[str]:
    answer = _get(
        provider,
        "/students-api/v1/students/school",
        "basic-only",
        params={"orgMasterId": _vo(dataset).key},
    )
    return [
        f"{s['givenName']} has demographic fields"
        for s in answer.json()
        if "dateOfBirth" in s or "gender" in s
    ]


def full_version_header(provider: Provider, dataset: Dataset) -> list[str]:
    problems = []
    for version in spec.versions("association"):
        answer = _get(
            provider,
            "/association-api/v1/groups/school",
            params={"orgMasterId": dataset.schools[0].key},
            headers={"API-Version": version},
        )
        header = answer.headers.get("API-Version", "")
        if header != version or not SEMVER.match(header):
            problems.append(f"asked {version}, got API-Version {header!r}")
    return problems


def one_class_per_student(provider: Provider, dataset: Dataset) -> list[str]:
    """No pupil is in two classes whose [beginDate, endDate) spans overlap."""
    spans: dict[str, list[tuple[str, str, str]]] = {}
    for group in _groups(provider, _vo(dataset), groupType="class"):
        span = (group["beginDate"], group.get("endDate", "9999-12-31"), group["groupId"])
        for ref in group["students"]:
            spans.setdefault(str(sorted(ref.items())), []).append(span)
    return [
        f"a student is in classes {a[2]} and {b[2]} at once"
        for found in spans.values()
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if a[0] < b[1] and b[0] < a[1]
    ]


def assignments_exist(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    answer = _get(
        provider, "/association-api/v1/assignments/school", params={"orgMasterId": school.key}
    )
    known = {a["assignmentId"] for a in answer.json()}
    return [
        f"group {g['groupId']} lists unknown assignment {a}"
        for g in _groups(provider, school)
        for a in g["assignments"]
        if a not in known
    ]


def _group_changes(dataset: Dataset) -> tuple[str, list[dict[str, Any]]]:
    school = _vo(dataset)
    group = copy.deepcopy(school.groups[0])
    group["groupId"] = "7d0e7e57-0000-4000-8000-0000000000aa"
    return group["groupId"], [
        {"op": "add", "collection": "groups", "school": school.key, "object": group},
        {
            "op": "update",
            "collection": "groups",
            "school": school.key,
            "object": {**group, "groupName": "n"},
        },
        {"op": "delete", "collection": "groups", "school": school.key, "id": group["groupId"]},
    ]


def _notifications_after_changes(
    provider: Provider, dataset: Dataset
) -> tuple[str, list[dict[str, Any]]]:
    before = _get(provider, "/notifications-api/v0/notifications").json()
    since = before[-1]["created"] if before else "2000-01-01T00:00:00Z"
    group_id, changes = _group_changes(dataset)
    with provider.provisioning() as http:
        assert http.post("/provisioning/changes", json={"changes": changes}).status_code == 200
    after = _get(provider, "/notifications-api/v0/notifications", params={"since": since}).json()
    return group_id, after


def notifications_oldest_first(provider: Provider, dataset: Dataset) -> list[str]:
    _, found = _notifications_after_changes(provider, dataset)
    created = [n["created"] for n in found]
    return [] if created == sorted(created) and len(created) == 3 else [f"order {created}"]


def deletes_are_notified(provider: Provider, dataset: Dataset) -> list[str]:
    group_id, found = _notifications_after_changes(provider, dataset)
    mine = [n for n in found if n.get("objectId") == group_id]
    if mine and mine[-1]["isDeleteNotification"]:
        return []
    return [f"no delete notification for {group_id}: {[n['isDeleteNotification'] for n in mine]}"]


def unknown_organisation_is_23(provider: Provider, _dataset: Dataset) -> list[str]:
    answer = _get(provider, "/association-api/v1/groups/school", params={"orgMasterId": "000A000"})
    if answer.status_code == 400 and answer.json().get("status") == 23:
        return []
    return [f"unknown organisation answered {answer.status_code} {answer.text[:80]}"]


def objects_are_valid(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    validator = spec.validator("association-api", None, "Group")
    return [
        f"{g['groupId']}: {e.message}"
        for g in _groups(provider, school)
        for e in validator.iter_errors(g)
    ]


def previous_version_shapes(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    previous = spec.api("education").previous
    answer = _get(
        provider,
        "/education-api/v1/studyofferings/school",
        params={"orgMasterId": school.key},
        headers={"API-Version": previous},
    )
    expected = {
        o["studyOfferingId"]: convert_object("education-api", "StudyOffering", o, "down", "VO")
        for o in school.studyOfferings
    }
    return [
        f"{o['studyOfferingId']} not in t-1 shape"
        for o in answer.json()
        if o != expected[o["studyOfferingId"]]
    ]


def status_codes_are_integers(provider: Provider, _dataset: Dataset) -> list[str]:
    answer = _get(provider, "/association-api/v1/groups/school", params={"groupType": "klas"})
    status = answer.json().get("status")
    return [] if isinstance(status, int) else [f"status {status!r} is not an integer"]


def unauthenticated_has_no_body(provider: Provider, dataset: Dataset) -> list[str]:
    answer = httpx.get(
        provider.url + "/association-api/v1/groups/school",
        params={"orgMasterId": dataset.schools[0].key},
    )
    problems = [] if answer.content == b"" else ["401 has a body"]
    return problems + ([] if "WWW-Authenticate" in answer.headers else ["no WWW-Authenticate"])


def scopes_are_checked(provider: Provider, dataset: Dataset) -> list[str]:
    answer = _get(
        provider,
        "/association-api/v1/groups/school",
        "education-only",
        params={"orgMasterId": dataset.schools[0].key},
    )
    ok = answer.status_code == 403 and answer.json().get("status") == 21
    return [] if ok else [f"no scope, yet {answer.status_code}"]


def consent_is_checked(provider: Provider, dataset: Dataset) -> list[str]:
    answer = _get(
        provider,
        "/association-api/v1/groups/school",
        "one-school",
        params={"orgMasterId": dataset.schools[1].key},
    )
    ok = answer.status_code == 403 and answer.json().get("status") == 22
    return [] if ok else [f"no consent, yet {answer.status_code}"]


def period_filter_applies(provider: Provider, dataset: Dataset) -> list[str]:
    found = _groups(provider, _vo(dataset), schoolPeriodId="2099-2100")
    return [f"{len(found)} groups for a period without groups"] if found else []


def previous_version_served(provider: Provider, dataset: Dataset) -> list[str]:
    previous = spec.api("education").previous
    answer = _get(
        provider,
        "/education-api/v1/studyofferings/school",
        params={"orgMasterId": _vo(dataset).key},
        headers={"API-Version": previous},
    )
    header = answer.headers.get("API-Version", "")
    return [] if header == previous else [f"asked {previous}, got API-Version {header!r}"]


def listed_groups_are_found(provider: Provider, dataset: Dataset) -> list[str]:
    school = _vo(dataset)
    problems = []
    for group in _groups(provider, school)[:3]:
        answer = _get(
            provider,
            f"/association-api/v1/groups/school/{group['groupId']}",
            params={"orgMasterId": school.key},
        )
        if answer.status_code != 200:
            problems.append(
                f"group {group['groupId']} listed, but its lookup answered {answer.status_code}"
            )
    return problems


def board_search_answered(provider: Provider, dataset: Dataset) -> list[str]:
    school = dataset.schools[0]
    board = school.organisation["boards"][0]["organisationMasterIdentifier"]
    answer = _get(provider, "/education-api/v1/organisations", params={"boardMasterId": board})
    if answer.status_code != 200:
        return [f"search by board {board} answered {answer.status_code}"]
    keys = {o["organisationMasterIdentifier"] for o in answer.json()}
    return [] if school.key in keys else [f"{school.key} not found by its board"]


def parameter_ties_refused(provider: Provider, dataset: Dataset) -> list[str]:
    school = dataset.schools[0].key
    broken = (
        {"orgMasterId": school, "orgId": school},  # orgId without orgIdType
        {"orgMasterId": school, "filterByOrgId": "true"},  # the filter about orgId only
    )
    problems: list[str] = []
    for params in broken:
        answer = _get(provider, "/students-api/v1/students/school", params=params)
        if answer.status_code != 400:
            problems.append(f"{sorted(params)} answered {answer.status_code}")
    return problems


# -- chain reads ------------------------------------------------------------------------

CHAIN_LISTS = {
    "products": ("/catalogue-api/v2/products", "productId", "/catalogue-api/v2/products/{}"),
    "deliveryOrders": (
        "/delivery-api/v2/deliveryorders/school",
        "deliveryOrderId",
        "/delivery-api/v2/deliveryorders/{}",
    ),
    "entitlements": (
        "/entitlement-api/v1/entitlements/school",
        "entitlementId",
        "/entitlement-api/v1/entitlements/{}",
    ),
    # One overview per school (404 for a school without usage), looked up per order.
    "deliveryOrderUsage": (
        "/usage-api/v1/usage/school",
        "deliveryOrderId",
        "/usage-api/v1/usage/deliveryorders/{}",
    ),
}


def _chain_listed(provider: Provider, dataset: Dataset, name: str) -> list[dict[str, Any]]:
    """Everything one chain list serves, over every school for the school lists."""
    path, _member, _lookup = CHAIN_LISTS[name]
    if name == "products":
        answer = _get(provider, path)
        assert answer.status_code == 200, answer.text
        return list(answer.json())
    found: list[dict[str, Any]] = []
    for school in dataset.schools:
        answer = _get(provider, path, params={"orgMasterId": school.key})
        if answer.status_code == 404 and name == "deliveryOrderUsage":
            continue
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += body if isinstance(body, list) else [body]
    return found


def _chain_lookups(name: str) -> Check:
    def check(provider: Provider, dataset: Dataset) -> list[str]:
        _path, member, lookup = CHAIN_LISTS[name]
        listed = _chain_listed(provider, dataset, name)
        assert listed, f"no {name} served"
        problems = []
        for obj in listed[:3]:
            answer = _get(provider, lookup.format(obj[member]))
            if answer.status_code != 200:
                problems.append(
                    f"{name} {obj[member]} listed, its lookup answers {answer.status_code}"
                )
        return problems

    return check


def licence_periods_served(provider: Provider, dataset: Dataset) -> list[str]:
    """EDUV-PRODUCT-001: a digital product states its licence period."""
    return [
        f"digital product {p['productId']} has no licensePeriod"
        for p in _chain_listed(provider, dataset, "products")
        if p["type"] in ("digital", "combi") and "licensePeriod" not in p
    ]


def product_info_agrees(provider: Provider, dataset: Dataset) -> list[str]:
    """EDUV-CHAIN-003: a product summary names its product's publisher."""
    by_id = {p["productId"]: p["publisher"] for p in _chain_listed(provider, dataset, "products")}
    answer = _get(provider, "/catalogue-api/v2/products/info")
    return [
        f"ProductInfo {i['productId']}: {i['publisher']!r}, not {by_id[i['productId']]!r}"
        for i in answer.json()
        if i["productId"] in by_id and i["publisher"] != by_id[i["productId"]]
    ]


def usage_totals_count(provider: Provider, dataset: Dataset) -> list[str]:
    """EDUV-USAGE-007: a usage overview's totals count the entries it lists."""
    problems = []
    for overview in _chain_listed(provider, dataset, "deliveryOrderUsage"):
        for status in ("entitled", "licensed", "cancelled", "blocked"):
            held = sum(e["entitlementStatus"] == status for e in overview["entitlements"])
            total = overview.get(f"total{status.capitalize()}", held)
            if total != held:
                problems.append(f"{overview['deliveryOrderId']}: {total} {status}, {held} listed")
    return problems


def person_reads_narrowed(provider: Provider, dataset: Dataset) -> list[str]:
    """A read for one person answers only the entitlements whose specification names them."""
    path = "/entitlement-api/v1/entitlements/school/user"
    stranger = {"userMasterIdentifier": "nobody"}
    problems = []
    for school in dataset.schools:
        body = {"school": {"organisationMasterIdentifier": school.key}, "user": stranger}
        with provider.http(provider.token()) as http:
            answer = http.post(path, json=body)
        if answer.status_code == 200 and answer.json():
            problems.append(f"{school.key}: {len(answer.json())} entitlements for nobody")
    return problems


CONSENTS = "/consent-api/v0/consent/statuses"


def _consents(provider: Provider, school: str | None = None) -> list[dict[str, Any]]:
    path, params = (
        (CONSENTS, None) if school is None else (CONSENTS + "/school", {"orgMasterId": school})
    )
    answer = _get(provider, path, params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def consents_per_school(provider: Provider, dataset: Dataset) -> list[str]:
    """The consents read for a school name that school."""
    problems = []
    for school in dataset.schools:
        for consent in _consents(provider, school.key):
            named = consent["school"].get("organisationMasterIdentifier")
            if named != school.key:
                problems.append(f"{school.key}: a consent of {named}")
    return problems


def consents_valid(provider: Provider, dataset: Dataset) -> list[str]:
    validator = spec.validator("consent-api", spec.api("consent-api").current, "ConsentStatus")
    return [e.message for c in _consents(provider) for e in validator.iter_errors(c)]


def accepted_consents_referenced(provider: Provider, dataset: Dataset) -> list[str]:
    """EDUV-CONSENT-001: an accepted consent carries the provider's reference."""
    return [
        f"{c['api']} at {c['school']}: no providerReferenceId"
        for c in _consents(provider)
        if c["providerStatus"] == "accepted" and not c.get("providerReferenceId")
    ]


def _agreements(provider: Provider, services: str = "listed") -> list[tuple[Any, Any, Any]]:
    """Per registered agreement: what was asked, the agreement and the verification
    answered; for the services it lists, or for one of the list that it leaves out."""
    out = []
    every = spec.schema("dpa-api", "0.9.1", "GET /agreements.parameters")["properties"]
    values = every["data_services"]["items"]["enum"]
    with provider.http(provider.token()) as http:
        for stored in CURRENT.chain.objects["agreements"]:
            asked = {k: stored[k] for k in ("supplierOin", "boardId", "ecosystem")}
            listed = stored["dataServices"]
            other = [v for v in values if v not in listed][:1]
            asked["data_services"] = listed if services == "listed" else other
            own = http.get("/dpa-api/v0/agreements/self", params=asked)
            check = http.get("/dpa-api/v0/agreements", params=asked)
            out.append((asked, own, check))
    return out


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def agreement_dates_are_days(provider: Provider, dataset: Dataset) -> list[str]:
    """EDUV-DPA-001: an agreement's start and end are dates."""
    return [
        f"{own.json()['agreementId']}: {key} {own.json()[key]!r}"
        for _asked, own, _check in _agreements(provider)
        for key in ("startDate", "endDate")
        if key in own.json() and not DAY.fullmatch(own.json()[key])
    ]


def agreement_services_checked(provider: Provider, dataset: Dataset) -> list[str]:
    """An agreement that leaves a service out is not found for it, nor verified."""
    return [
        f"{asked['boardId']}: {asked['data_services']} answered {own.status_code}, "
        f"valid {check.json().get('valid')}"
        for asked, own, check in _agreements(provider, "other")
        if asked["data_services"] and (own.status_code != 404 or check.json().get("valid"))
    ]


def _chain_valid(name: str, api: str, message: str) -> Check:
    def check(provider: Provider, dataset: Dataset) -> list[str]:
        validator = spec.validator(api, spec.api(api).current, message)
        return [
            f"{message}: {error.message}"
            for obj in _chain_listed(provider, dataset, name)
            for error in validator.iter_errors(obj)
        ]

    return check


CHECKS: dict[str, Check] = {
    "lesson-groups-dropped": all_groups_served,
    "end-dates-inclusive": end_dates_exclusive,
    "demographics-without-scope": demographics_need_their_scope,
    "wrong-api-version-header": full_version_header,
    "student-in-two-classes": one_class_per_student,
    "group-missing-assignment": assignments_exist,
    "notifications-out-of-order": notifications_oldest_first,
    "no-delete-notification": deletes_are_notified,
    "unknown-organisation-200": unknown_organisation_is_23,
    "required-field-missing": objects_are_valid,
    "enum-outside-list": objects_are_valid,
    "previous-in-current-shape": previous_version_shapes,
    "status-code-strings": status_codes_are_integers,
    "unauthenticated-with-body": unauthenticated_has_no_body,
    "scope-not-checked": scopes_are_checked,
    "consent-ignored": consent_is_checked,
    "consent-per-client": consent_is_checked,
    "period-filter-ignored": period_filter_applies,
    "previous-not-served": previous_version_served,
    "lookup-404": listed_groups_are_found,
    "organisation-search-needs-school": board_search_answered,
    "parameter-ties-ignored": parameter_ties_refused,
    "product-lookup-404": _chain_lookups("products"),
    "licence-period-dropped": licence_periods_served,
    "product-info-disagrees": product_info_agrees,
    "delivery-order-lookup-404": _chain_lookups("deliveryOrders"),
    "delivery-status-outside-list": _chain_valid("deliveryOrders", "delivery-api", "DeliveryOrder"),
    "entitlement-lookup-404": _chain_lookups("entitlements"),
    "entitlement-status-outside-list": _chain_valid(
        "entitlements", "entitlement-api", "Entitlement"
    ),
    "usage-lookup-404": _chain_lookups("deliveryOrderUsage"),
    "usage-status-outside-list": _chain_valid(
        "deliveryOrderUsage", "usage-api", "DeliveryOrderUsage"
    ),
    "usage-totals-disagree": usage_totals_count,
    "person-read-not-narrowed": person_reads_narrowed,
    "consent-school-not-narrowed": consents_per_school,
    "consent-status-outside-list": consents_valid,
    "consent-reference-missing": accepted_consents_referenced,
    "agreement-date-with-time": agreement_dates_are_days,
    "agreement-services-ignored": agreement_services_checked,
    **WRITE_CHECKS,
}


@pytest.fixture
def start(sqlite_engine: Engine, dataset: Dataset) -> Iterator[Callable[[tuple[str, ...]], Any]]:
    chain = small_chain(dataset)
    load_chain(sqlite_engine, chain)
    with Listener() as listener:
        # The write checks take their listener and chain from here.
        CURRENT.listener, CURRENT.chain = listener, chain
        CURRENT.without_consent = dataset.schools[-1].key

        def make(faults: tuple[str, ...]) -> Any:
            cfg = _config(dataset, listener)
            return running(sqlite_engine, cfg, dataset=dataset, faults=faults, deliver=False)

        yield make


def test_every_fault_has_a_check_and_there_are_enough() -> None:
    assert set(CHECKS) == set(FAULTS)
    assert len(FAULTS) >= 12


def test_the_clean_provider_passes_every_check(start: Any, dataset: Dataset) -> None:
    with start(()) as provider:
        problems = {name: check(provider, dataset) for name, check in CHECKS.items()}
    assert not {k: v for k, v in problems.items() if v}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_is_caught_by_its_check(start: Any, dataset: Dataset, fault: str) -> None:
    with start((fault,)) as provider:
        problems = CHECKS[fault](provider, dataset)
    assert problems, f"{fault} was switched on, but its check found nothing"


def test_every_fault_is_documented() -> None:
    text = (REPO / "docs" / "provider.md").read_text(encoding="utf-8")
    missing = [name for name in FAULTS if f"`{name}`" not in text]
    assert not missing, f"docs/provider.md does not describe: {missing}"
