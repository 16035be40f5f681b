"""``eduv diff`` as a command: registry versions and files, every format and language,
``--fail-on`` for CI, and one clear line with exit code 2 for bad input."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from typer.testing import CliRunner

from eduv import spec
from eduv.cli import app
from tests.diff.conftest import FIXTURES, fixture_pair


def run(*args: str) -> Any:
    """The command as users run it, through the eduv root command."""
    return CliRunner().invoke(app, ["diff", *args])


def diff_schema() -> jsonschema_rs.Validator:
    document = json.loads((spec.root() / "diff" / "1" / "diff.json").read_text())
    return jsonschema_rs.validator_for(document)


def test_registry_versions_as_text() -> None:
    result = run("association", "1.0.2", "1.1.0")
    assert result.exit_code == 0, result.output
    assert "association-api: changes from 1.0.2 to 1.1.0" in result.output
    assert "parameter-optional-added" in result.output and "filterByOrgId" in result.output
    assert "parameter-enum-value-added" in result.output and "V_ID" in result.output


def test_t_and_t_minus_one_are_understood() -> None:
    assert run("employees", "t-1", "t").output == run("employees", "1.0.0", "1.1.0").output


def test_json_follows_the_published_schema() -> None:
    result = run("employees", "1.0.0", "1.1.0", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert diff_schema().is_valid(document)
    assert document["summary"]["breaking"] == 1
    assert document["verdict"]["semver"] == "breach"
    ids = {c["id"] for c in document["changes"]}
    assert "response-enum-value-added" in ids


def test_markdown_in_dutch() -> None:
    result = run("employees", "1.0.0", "1.1.0", "--format", "markdown", "--lang", "nl")
    assert result.exit_code == 0
    assert result.output.startswith("# employees-api: wijzigingen van 1.0.0 naar 1.1.0")
    assert "## Brekend (1)" in result.output
    assert "`V_ID`" in result.output and "toegevoegd aan de toegestane waarden" in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("employees", "1.0.0", "1.1.0", "--fail-on", "breaking"), 1),
        (("employees", "1.0.0", "1.1.0", "--fail-on", "policy"), 1),
        (("association", "1.0.2", "1.1.0", "--fail-on", "breaking"), 0),
        (("association", "1.0.2", "1.1.0", "--fail-on", "policy"), 0),
        (("education", "1.1.0", "1.1.1", "--fail-on", "breaking"), 0),
        (("education", "1.1.0", "1.1.1", "--fail-on", "policy"), 1),
    ],
)
def test_fail_on(args: tuple[str, ...], code: int) -> None:
    assert run(*args).exit_code == code


def test_two_files(tmp_path: Path) -> None:
    old, new = fixture_pair("enum-value-added", tmp_path)
    result = run(str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert diff_schema().is_valid(document)
    assert document["api"] is None
    assert {c["id"] for c in document["changes"]} == {
        "request-enum-value-added",
        "parameter-enum-value-added",
        "response-enum-value-added",
    }


def _write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name)


def test_bad_input_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    good = str(FIXTURES / "operation-added" / "old.yaml")
    cases = {
        "unknown Edu-V API": ("nosuch", "1.0.0", "1.1.0"),
        "is not supported": ("association", "0.9.1", "1.1.0"),
        "give API OLD NEW or FILE FILE": (good,),
        "no such file": (good, str(tmp_path / "missing.yaml")),
        "not valid JSON": (good, _write(tmp_path, "broken.json", '{"openapi": ')),
        "not valid YAML": (good, _write(tmp_path, "broken.yaml", "openapi: [3.0\n")),
        "not an OpenAPI document": (good, _write(tmp_path, "plain.json", '{"a": 1}')),
        "is not supported; give 3.0 or 3.1": (
            good,
            _write(tmp_path, "swagger.json", '{"openapi": "2.0", "paths": {}}'),
        ),
        "points to nothing": (good, _write(tmp_path, "dangling.json", DANGLING)),
        "is remote": (good, _write(tmp_path, "remote.json", REMOTE)),
        "OpenAPI 3 allows path, query, header, cookie": (
            good,
            _write(tmp_path, "swagger-body.json", BODY_PARAMETER),
        ),
    }
    for expected, args in cases.items():
        result = run(*args)
        assert result.exit_code == 2, (expected, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("eduv: "), result.output
        assert expected in lines[0], (expected, lines[0])
        assert "Traceback" not in result.output


DANGLING = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1.0.0"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/No"}}
                            },
                        }
                    }
                }
            }
        },
    }
)
BODY_PARAMETER = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1.0.0"},
        "paths": {"/a": {"post": {"parameters": [{"name": "b", "in": "body"}], "responses": {}}}},
    }
)
REMOTE = DANGLING.replace("#/components/schemas/No", "https://example.org/s.json")


def test_yaml_without_ruamel_asks_for_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_import = builtins.__import__

    def no_ruamel(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("ruamel"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    json_old, json_new = fixture_pair("enum-value-added", tmp_path)  # read before the patch
    monkeypatch.setattr(builtins, "__import__", no_ruamel)
    yaml_file = str(FIXTURES / "operation-added" / "old.yaml")
    result = run(yaml_file, yaml_file)
    assert result.exit_code == 2
    assert "ruamel.yaml" in result.output and "eduv[dev]" in result.output
    assert run(str(json_old), str(json_new)).exit_code == 0  # JSON needs no YAML reader
