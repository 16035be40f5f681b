"""The generated models: exact round trips, lenient and strict parsing, lazy loading,
and no drift from the spec."""

from __future__ import annotations

import subprocess
import sys

import pytest

from eduv import models as _models_pkg  # noqa: F401  (the package itself is light)
from eduv import parsing, spec
from eduv.models import load, model
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
