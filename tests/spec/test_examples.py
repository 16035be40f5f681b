"""The committed examples: every message has a valid one, the invalid ones fail for
the stated reason, and jsonschema-rs and python-jsonschema agree on all of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eduv import spec
from eduv.pointer import pointer
from eduv.validation import validate
from tests import crosscheck

VERSIONS = [(a.id, v) for a in spec.apis() for v in a.versions]
CONSTRAINTS = ("required", "enum", "pattern", "format")


def _pointer(path: Any) -> str:
    return pointer(path)


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_valid_examples_pass_both_validators(api: str, version: str) -> None:
    for message in spec.messages(api, version):
        example = spec.schema(api, version, message)["examples"][0]
        rs_errors = [e.message for e in spec.validator(api, version, message).iter_errors(example)]
        py_errors = [e.message for e in crosscheck.errors(api, version, message, example)]
        assert rs_errors == [] and py_errors == [], (message, rs_errors[:3], py_errors[:3])


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_valid_examples_pass_every_rule_too(api: str, version: str) -> None:
    """A shipped example is exemplary: no rule of the catalogue finds anything in it."""
    for message in spec.messages(api, version):
        for example in spec.schema(api, version, message)["examples"]:
            report = validate(example, api, version, message)
            found = [(f.rule, f.instance_path, f.message) for f in report.findings]
            assert not found, (message, found)


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_invalid_examples_fail_for_the_stated_reason_in_both_validators(
    api: str, version: str
) -> None:
    invalid = spec.invalid_examples(api, version)
    assert invalid, f"{api} {version} has no invalid examples"
    for patch in invalid:
        message = patch["message"]
        broken = spec.apply_patch(spec.schema(api, version, message)["examples"][0], patch)
        expected = (patch["expected"]["keyword"], patch["expected"]["instancePath"])
        rs = {
            (str(list(e.schema_path)[-1]), _pointer(e.instance_path))
            for e in spec.validator(api, version, message).iter_errors(broken)
        }
        py = {
            (e.validator, _pointer(e.absolute_path))
            for e in crosscheck.errors(api, version, message, broken)
        }
        assert expected in rs, (message, patch, rs)
        assert expected in py, (message, patch, py)


def _sites(node: Any, location: str, under: str | None) -> Iterator[tuple[str, str | None]]:
    """Constraint locations of one schema file, with the combinator they sit under."""
    if isinstance(node, dict):
        for key in CONSTRAINTS:
            if key in node:
                yield f"{location}/{key}", under
        for key, value in node.items():
            # `if` only selects; it never fails, so nothing under it is a constraint.
            if key in ("examples", "enum", "const", "default", "required", "if"):
                continue
            inner = under or (key if key in ("oneOf", "anyOf") else None)
            yield from _sites(value, f"{location}/{key}", inner)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _sites(value, f"{location}/{index}", under)


def _reachable(api: str, version: str) -> set[str]:
    """Files reached from some message's example: everything that is actually used."""
    files = {spec.schema_path(api, version, m).name: m for m in spec.messages(api, version)}
    return set(files)


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_invalid_examples_hit_every_constraint(api: str, version: str) -> None:
    hit = {p["schemaLocation"] for p in spec.invalid_examples(api, version)}
    missed = []
    for message in spec.messages(api, version):
        filename = spec.schema_path(api, version, message).name
        document = spec.schema(api, version, message)
        for location, under in _sites(document, f"{filename}#", None):
            if location not in hit and under is None:
                missed.append(location)
    assert not missed, f"{len(missed)} constraints never broken, e.g. {missed[:10]}"


def test_engine_edge_cases_are_among_the_invalid_examples() -> None:
    values = {
        repr(p.get("value"))
        for api, version in VERSIONS
        for p in spec.invalid_examples(api, version)
        if p["op"] == "replace" and isinstance(p.get("value"), str)
    }
    assert any("\u0660" <= ch <= "\u0669" for v in values for ch in v)  # non-ASCII digits
    assert any(v.endswith("\\n'") for v in values)  # trailing newline
    assert "'yesterday'" in values


def test_both_validators_agree_on_the_format_edge_cases() -> None:
    for fmt, value in [
        ("date-time", "2024-08-01T08:30:00Z\n"),
        ("date-time", "yesterday"),
        ("date", "\u0662\u0660\u0662\u0664-08-01"),
        ("uuid", "not-a-uuid"),
    ]:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "format": fmt}
        import jsonschema_rs
        from jsonschema import Draft202012Validator

        rs = jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)
        py = Draft202012Validator(schema, format_checker=crosscheck.FORMATS).is_valid(value)
        assert rs is False and py is False, (fmt, value)
