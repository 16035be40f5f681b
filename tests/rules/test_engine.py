"""The engine's interface: messages, languages, pointers, dates, robustness."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduv.dataset import Dataset
from eduv.rules import check_dataset, check_message, judged_range
from eduv.spec import SpecLookupError
from eduv.testing import datasets
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser
from tests.rules.conftest import examples

ECK = "https://ketenid.nl/201703/" + "ab" * 64
ENROLMENT: dict[str, Any] = {
    "enrollmentId": "0b7e5d38-2f53-4b0e-9a56-8e2f0f1c9d11",
    "student": {"userMasterIdentifier": ECK},
    "enrollmentType": "study",
    "study": "5a1c0e44-8e2f-4a44-9b52-3c7f0c1d2e33",
    "schoolPeriod": "2025-2026",
    "beginDate": "2025-08-01",
    "status": "active",
    "dateCreated": "2025-06-01T08:00:00Z",
    "dateLastModified": "2025-06-02T08:00:00Z",
}


def _ids(found: list[Any]) -> list[str]:
    return [v.rule for v in found]


def test_a_valid_message_has_no_violations() -> None:
    assert check_message("association-api", "1.1.0", "Enrollment", ENROLMENT) == []


def test_violation_names_rule_object_pointer_and_severity() -> None:
    bad = dict(ENROLMENT, studyYear=11, student={"userMasterIdentifier": "leerling-17"})
    found = check_message("association", "1.1.0", "Enrollment", bad)
    assert _ids(found) == ["EDUV-ID-002", "EDUV-ENROL-004"]
    first = found[0]
    assert first.severity == "error" and found[1].severity == "warning"
    assert first.pointers == ("/student/userMasterIdentifier",)
    assert first.objects[0].component == "Enrollment"
    assert first.objects[0].id == ENROLMENT["enrollmentId"]


def test_messages_in_dutch() -> None:
    bad = {k: v for k, v in ENROLMENT.items() if k != "study"}
    [english] = check_message("association-api", "1.1.0", "Enrollment", bad, lang="en")
    [dutch] = check_message("association-api", "1.1.0", "Enrollment", bad, lang="nl")
    assert english.rule == dutch.rule == "EDUV-ENROL-001"
    assert "study" in english.message and "Inschrijving" in dutch.message


def test_list_payloads_are_checked_item_by_item() -> None:
    bad = {k: v for k, v in ENROLMENT.items() if k != "study"}
    found = check_message("association-api", "1.1.0", "Enrollment", [ENROLMENT, bad])
    assert [v.pointers for v in found] == [("/1",)]


def test_request_bodies_check_their_references() -> None:
    body = {"school": {"organisationMasterIdentifier": "09QQ"}, "employee": {}}
    found = check_message(
        "association-api", "1.0.2", "get-assignments-for-employee-at-school.request", body
    )
    assert sorted(_ids(found)) == ["EDUV-ID-001", "EDUV-ID-005", "EDUV-ID-011"]


def test_rules_follow_the_version() -> None:
    offering = {"studyOfferingId": "x", "studyOfferingName": "havo 1", "studyCode": "0300"}
    assert _ids(check_message("education-api", "1.1.0", "StudyOffering", offering)) == [
        "EDUV-OFFER-001"
    ]
    assert check_message("education-api", "1.1.1", "StudyOffering", offering) == []


@pytest.mark.parametrize(
    ("api", "version", "message"),
    [
        ("no-such-api", "1.0.0", "Group"),
        ("association-api", "9.9.9", "Group"),
        ("association-api", "1.1.0", "Nonsense"),
    ],
)
def test_unknown_messages_are_refused(api: str, version: str, message: str) -> None:
    with pytest.raises(SpecLookupError):
        check_message(api, version, message, {})


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
_COMPONENTS = ["Enrollment", "Assignment", "Group", "SchoolPeriod"]


_KEYS = [
    *sorted(ENROLMENT),
    *("students", "assignments", "group", "userIds", "subSchoolPeriods"),
    *("superSchoolPeriod", "type", "endDate", "startDate", "assignmentType"),
]


@given(st.sampled_from(_COMPONENTS), st.dictionaries(st.sampled_from(_KEYS), _json))
def test_malformed_messages_never_crash(component: str, payload: dict[str, Any]) -> None:
    check_message("association-api", "1.1.0", component, payload)


@settings(max_examples=examples(3))
@given(datasets(), st.data())
def test_malformed_datasets_never_crash(dataset: Dataset, data: st.DataObject) -> None:
    """Replace objects by arbitrary JSON: the engine reports, it does not fail."""
    broken = copy.deepcopy(dataset)
    for school in broken.schools:
        for name in ("groups", "enrollments", "assignments", "schoolPeriods"):
            items = school.items(name)
            if items:
                items[0] = data.draw(st.dictionaries(st.sampled_from(sorted(items[0])), _json))
    check_dataset(broken, date_range=("2000-01-01", "2100-01-01"))


def _small() -> Dataset:
    return build_dataset(RandomChooser(3), ("VO",), ("A3",))


def test_by_default_every_day_the_school_periods_cover_is_judged() -> None:
    """Not the dataset's asOf, and not today: the data's own time."""
    dataset = _small()
    starts = [p["startDate"] for s in dataset.schools for p in s.schoolPeriods]
    ends = [p["endDate"] for s in dataset.schools for p in s.schoolPeriods]
    judged = judged_range(dataset)
    assert (judged.begin, judged.end, judged.basis) == (min(starts), max(ends), "school-periods")
    assert check_dataset(dataset) == check_dataset(dataset, date_range=(min(starts), max(ends)))
    assert dataset.as_of is not None and judged_range(dataset, as_of=dataset.as_of).basis == "as-of"


def test_a_date_range_ends_exclusively() -> None:
    with pytest.raises(ValueError):
        check_dataset(_small(), date_range=("2025-08-01", "2025-08-01"))


def test_objects_outside_the_date_are_not_checked() -> None:
    dataset = _small()
    group = dataset.schools[0].groups[0]
    group["schoolPeriod"] = "2099-2100"
    year = int(str(dataset.as_of)[:4])
    inside = _ids(check_dataset(dataset, as_of=f"{year}-09-01"))
    later = _ids(check_dataset(dataset, as_of=f"{year + 3}-09-01"))
    assert "EDUV-GROUP-014" in inside and "EDUV-GROUP-014" not in later


def test_dataset_pointers_point_into_the_document() -> None:
    dataset = _small()
    enrollment = dataset.schools[0].enrollments[0]
    del enrollment["study"]
    found = [v for v in check_dataset(dataset) if v.rule == "EDUV-ENROL-001"]
    assert found[0].pointers == ("/schools/0/enrollments/0",)
    assert found[0].objects[0].school == dataset.schools[0].key


# -- the chain's mechanics: lists, versions, phrases --------------------------------------

NOTICES = [
    {"id": "n-1", "objectType": "Group", "objectId": "g-1", "url": "https://x.nl/g-1"},
    {"id": "n-2", "objectType": "Group", "objectId": "g-1", "url": "https://x.nl/g-1"},
]


def test_a_list_rule_sees_the_whole_request_body() -> None:
    first, second = copy.deepcopy(NOTICES)
    first["created"], second["created"] = "2026-01-02T10:00:00Z", "2026-01-01T10:00:00Z"
    found = check_message("notifications-api", "0.9.1", "Notification", [first, second])
    assert [(f.rule, f.pointers) for f in found] == [("EDUV-NOTIFY-002", ("/1",))]
    alone = check_message("notifications-api", "0.9.1", "Notification", second)
    assert alone == []


def test_the_validator_hands_a_list_to_the_engine_whole() -> None:
    from eduv import validate
    from tests.sdk.conftest import example

    first = example("notifications-api", "0.9.1", "Notification")
    second = dict(first, id="e3b8a7a2-6d3c-4a51-9a63-1c1e2f3a4b5c")
    first["isDeleteNotification"] = True
    report = validate([first, second], api="notifications-api", message="Notification")
    assert [(f.rule, f.instance_path) for f in report.findings] == [("EDUV-NOTIFY-003", "/1")]


def _results(version: str, cited: str) -> Any:
    entry: dict[str, Any] = {"resultType": "Grade0-10", "resultValue": "7", "assessmentId": cited}
    return {
        "id": "r-1",
        "assessmentDefinition": {"id": "toets", "parts": [{"id": "deel-1", "index": 1}]},
        "studentScoresAndResults": [{"id": "s-1", "results": [entry]}],
    }


def test_a_rule_reads_the_parameters_of_the_version() -> None:
    """Up to 1.0.0 assessmentId may name a part; from 2.x on assessmentPartId does."""

    def rules(version: str) -> list[str | None]:
        payload = _results(version, "deel-1")
        return [
            f.rule
            for f in check_message("results-api", version, "AssessmentScoresAndResults", payload)
        ]

    assert "EDUV-RESULT-006" not in rules("1.0.0")
    assert "EDUV-RESULT-006" in rules("2.1.0")


def test_phrases_read_in_the_report_s_language() -> None:
    order = {
        "deliveryOrderId": "d-1",
        "deliveryType": "school-all",
        "buyer": {"displayName": "Ouder", "email": "ouder@example.nl"},
    }
    [english] = [
        f
        for f in check_message("delivery", "2.0.0", "DeliveryOrder", order)
        if f.rule == "EDUV-DELIVERY-003"
    ]
    [dutch] = [
        f
        for f in check_message("delivery", "2.0.0", "DeliveryOrder", order, lang="nl")
        if f.rule == "EDUV-DELIVERY-003"
    ]
    assert "customer as buyer, not a school" in english.message
    assert "klant als koper in plaats van een school" in dutch.message
