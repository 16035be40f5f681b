"""eduv.validate: findings, languages, detection, strict mode, the report format.

The committed invalid examples are validated through the public API and compared
with python-jsonschema (the independent implementation in tests/crosscheck.py): both
must name the same failing keywords at the same places.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from eduv import spec, validate
from eduv.validation import DetectionError, report_schema, validate_dataset
from eduv.validation.engine import file_messages
from tests import crosscheck
from tests.sdk.conftest import apply_patch as _apply
from tests.sdk.conftest import example
from tests.sdk.conftest import pointer as _pointer

VERSIONS = [(a.id, v) for a in spec.apis() for v in a.versions]


def _report_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(dict(report_schema()), validate_formats=True)


def _keyword(error: Any) -> str:
    return str(error.validator)


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for raw in [p for p in pointer.split("/") if p]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_invalid_examples_agree_with_python_jsonschema(api: str, version: str) -> None:
    for patch in spec.invalid_examples(api, version):
        message = patch["message"]
        broken = _apply(spec.schema(api, version, message)["examples"][0], patch)
        report = validate(broken, api, version, message, rules=False)
        findings = report.items[0].findings
        ours = {
            ("required" if f.keyword == "dependentRequired" else f.keyword, f.instance_path)
            for f in findings
        }
        theirs = {
            (_keyword(e), _pointer(e.absolute_path))
            for e in crosscheck.errors(api, version, message, broken)
        }
        expected = (patch["expected"]["keyword"], patch["expected"]["instancePath"])
        assert not report.valid
        assert expected in ours, (message, patch, ours)
        assert ours == theirs, (message, patch)


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_schema_locations_point_at_the_failing_keyword(api: str, version: str) -> None:
    for patch in spec.invalid_examples(api, version)[:40]:
        message = patch["message"]
        broken = _apply(spec.schema(api, version, message)["examples"][0], patch)
        for finding in validate(broken, api, version, message, rules=False).items[0].findings:
            assert finding.schema_location is not None
            file_name, _, inner = finding.schema_location.partition("#")
            document = spec.schema(api, version, file_messages(api, version)[file_name])
            _resolve(document, inner)  # raises when the location does not exist
            keyword = finding.keyword or ""
            assert keyword in inner.split("/"), finding


def test_the_committed_stated_location_is_reported() -> None:
    patches = spec.invalid_examples("association-api", "1.1.0")
    for patch in patches:
        broken = _apply(example("association-api", "1.1.0", patch["message"]), patch)
        report = validate(broken, "association-api", "1.1.0", patch["message"], rules=False)
        locations = {f.schema_location for f in report.items[0].findings}
        assert patch["schemaLocation"] in locations, (patch, locations)


def test_valid_examples_give_a_valid_report_without_findings() -> None:
    for api, version in VERSIONS:
        for message in spec.messages(api, version):
            report = validate(example(api, version, message), api, version, message, rules=False)
            assert report.valid and report.items[0].findings == [], (api, version, message)


def test_dutch_messages_cover_every_keyword_the_examples_reach() -> None:
    seen: set[str] = set()
    for api, version in VERSIONS:
        for patch in spec.invalid_examples(api, version):
            message = patch["message"]
            broken = _apply(example(api, version, message), patch)
            english = validate(broken, api, version, message, rules=False, lang="en")
            dutch = validate(broken, api, version, message, rules=False, lang="nl")
            pairs = zip(english.items[0].findings, dutch.items[0].findings, strict=True)
            for en, nl in pairs:
                assert en.message != nl.message, en
                seen.add(str(en.keyword))
    assert {"required", "enum", "format", "anyOf"} <= seen


def test_messages_are_readable() -> None:
    broken = example("association-api", "1.1.0", "Group")
    broken["beginDate"] = "yesterday"
    broken["groupType"] = "klas"
    del broken["groupName"]
    findings = {
        f.instance_path: f
        for f in validate(broken, "association", "1.1.0", "Group").items[0].findings
    }
    assert findings["/beginDate"].message == '"yesterday" is not a date as YYYY-MM-DD'
    assert findings["/groupType"].message == (
        '"klas" is not one of the allowed values: "class", "lesson-group"'
    )
    assert findings[""].message == 'required property "groupName" is missing'
    assert findings[""].schema_location == "Group.json#/required"
    dutch = validate(broken, "association", "1.1.0", "Group", lang="nl").items[0].findings
    assert 'verplicht veld "groupName" ontbreekt' in {f.message for f in dutch}


def test_dependent_required_names_the_trigger() -> None:
    report = validate({"orgId": "09QQ"}, "association", None, "get-groups-for-school.parameters")
    by_keyword = {f.keyword: f for f in report.items[0].findings}
    dependent = by_keyword["dependentRequired"]
    assert dependent.message == (
        'property "orgIdType" is missing; it is required when "orgId" is given'
    )
    assert dependent.schema_location == (
        "get-groups-for-school.parameters.json#/allOf/1/dependentRequired/orgId"
    )
    assert "(1)" in by_keyword["anyOf"].message and "orgMasterId" in by_keyword["anyOf"].message


def test_short_names_and_version_aliases() -> None:
    report = validate(example("association-api", "1.0.2", "Group"), "association", "t-1", "Group")
    item = report.items[0]
    assert (item.api, item.version, item.message) == ("association-api", "1.0.2", "Group")


def test_unknown_names_raise_with_the_known_ones() -> None:
    with pytest.raises(spec.SpecLookupError, match="known APIs"):
        validate({}, "nope", None, "Group")
    with pytest.raises(spec.SpecLookupError, match="no message 'Grup'"):
        validate({}, "association", None, "Grup")
    with pytest.raises(ValueError, match="report language"):
        validate({}, "association", None, "Group", lang="de")


def test_a_list_is_validated_element_by_element() -> None:
    good = example("association-api", "1.1.0", "Group")
    bad = example("association-api", "1.1.0", "Group")
    bad["status"] = "gone"
    report = validate([good, bad], "association", None, "Group")
    assert [f.instance_path for f in report.items[0].findings] == ["/1/status"]
    assert report.items[0].findings[0].schema_location == "Group.json#/properties/status/enum"


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ("association-api", "Group"),
        ("association-api", "Enrollment"),
        ("notifications-api", "Notification"),
        ("education-api", "StudyOffering"),
        ("students-api", "Student"),
    ],
)
def test_detection_recognises_components(api: str, message: str) -> None:
    version = spec.versions(api)[0]
    report = validate(example(api, version, message))
    item = report.items[0]
    assert (item.message, item.detected) == (message, True)


def test_detection_of_a_broken_message_still_names_it() -> None:
    broken = example("association-api", "1.1.0", "Group")
    del broken["groupName"]
    broken["beginDate"] = "x"
    item = validate(broken).items[0]
    assert item.message == "Group" and not item.valid


def test_detection_refuses_what_it_cannot_tell() -> None:
    with pytest.raises(DetectionError, match="give the API and message name"):
        validate({"nothing": "known"})
    with pytest.raises(DetectionError, match="only non-empty JSON objects"):
        validate(42)


def test_strict_mode_reports_unknown_properties_and_lenient_keeps_quiet() -> None:
    extended = example("association-api", "1.1.0", "Group")
    extended["colour"] = "blue"
    extended["students"][0]["nickname"] = "Jo"
    assert validate(extended, "association", None, "Group").valid
    strict = validate(extended, "association", None, "Group", strict=True)
    found = {(f.instance_path, f.keyword) for f in strict.items[0].findings}
    assert found == {("", "unevaluatedProperties"), ("/students/0", "unevaluatedProperties")}
    messages = {f.instance_path: f.message for f in strict.items[0].findings}
    assert messages[""] == 'properties not defined by the Edu-V schema: "colour"'


def test_strict_mode_accepts_properties_declared_in_combinators() -> None:
    params = {"orgMasterId": "104A158", "filterByOrgId": False}
    report = validate(params, "association", None, "get-groups-for-school.parameters", strict=True)
    assert report.valid


def test_models_carry_their_identity() -> None:
    from eduv.models import model

    group_cls = model("association-api", "1.0.2", "Group")
    group = group_cls.model_validate(example("association-api", "1.0.2", "Group"))
    item = validate(group).items[0]
    assert (item.api, item.version, item.message) == ("association-api", "1.0.2", "Group")
    assert item.valid


def test_reports_follow_the_published_report_schema() -> None:
    checker = _report_validator()
    broken = example("association-api", "1.1.0", "Group")
    broken["beginDate"] = "x"
    for report in (
        validate(broken, "association", None, "Group"),
        validate(example("association-api", "1.1.0", "Group")),
        validate({"orgId": "x"}, "association", None, "get-groups-for-school.parameters"),
    ):
        errors = [e.message for e in checker.iter_errors(report.to_json())]
        assert errors == []


def test_the_report_schema_rejects_a_broken_report() -> None:
    checker = _report_validator()
    document = validate({"status": 11}, "association", None, "StatusResponse").to_json()
    document["summary"]["messages"] = -1
    document["items"][0]["findings"] = [
        {"kind": "schema", "severity": "error", "instancePath": "", "message": "x"}
    ]
    paths = {tuple(e.instance_path) for e in checker.iter_errors(document)}
    assert ("summary", "messages") in paths
    assert ("items", 0, "findings", 0) in paths  # a schema finding needs its location


def test_rule_violations_are_reported_with_their_rule() -> None:
    period = example("association-api", "1.1.0", "SchoolPeriod")
    period["dateLastModified"] = "2000-01-01T00:00:00Z"
    period["dateCreated"] = "2020-01-01T00:00:00Z"
    report = validate(period, "association", None, "SchoolPeriod")
    rules = [f for f in report.items[0].findings if f.kind == "rule"]
    assert rules and all(f.rule for f in rules)
    quiet = validate(period, "association", None, "SchoolPeriod", rules=False)
    assert all(f.kind != "rule" for f in quiet.items[0].findings)


def _tiny_dataset() -> Any:
    from eduv.dataset import Dataset, School, SchoolFacts

    organisation = example("education-api", "1.1.1", "Organisation")
    period = example("association-api", "1.1.0", "SchoolPeriod")
    broken_period = example("association-api", "1.1.0", "SchoolPeriod")
    broken_period["startDate"] = "soon"
    school = School(organisation=organisation, schoolPeriods=[period, broken_period])
    shapes = {
        "association-api": "1.1.0",
        "education-api": "1.1.1",
        "students-api": "1.1.0",
        "employees-api": "1.1.0",
    }
    key = school.key
    return Dataset(shapes=shapes, schools=[school], facts={key: SchoolFacts(sector="VO")})


def test_datasets_are_validated_object_by_object() -> None:
    report = validate_dataset(_tiny_dataset(), rules=False)
    assert report.messages == 3 and report.invalid == 1
    item = report.items[0]
    assert item.location == "/schools/0/schoolPeriods/1"
    assert (item.message, item.findings[0].instance_path) == ("SchoolPeriod", "/startDate")
    assert _report_validator().is_valid(report.to_json())


def test_dataset_rules_attach_to_their_objects() -> None:
    report = validate(_tiny_dataset(), as_of="2024-10-01")
    rule_findings = [f for f in report.findings if f.kind == "rule"]
    assert rule_findings, "a hand-made dataset breaks at least one dataset rule"
    for item in report.items:
        for finding in item.findings:
            assert not finding.instance_path.startswith("/schools/"), finding
