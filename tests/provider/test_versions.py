"""t-1 is served through the dataset format's conversion table."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.dataset.convert import convert_object
from eduv.dataset.model import Dataset
from tests.provider.harness import Provider, client, config, running


@pytest.fixture
def provider(sqlite_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    with running(sqlite_engine, config([client("full")]), dataset=dataset, deliver=False) as found:
        yield found


def test_study_offerings_in_both_versions(provider: Provider, dataset: Dataset) -> None:
    school = next(
        s
        for s in dataset.schools
        if dataset.facts[s.key].sector == "VO"
        and any(len(o.get("studyCode", "")) == 4 for o in s.studyOfferings)
    )
    url = "/education-api/v1/studyofferings/school"
    with provider.http(provider.token()) as http:
        current = http.get(url, params={"orgMasterId": school.key}).json()
        previous = http.get(
            url, params={"orgMasterId": school.key}, headers={"API-Version": "1.1.0"}
        ).json()
    assert current == school.studyOfferings
    assert previous == [
        convert_object("education-api", "StudyOffering", o, "down", "VO")
        for o in school.studyOfferings
    ]
    assert any("studyCode" in o for o in current) and not any("studyCode" in o for o in previous)


def test_employee_roles_known_only_by_a_branch_are_left_out_of_t_minus_1(
    provider: Provider, dataset: Dataset
) -> None:
    school = dataset.schools[1]
    ref = school.assignments[0]["employee"]
    employee = copy.deepcopy(
        next(
            e for e in dataset.employees if e["userIds"][0]["userId"] == ref["userIds"][0]["userId"]
        )
    )
    v_id = next(
        i for i in school.organisation["organisationIds"] if i["organisationIdType"] == "V_ID"
    )
    employee["organisationRoles"].append(
        {
            "organisation": {"organisationIds": [v_id]},
            "organisationRole": "leraar",
            "beginDate": "2024-08-01",
        }
    )
    with provider.provisioning() as http:
        answer = http.post(
            "/provisioning/changes",
            json={"changes": [{"op": "update", "collection": "employees", "object": employee}]},
        )
    assert answer.status_code == 200, answer.text
    body = {"school": {"organisationMasterIdentifier": school.key}, "employee": ref}
    with provider.http(provider.token()) as http:
        current = http.post("/employees-api/v1/employees", json=body).json()
        previous = http.post(
            "/employees-api/v1/employees", json=body, headers={"API-Version": "1.0.0"}
        ).json()
    assert len(current[0]["organisationRoles"]) == len(previous[0]["organisationRoles"]) + 1
    validator = spec.validator("employees-api", "1.0.0", "Employee")
    assert validator.is_valid(previous[0])
    assert not validator.is_valid(current[0])
