"""Reading, writing and converting datasets."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings

from eduv.dataset import (
    Dataset,
    DatasetError,
    convert_dataset,
    convert_object,
    dataset_from_json,
    load_dataset,
    save_dataset,
)
from eduv.dataset.convert import conversion_table, known_operations
from eduv.testing import datasets
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser
from tests.rules.conftest import examples


def _small() -> Dataset:
    return build_dataset(RandomChooser(7), ("PO", "VO"), ("A1", "D3"))


def test_json_file_round_trip(tmp_path: Path) -> None:
    dataset = _small()
    save_dataset(dataset, tmp_path / "data.json")
    assert load_dataset(tmp_path / "data.json") == dataset


def test_folder_round_trip(tmp_path: Path) -> None:
    dataset = _small()
    save_dataset(dataset, tmp_path / "data", folder=True)
    assert (tmp_path / "data" / "students.ndjson").is_file()
    assert len(list((tmp_path / "data" / "schools").iterdir())) == len(dataset.schools)
    assert load_dataset(tmp_path / "data") == dataset


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    save_dataset(_small(), tmp_path / "d", folder=True)
    school = sorted((tmp_path / "d" / "schools").iterdir())[0]
    lines = (school / "enrollments.ndjson").read_bytes().splitlines()
    lines[1] = b'{"enrollmentId": '
    (school / "enrollments.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(DatasetError) as caught:
        load_dataset(tmp_path / "d")
    [problem] = caught.value.problems
    assert problem.source.endswith("enrollments.ndjson") and problem.line == 2
    assert problem.message.startswith("not valid JSON")


def test_schema_errors_are_located_in_the_folder(tmp_path: Path) -> None:
    save_dataset(_small(), tmp_path / "d", folder=True)
    people = (tmp_path / "d" / "students.ndjson").read_bytes().splitlines()
    people[2] = b"[1, 2]"
    (tmp_path / "d" / "students.ndjson").write_bytes(b"\n".join(people) + b"\n")
    with pytest.raises(DatasetError) as caught:
        load_dataset(tmp_path / "d")
    [problem] = caught.value.problems
    assert problem.source.endswith("students.ndjson") and problem.line == 3
    assert "object" in problem.message


def test_container_errors_say_where_and_why() -> None:
    doc = _small().to_json()
    doc["facts"]["schools"][next(iter(doc["facts"]["schools"]))]["sector"] = "MBO"
    del doc["shapes"]["students-api"]
    with pytest.raises(DatasetError) as caught:
        dataset_from_json(doc, "memory")
    wheres = sorted(p.location or "" for p in caught.value.problems)
    assert {p.source for p in caught.value.problems} == {"memory"}
    assert any("sector" in w for w in wheres) and "/shapes" in wheres


def test_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DatasetError):
        load_dataset(tmp_path / "nothing")


def test_conversion_table_uses_known_operations() -> None:
    used = {
        step["op"]
        for entry in conversion_table()["apis"].values()
        for obj in entry["objects"].values()
        for direction in ("down", "up")
        for step in obj[direction]
    }
    assert used <= known_operations()
    assert set(conversion_table()["operations"]) == known_operations()


def test_down_drops_only_what_the_old_version_lacks() -> None:
    employee = {
        "userIds": [{"userId": "m1@school.nl", "userIdType": "NEPPI"}],
        "organisationRoles": [
            {
                "organisation": {
                    "organisationIds": [{"organisationId": "09QQ00", "organisationIdType": "V_ID"}]
                },
                "organisationRole": "leraar",
                "beginDate": "2024-08-01",
            },
            {
                "organisation": {
                    "organisationMasterIdentifier": "104A158",
                    "organisationIds": [{"organisationId": "09QQ00", "organisationIdType": "V_ID"}],
                },
                "organisationRole": "mentor",
                "beginDate": "2024-08-01",
            },
        ],
    }
    down = convert_object("employees-api", "Employee", employee, "down")
    assert down["organisationRoles"] == [
        {
            "organisation": {"organisationMasterIdentifier": "104A158"},
            "organisationRole": "mentor",
            "beginDate": "2024-08-01",
        }
    ]
    roles = employee["organisationRoles"]
    assert isinstance(roles, list) and len(roles) == 2  # the input is left alone


def test_study_codes_between_versions() -> None:
    vo = {"studyOfferingId": "x", "studyCode": "0300"}
    po = {"studyOfferingId": "y", "studyCode": "1000O0020"}
    assert "studyCode" not in convert_object("education-api", "StudyOffering", vo, "down", "VO")
    assert convert_object("education-api", "StudyOffering", po, "down", "PO") == po
    assert "studyCode" not in convert_object("education-api", "StudyOffering", po, "up", "VO")
    assert convert_object("education-api", "StudyOffering", po, "up", "PO") == po


@settings(max_examples=examples(3))
@given(datasets())
def test_down_and_up_loses_only_what_t_minus_1_cannot_express(dataset: Dataset) -> None:
    back = convert_dataset(convert_dataset(dataset, "down"), "up")
    assert back.shapes == dataset.shapes
    expected = copy.deepcopy(dataset)
    for school in expected.schools:
        sector = expected.facts[school.key].sector
        for offering in school.studyOfferings:
            # VO codes are erkende opleidingscodes, which 1.1.0 cannot carry.
            if sector == "VO":
                offering.pop("studyCode", None)
    for employee in expected.employees:
        for role in employee.get("organisationRoles", []):
            ids = role["organisation"].get("organisationIds", [])
            role["organisation"]["organisationIds"] = [
                i for i in ids if i["organisationIdType"] != "V_ID"
            ]
            if not role["organisation"]["organisationIds"]:
                del role["organisation"]["organisationIds"]
    assert orjson.dumps(back.to_json()) == orjson.dumps(expected.to_json())
