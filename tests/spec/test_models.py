"""The generated models: exact round trips, lenient and strict parsing, lazy loading, the
shapes a reader expects (one class per component, typed dates, open enums) and no drift
from the spec."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from pydantic import RootModel, ValidationError

from eduv import models as _models_pkg  # noqa: F401  (the package itself is light)
from eduv import parsing, spec
from eduv.models import load, model
from eduv.models.types import UnknownValue
from tests.conftest import REPO

VERSIONS = [(a.id, v) for a in spec.apis() for v in a.versions]


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_every_example_round_trips_exactly(api: str, version: str) -> None:
    for message in spec.messages(api, version):
        example = spec.schema(api, version, message)["examples"][0]
        cls = model(api, version, message)
        assert parsing.dump(cls.model_validate(example)) == example, message


def test_unknown_fields_survive_in_lenient_mode_and_fail_in_strict_mode() -> None:
    api, version = "association-api", spec.versions("association-api")[0]
    example = dict(spec.schema(api, version, "Group")["examples"][0])
    newer = {**example, "fieldFromANewerProvider": {"x": 1}}
    group_cls = model(api, version, "Group")
    lenient = parsing.parse(group_cls, newer, api=api, version=version, message="Group")
    assert parsing.dump(lenient) == newer
    with pytest.raises(parsing.PayloadError, match="fieldFromANewerProvider"):
        parsing.parse(group_cls, newer, api=api, version=version, message="Group", strict=True)


def test_strict_mode_reports_schema_problems_with_pointers() -> None:
    api, version = "association-api", spec.versions("association-api")[0]
    example = dict(spec.schema(api, version, "Group")["examples"][0])
    broken = {**example, "groupType": "klas"}
    with pytest.raises(parsing.PayloadError) as caught:
        parsing.parse(
            model(api, version, "Group"),
            broken,
            api=api,
            version=version,
            message="Group",
            strict=True,
        )
    assert caught.value.problems[0].instance_path == "/groupType"
    assert caught.value.problems[0].keyword == "enum"


def test_models_of_a_version_load_only_when_used() -> None:
    code = (
        "import sys, eduv, eduv.spec, eduv.models\n"
        "assert not [m for m in sys.modules if m.startswith('eduv.models.')], 'eager'\n"
        "assert 'pydantic' not in sys.modules, 'import eduv pulled in pydantic'\n"
        "from eduv.models import load\n"
        "load('association-api', '1.1.0')\n"
        "assert 'eduv.models.association_api.v1_1_0' in sys.modules\n"
        "assert 'eduv.models.students_api.v1_1_0' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_models_of_every_version_import() -> None:
    for api, version in VERSIONS:
        module = load(api, version)
        assert set(module.MESSAGES) == set(spec.messages(api, version))


@pytest.mark.slow
def test_generated_models_are_not_stale() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.gen_models", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- shapes: one class per component, typed dates, open enums ----------------------------------


def _student() -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(
        spec.schema("students-api", "1.1.0", "Student")["examples"][0]
    )
    return found


def test_an_either_rule_is_a_validator_on_one_class() -> None:
    student_cls = model("students-api", "1.1.0", "Student")
    assert not issubclass(student_cls, RootModel)
    student = student_cls.model_validate(_student())
    assert isinstance(student.givenName, str)  # type: ignore[attr-defined]
    keyless = {k: v for k, v in _student().items() if k not in ("userMasterIdentifier", "userIds")}
    with pytest.raises(ValidationError, match="userMasterIdentifier or userIds is required"):
        student_cls.model_validate(keyless)
    only_ids = {**keyless, "userIds": [{"userId": "1", "userIdType": "ASI"}]}
    assert student_cls.model_validate(only_ids).userMasterIdentifier is None  # type: ignore[attr-defined]


def test_every_either_rule_of_the_spec_is_a_validator() -> None:
    from tools.gen_models import take_either_rules

    found = 0
    for api, version in VERSIONS:
        for message, cls in load(api, version).MESSAGES.items():
            schema = copy.deepcopy(dict(spec.schema(api, version, message)))
            if take_either_rules(schema) is None:
                continue
            found += 1
            assert not issubclass(cls, RootModel), f"{api} {version} {message}"
            assert "_either" in cls.__pydantic_decorators__.model_validators, message
    assert found == 74


def test_dates_and_instants_are_typed_and_dump_to_the_same_values() -> None:
    student_cls = model("students-api", "1.1.0", "Student")
    payload = {
        **_student(),
        "dateOfBirth": "2014-03-01",
        "dateCreated": "2024-09-01T10:00:00+02:00",
    }
    student = student_cls.model_validate(payload)
    assert student.dateOfBirth == dt.date(2014, 3, 1)  # type: ignore[attr-defined]
    created = student.dateCreated  # type: ignore[attr-defined]
    assert created == dt.datetime(2024, 9, 1, 8, tzinfo=dt.UTC)
    assert parsing.dump(student)["dateCreated"] == "2024-09-01T10:00:00+02:00"
    with pytest.raises(ValidationError, match="timezone"):
        student_cls.model_validate({**payload, "dateCreated": "2024-09-01T10:00:00"})


@pytest.mark.parametrize(
    ("sent", "dumped"),
    [
        ("2024-09-01T08:00:00+00:00", "2024-09-01T08:00:00Z"),
        ("2024-09-01t08:00:00z", "2024-09-01T08:00:00Z"),
        ("2024-09-01T08:00:00.5Z", "2024-09-01T08:00:00.500000Z"),
        ("2024-09-01T08:00:00.1234567Z", "2024-09-01T08:00:00.123456Z"),
    ],
)
def test_the_normalisation_of_instants(sent: str, dumped: str) -> None:
    """Documented in docs/sdk.md: UTC is written Z, fractions in microseconds (cut below)."""
    student_cls = model("students-api", "1.1.0", "Student")
    student = student_cls.model_validate({**_student(), "dateCreated": sent})
    assert parsing.dump(student)["dateCreated"] == dumped


def test_an_unknown_enum_value_is_kept_as_a_typed_unknown_value() -> None:
    student_cls = model("students-api", "1.1.0", "Student")
    known = student_cls.model_validate({**_student(), "gender": "female"})
    assert type(known.gender) is str  # type: ignore[attr-defined]
    newer = student_cls.model_validate({**_student(), "gender": "x-new"})
    assert isinstance(newer.gender, UnknownValue)  # type: ignore[attr-defined]
    assert newer.gender == "x-new" and parsing.dump(newer)["gender"] == "x-new"  # type: ignore[attr-defined]
    assert repr(newer.gender) == "UnknownValue('x-new')"  # type: ignore[attr-defined]
