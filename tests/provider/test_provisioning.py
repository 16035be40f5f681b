"""The provisioning API: replacing schools and applying changes, with their notifications."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.dataset.model import Dataset
from tests.provider.harness import Provider, client, config, running

CONFIG = config([client("full")])


@pytest.fixture
def provider(engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    with running(engine, CONFIG, dataset=dataset, deliver=False) as found:
        yield found


def _outbox_after(provider: Provider, seq: int) -> list[dict[str, Any]]:
    with provider.provisioning() as http:
        answer = http.get("/provisioning/outbox", params={"after": seq})
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, Any]] = answer.json()
    return entries


def _last_seq(provider: Provider) -> int:
    entries = _outbox_after(provider, 0)
    return entries[-1]["seq"] if entries else 0


def _groups(provider: Provider, key: str) -> list[dict[str, Any]]:
    with provider.http(provider.token()) as http:
        answer = http.get("/association-api/v1/groups/school", params={"orgMasterId": key})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_off_by_default_and_guarded(sqlite_engine: Engine, dataset: Dataset) -> None:
    with (
        running(sqlite_engine, CONFIG, provisioning=False, deliver=False) as off,
        off.provisioning() as http,
    ):
        assert http.post("/provisioning/changes", json={"changes": []}).status_code == 404
    with running(sqlite_engine, CONFIG, deliver=False) as on, on.http("wrong-token") as http:
        answer = http.post("/provisioning/changes", json={"changes": []})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"]


def test_changes_write_data_and_notifications(provider: Provider, dataset: Dataset) -> None:
    school = dataset.schools[1]
    group = copy.deepcopy(school.groups[0])
    group["groupId"] = "7d0e7e57-0000-4000-8000-000000000001"
    renamed = {**group, "groupName": "renamed"}
    start = _last_seq(provider)
    changes = [
        {"op": "add", "collection": "groups", "school": school.key, "object": group},
        {"op": "update", "collection": "groups", "school": school.key, "object": renamed},
        {
            "op": "delete",
            "collection": "groups",
            "school": school.key,
            "id": school.groups[1]["groupId"],
        },
    ]
    with provider.provisioning() as http:
        answer = http.post("/provisioning/changes", json={"changes": changes})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["added"], answer.json()["updated"], answer.json()["deleted"]) == (1, 1, 1)
    served = {g["groupId"]: g for g in _groups(provider, school.key)}
    assert served[group["groupId"]]["groupName"] == "renamed"
    assert school.groups[1]["groupId"] not in served
    notes = [e["notification"] for e in _outbox_after(provider, start)]
    assert [(n["objectId"], n["isDeleteNotification"]) for n in notes] == [
        (group["groupId"], False),
        (group["groupId"], False),
        (school.groups[1]["groupId"], True),
    ]
    validator = spec.validator("notifications-api", "0.9.1", "Notification")
    for note in notes:
        assert validator.is_valid(note), note
        assert note["url"].startswith(provider.url + "/association-api/v1/groups/school/")
        assert note["school"]["organisationMasterIdentifier"] == school.key


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"op": "add", "collection": "groups", "object": "GROUP0"}, 409),
        ({"op": "update", "collection": "groups", "object": "OTHER"}, 409),
        ({"op": "delete", "collection": "groups", "id": "missing"}, 409),
        ({"op": "add", "collection": "groups", "object": {"groupId": "x"}}, 400),
        ({"op": "move", "collection": "groups", "id": "x"}, 400),
        ({"op": "add", "collection": "rooms", "object": {}}, 400),
    ],
)
def test_bad_changes_write_nothing(
    provider: Provider, dataset: Dataset, change: dict[str, Any], status: int
) -> None:
    school = dataset.schools[1]
    fresh = {**school.groups[0], "groupId": "7d0e7e57-0000-4000-8000-00000000000f"}
    other = {**fresh, "groupId": "7d0e7e57-0000-4000-8000-00000000000e"}
    objects = {"GROUP0": school.groups[0], "OTHER": other}
    if isinstance(change.get("object"), str):
        change = {**change, "object": objects[change["object"]]}
    first = {"op": "add", "collection": "groups", "school": school.key, "object": fresh}
    start = _last_seq(provider)
    with provider.provisioning() as http:
        answer = http.post(
            "/provisioning/changes", json={"changes": [first, {"school": school.key, **change}]}
        )
    assert answer.status_code == status, answer.text
    assert answer.json()["status"] in (11, 99) and answer.json()["statusMessage"]
    assert fresh["groupId"] not in {g["groupId"] for g in _groups(provider, school.key)}
    assert _outbox_after(provider, start) == []


def test_replace_school_notifies_the_differences(provider: Provider, dataset: Dataset) -> None:
    source = dataset.to_json()
    school_doc = copy.deepcopy(source["schools"][1])
    removed = school_doc["groups"].pop(0)["groupId"]
    school_doc["groups"][0]["groupName"] = "changed"
    changed = school_doc["groups"][0]["groupId"]
    key = dataset.schools[1].key
    body = {
        **source,
        "schools": [school_doc],
        "facts": {"schools": {key: source["facts"]["schools"][key]}},
    }
    start = _last_seq(provider)
    with provider.provisioning() as http:
        answer = http.put(f"/provisioning/schools/{key}", json=body)
    assert answer.status_code == 200, answer.text
    outcome = answer.json()
    assert outcome["deleted"] == 1 and outcome["updated"] == 1 and outcome["added"] == 0
    notes = [e["notification"] for e in _outbox_after(provider, start)]
    assert {(n["objectType"], n.get("objectId"), n["isDeleteNotification"]) for n in notes} == {
        ("Group", removed, True),
        ("Group", changed, False),
    }
    served = {g["groupId"]: g["groupName"] for g in _groups(provider, key)}
    assert removed not in served and served[changed] == "changed"


def test_replace_school_refuses_another_school(provider: Provider, dataset: Dataset) -> None:
    body = dataset.to_json()
    with provider.provisioning() as http:
        answer = http.put(f"/provisioning/schools/{dataset.schools[0].key}", json=body)
    assert answer.status_code == 400 and "exactly one school" in answer.json()["statusMessage"]


def test_delete_school(provider: Provider, dataset: Dataset) -> None:
    key = dataset.schools[0].key
    start = _last_seq(provider)
    with provider.provisioning() as http:
        answer = http.delete(f"/provisioning/schools/{key}")
        again = http.delete(f"/provisioning/schools/{key}")
    assert answer.status_code == 200 and again.status_code == 409
    notes = [e["notification"] for e in _outbox_after(provider, start)]
    assert all(n["isDeleteNotification"] for n in notes)
    assert notes[-1]["objectType"] == "Organisation"
    assert (
        len(notes)
        == sum(
            len(dataset.schools[0].items(c))
            for c in (
                "schoolPeriods",
                "studyOfferings",
                "subjectOfferings",
                "groups",
                "enrollments",
                "assignments",
            )
        )
        + 1
    )
    with provider.http(provider.token()) as http:
        gone = http.get("/association-api/v1/groups/school", params={"orgMasterId": key})
    assert gone.status_code == 400 and gone.json()["status"] == 23


def test_people_changes(provider: Provider, dataset: Dataset) -> None:
    school = dataset.schools[1]
    ref = school.enrollments[0]["student"]
    student = next(
        s for s in dataset.students if s["userMasterIdentifier"] == ref["userMasterIdentifier"]
    )
    start = _last_seq(provider)
    with provider.provisioning() as http:
        updated = http.post(
            "/provisioning/changes",
            json={
                "changes": [
                    {
                        "op": "update",
                        "collection": "students",
                        "object": {**student, "givenName": "Zoë"},
                    }
                ]
            },
        )
        deleted = http.post(
            "/provisioning/changes",
            json={
                "changes": [
                    {"op": "delete", "collection": "students", "id": ref["userMasterIdentifier"]}
                ]
            },
        )
    assert updated.status_code == 200 and deleted.status_code == 200, deleted.text
    notes = [e["notification"] for e in _outbox_after(provider, start)]
    assert [n["objectType"] for n in notes] == ["Student", "Student"]
    assert [n["isDeleteNotification"] for n in notes] == [False, True]
    assert notes[0]["objectId"] == ref["userMasterIdentifier"]
    assert notes[0]["school"]["organisationMasterIdentifier"] == school.key


def test_deleting_a_pupil_after_their_enrolments_still_notifies_the_school(
    provider: Provider, dataset: Dataset
) -> None:
    school = dataset.schools[1]
    ref = school.enrollments[0]["student"]
    master = ref["userMasterIdentifier"]
    own = [
        e["enrollmentId"]
        for s in dataset.schools
        for e in s.enrollments
        if e["student"].get("userMasterIdentifier") == master
    ]
    start = _last_seq(provider)
    changes: list[dict[str, Any]] = [
        {"op": "delete", "collection": "enrollments", "school": s.key, "id": e["enrollmentId"]}
        for s in dataset.schools
        for e in s.enrollments
        if e["enrollmentId"] in own
    ]
    changes.append({"op": "delete", "collection": "students", "id": master})
    with provider.provisioning() as http:
        answer = http.post("/provisioning/changes", json={"changes": changes})
    assert answer.status_code == 200, answer.text
    notes = [e["notification"] for e in _outbox_after(provider, start)]
    student = [n for n in notes if n["objectType"] == "Student"]
    assert student and all(n["isDeleteNotification"] for n in student)
    assert school.key in {n["school"]["organisationMasterIdentifier"] for n in student}
    assert notes[-1]["objectType"] == "Student" or any(n["objectType"] == "Student" for n in notes)
