"""Malformed requests get 4xx with a StatusResponse, never 500; 405 names what is allowed;
the served OpenAPI documents say what the provider really does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from eduv.dataset.model import Dataset
from eduv.provider.documents import RULES_EXTENSION
from eduv.provider.versions import mounts
from tests.provider.harness import Provider, client, config, running

LOOKUPS = [
    "/students-api/v1/students",
    "/employees-api/v1/employees",
    "/association-api/v1/enrollments/school/student",
    "/association-api/v1/assignments/school/employee",
]


@pytest.fixture(scope="module")
def provider(module_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    with running(module_engine, config([client("full")]), dataset=dataset, deliver=False) as p:
        yield p


@pytest.fixture(scope="module")
def http(provider: Provider) -> Iterator[httpx.Client]:
    with provider.http(provider.token()) as client_:
        yield client_


@pytest.mark.parametrize("path", LOOKUPS)
@pytest.mark.parametrize("body", [b"", b"null", b"12", b"true", b"[]", b'"text"'])
def test_lookups_refuse_bodies_that_are_not_objects(
    http: httpx.Client, dataset: Dataset, path: str, body: bytes
) -> None:
    answer = http.post(
        path,
        params={"orgMasterId": dataset.schools[0].key},
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 11
    assert answer.headers["API-Version"]


@pytest.mark.parametrize(
    "params",
    [{"boardId": "x"}, {"boardIdType": "BGE_CODE"}],
)
def test_board_id_needs_its_type(
    http: httpx.Client, dataset: Dataset, params: dict[str, str]
) -> None:
    answer = http.get(
        "/education-api/v1/organisations", params={"orgMasterId": dataset.schools[0].key, **params}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 11 and "boardId" in answer.json()["statusMessage"]


@pytest.mark.parametrize("after", ["9" * 400, "9223372036854775808", "-1", "1e3", ""])
def test_outbox_refuses_malformed_positions(provider: Provider, after: str) -> None:
    with provider.provisioning() as http:
        answer = http.get("/provisioning/outbox", params={"after": after})
        fine = http.get("/provisioning/outbox", params={"after": "9223372036854775807"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 11
    assert fine.status_code == 200 and fine.json() == []


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/students-api/v1/students", "POST"),
        ("PUT", "/association-api/v1/groups/school", "GET"),
        ("OPTIONS", "/education-api/v1/organisations", "GET"),
        ("PATCH", "/notifications-api/v0/notifications", "GET"),
    ],
)
def test_405_names_the_allowed_methods_and_the_version(
    http: httpx.Client, method: str, path: str, allowed: str
) -> None:
    answer = http.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allowed
    assert answer.headers["API-Version"]
    assert answer.json()["status"] == 99
    other = http.request("PUT", "/oauth2/token")
    assert other.status_code == 405 and other.headers["Allow"] == "POST"


def test_served_documents_describe_the_provider(provider: Provider) -> None:
    served = [(m.api, v) for m in mounts() for v in m.versions]
    for api, version in served:
        doc = httpx.get(f"{provider.url}/specs/{api}/{version}/openapi.json").json()
        for item in doc["paths"].values():
            for op in item.values():
                unauthenticated = op["responses"].get("401")
                if unauthenticated is not None:
                    assert "content" not in unauthenticated, op.get("operationId")
                    assert "WWW-Authenticate" in unauthenticated["headers"]
                if op.get("operationId") in ("post-notification", "post-notifications"):
                    raise AssertionError("the receiving side is not served")
    organisations = httpx.get(f"{provider.url}/specs/education-api/1.1.1/openapi.json").json()[
        "paths"
    ]["/organisations"]["get"]
    rules = organisations[RULES_EXTENSION]["allOf"]
    together = [rule["dependentRequired"] for rule in rules if "dependentRequired" in rule]
    assert together and together[0]["boardId"] == ["boardIdType"]
    assert any("anyOf" in rule for rule in rules)
    groups = httpx.get(f"{provider.url}/specs/association-api/1.1.0/openapi.json").json()["paths"][
        "/groups/school"
    ]["get"]
    assert any("if" in rule for rule in groups[RULES_EXTENSION]["allOf"])  # filterByOrgId
    lookup = httpx.get(f"{provider.url}/specs/students-api/1.1.0/openapi.json").json()
    assert lookup["paths"]["/students"]["post"]["requestBody"]["required"] is True


def test_nul_characters_match_nothing_and_are_not_stored(
    http: httpx.Client, provider: Provider, dataset: Dataset
) -> None:
    school = dataset.schools[0].key
    in_query = http.get("/association-api/v1/groups/school", params={"orgMasterId": "a\x00b"})
    in_path = http.get("/association-api/v1/groups/school/a%00b", params={"orgMasterId": school})
    in_body = http.post(
        "/students-api/v1/students",
        params={"orgMasterId": school},
        json={
            "school": {"organisationMasterIdentifier": school},
            "student": {"userMasterIdentifier": "a\x00"},
        },
    )
    assert in_query.status_code == 400 and in_query.json()["status"] == 23
    assert in_path.status_code == 404 and in_body.status_code == 404
    with provider.provisioning() as admin:
        provisioning = admin.delete("/provisioning/schools/a%00b")
        stored = admin.post("/provisioning/changes", content=b'{"changes": [], "x": "\\u0000"}')
    for answer in (provisioning, stored):
        assert answer.status_code == 400, answer.text
        assert answer.json()["status"] == 11


def test_a_blank_version_header_is_refused(http: httpx.Client, dataset: Dataset) -> None:
    answer = http.get(
        "/association-api/v1/groups/school",
        params={"orgMasterId": dataset.schools[0].key},
        headers={"API-Version": ""},
    )
    assert answer.status_code == 400 and answer.json()["status"] == 12
