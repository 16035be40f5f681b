"""Every read operation of every served version, over real HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.dataset.model import Dataset, School, collection
from eduv.provider.routes import NOT_SERVED, ROUTES
from eduv.provider.versions import chain_apis, data_apis, mounts
from tests.provider.harness import Provider, client, config, running

CONFIG = config([client("full")])


@pytest.fixture(scope="module")
def provider(module_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    with running(module_engine, CONFIG, dataset=dataset, deliver=False) as found:
        yield found


def _school_with(dataset: Dataset, name: str) -> School:
    return max(dataset.schools, key=lambda s: len(s.items(name)))


def _person_at(dataset: Dataset, school: School, kind: str) -> dict[str, Any]:
    items = school.enrollments if kind == "student" else school.assignments
    return dict(items[0][kind])


def _request(dataset: Dataset, op: spec.Operation) -> tuple[str, dict[str, Any], Any]:
    """A path, query and body that name existing data for the operation."""
    route = ROUTES[op.operation_id]
    target = route.target if route.kind in ("get", "list", "for-person") else "enrollments"
    school = _school_with(dataset, target)
    query = {"orgMasterId": school.key}
    path, body = op.path, None
    if "{id}" in path:
        coll = collection(route.target)
        path = path.replace("{id}", str(school.items(coll.name)[0][coll.id_field]))
    if route.body_person:
        query = {}
        kind = route.body_person
        body = {
            "school": {"organisationMasterIdentifier": school.key},
            kind: _person_at(dataset, school, kind),
        }
    return path, query, body


def _data_operations() -> Iterator[Any]:
    for mount in mounts():
        if mount.api not in data_apis():
            continue
        for version in mount.versions:
            for op in spec.operations(mount.api, version):
                yield pytest.param(
                    mount.prefix, version, op, id=f"{mount.api}-{version}-{op.operation_id}"
                )


@pytest.mark.parametrize(("prefix", "version", "op"), list(_data_operations()))
def test_every_operation_answers_valid_messages(
    provider: Provider, dataset: Dataset, prefix: str, version: str, op: spec.Operation
) -> None:
    path, query, body = _request(dataset, op)
    with provider.http(provider.token()) as http:
        answer = http.request(
            op.method, prefix + path, params=query, json=body, headers={"API-Version": version}
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["API-Version"] == version
    message = op.success[1]
    assert message is not None
    doc = answer.json()
    items = doc if message.array else [doc]
    assert items, f"{op.operation_id} returned nothing for data that exists"
    validator = spec.validator(op.api, version, message.message)
    for item in items:
        errors = [e.message for e in validator.iter_errors(item)]
        assert not errors, errors


def test_route_table_covers_every_operation_and_parameter() -> None:
    from eduv.provider.routes import handled_params

    for mount in mounts():
        for version in mount.versions:
            for op in spec.operations(mount.api, version):
                if op.operation_id in NOT_SERVED:
                    continue
                assert op.operation_id in ROUTES, op.operation_id
                declared = set(spec.schema(op.api, version, op.parameters).get("properties", {}))
                missing = declared - handled_params(op.operation_id)
                assert not missing, f"{op.operation_id} {version}: unhandled {missing}"


# -- filters: the SQL answers match the same question asked of the dataset in Python ---


def _ids(answer: Any, field: str) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item[field] for item in answer.json()]


def test_group_filters(provider: Provider, dataset: Dataset) -> None:
    school = _school_with(dataset, "groups")
    facts = dataset.facts[school.key].group_offerings
    base = {"orgMasterId": school.key}
    url = "/association-api/v1/groups/school"
    with provider.http(provider.token()) as http:
        everything = _ids(http.get(url, params=base), "groupId")
        assert everything == [g["groupId"] for g in school.groups]
        for kind in ("class", "lesson-group"):
            got = _ids(http.get(url, params={**base, "groupType": kind}), "groupId")
            assert got == [g["groupId"] for g in school.groups if g["groupType"] == kind]
        period = school.groups[0]["schoolPeriod"]
        got = _ids(http.get(url, params={**base, "schoolPeriodId": period}), "groupId")
        assert got == [g["groupId"] for g in school.groups if g["schoolPeriod"] == period]
        subject = next(v.subject_offerings[0] for v in facts.values() if v.subject_offerings)
        got = _ids(http.get(url, params={**base, "subjectOfferingId": subject}), "groupId")
        expected = [
            g["groupId"]
            for g in school.groups
            if subject in facts.get(g["groupId"], _NONE).subject_offerings
        ]
        assert got == expected and got


class _NoOfferings:
    study_offerings: list[str] = []  # noqa: RUF012 - a read-only stand-in
    subject_offerings: list[str] = []  # noqa: RUF012


_NONE: Any = _NoOfferings()


def test_enrollment_and_student_filters(provider: Provider, dataset: Dataset) -> None:
    school = _school_with(dataset, "enrollments")
    base = {"orgMasterId": school.key}
    study = next(e["study"] for e in school.enrollments if e.get("study"))
    with provider.http(provider.token()) as http:
        got = _ids(
            http.get(
                "/association-api/v1/enrollments/school", params={**base, "studyOfferingId": study}
            ),
            "enrollmentId",
        )
        assert got == [e["enrollmentId"] for e in school.enrollments if e.get("study") == study]
        students = http.get(
            "/students-api/v1/students/school", params={**base, "studyOfferingId": study}
        )
        masters = {s["userMasterIdentifier"] for s in students.json()}
    enrolled = {
        e["student"]["userMasterIdentifier"] for e in school.enrollments if e.get("study") == study
    }
    assert masters == enrolled


def test_employees_of_a_school(provider: Provider, dataset: Dataset) -> None:
    school = _school_with(dataset, "assignments")
    with provider.http(provider.token()) as http:
        answer = http.get("/employees-api/v1/employees/school", params={"orgMasterId": school.key})
    got = {e["userIds"][0]["userId"] for e in answer.json()}
    assigned = {a["employee"]["userIds"][0]["userId"] for a in school.assignments}
    assert assigned <= got


def test_secondary_identifier_and_branch(provider: Provider, dataset: Dataset) -> None:
    """orgId/orgIdType find the school; a V_ID with filterByOrgId narrows to the branch."""
    school = _school_with(dataset, "enrollments")
    branches = [
        e["location"]["locationIds"][0]["locationId"] for e in school.enrollments if "location" in e
    ]
    v_id = max(set(branches), key=branches.count)
    url = "/association-api/v1/enrollments/school"
    with provider.http(provider.token()) as http:
        whole = http.get(url, params={"orgId": v_id, "orgIdType": "V_ID", "filterByOrgId": "false"})
        branch = http.get(url, params={"orgId": v_id, "orgIdType": "V_ID", "filterByOrgId": "true"})
    assert len(whole.json()) == len(school.enrollments)
    expected = [
        e["enrollmentId"]
        for e in school.enrollments
        if any(i["locationId"] == v_id for i in e.get("location", {}).get("locationIds", []))
    ]
    assert 0 < len(expected) < len(school.enrollments)
    assert _ids(branch, "enrollmentId") == expected


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"orgMasterId": "999X999"}, 400, 23),
        ({}, 400, 11),
        ({"orgId": "x"}, 400, 11),
        ({"orgMasterId": "x", "groupType": "klas"}, 400, 11),
        ({"orgMasterId": "x", "filterByOrgId": "yes"}, 400, 11),
    ],
)
def test_bad_requests_get_a_status_response(
    provider: Provider, params: dict[str, str], status: int, code: int
) -> None:
    with provider.http(provider.token()) as http:
        answer = http.get("/association-api/v1/groups/school", params=params)
    assert answer.status_code == status
    assert answer.json()["status"] == code
    assert "Traceback" not in answer.text and answer.json()["statusMessage"]


def test_unknown_object_and_bad_body(provider: Provider, dataset: Dataset) -> None:
    key = dataset.schools[0].key
    with provider.http(provider.token()) as http:
        missing = http.get("/association-api/v1/groups/school/nope", params={"orgMasterId": key})
        not_json = http.post(
            "/students-api/v1/students", content=b"{", headers={"Content-Type": "application/json"}
        )
        wrong = http.post("/students-api/v1/students", json={"school": {}})
    assert missing.status_code == 404 and missing.json()["status"] == 99
    assert not_json.status_code == 400 and not_json.json()["status"] == 11
    assert wrong.status_code == 400 and "student" in wrong.json()["statusMessage"]


def test_versions(provider: Provider, dataset: Dataset) -> None:
    params = {"orgMasterId": dataset.schools[0].key}
    url = "/association-api/v1/schoolperiods/school"
    with provider.http(provider.token()) as http:
        default = http.get(url, params=params)
        previous = http.get(url, params=params, headers={"API-Version": "1.0.2"})
        unknown = http.get(url, params=params, headers={"API-Version": "1.0.1"})
        old_notifications = http.get(
            "/notifications-api/v0/notifications", headers={"API-Version": "0.0.2"}
        )
        other_major = http.get("/association-api/v2/schoolperiods/school", params=params)
        no_route = http.get("/association-api/v1/rooms/school", params=params)
        wrong_method = http.delete(url, params=params)
    assert default.headers["API-Version"] == spec.api("association").current
    assert previous.headers["API-Version"] == "1.0.2"
    assert unknown.status_code == 400 and unknown.json() == {
        "status": 12,
        "statusMessage": unknown.json()["statusMessage"],
    }
    assert unknown.headers["API-Version"]
    assert old_notifications.status_code == 400 and old_notifications.json()["status"] == 12
    assert other_major.status_code == 400 and other_major.json()["status"] == 12
    assert no_route.status_code == 404 and no_route.json()["status"] == 99
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 99


def test_docs_and_openapi_documents(provider: Provider) -> None:
    with provider.http() as http:
        docs = http.get("/docs")
        chosen = http.get("/docs", params={"doc": "students-api 1.0.1"})
        script = http.get("/docs/assets/swagger-ui-bundle.js")
        index = http.get("/")
        document = http.get("/specs/association-api/1.1.0/openapi.json")
        schema = http.get("/specs/association-api/1.1.0/Group.json")
        outside = http.get("/specs/association-api/1.1.0/..%2F..%2Findex.json")
        unserved = http.get("/specs/course-api/0.0.4/openapi.json")  # not adopted
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # no file of the page comes from outside the provider
    assert "http://" not in docs.text and "https://" not in docs.text
    assert '"/specs/students-api/1.0.1/openapi.json"' in chosen.text
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    served = {*data_apis(), "notifications-api", *chain_apis()}
    assert {m["api"] for m in index.json()["apis"]} == served
    assert document.json()["info"]["version"] == "1.1.0"
    assert schema.json()["title"] == "Group"
    assert outside.status_code == 404 and unserved.status_code == 404
