"""Quality gates on the schemas themselves: meta-schema, identifiers, references,
enum types, scopes, the manifest, and descriptions in the project's own words."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft202012Validator

from eduv import spec

from .parity import read_official

VERSIONS = [(a.id, v) for a in spec.apis() for v in a.versions]


def all_messages() -> Iterator[tuple[str, str, str, Any]]:
    for api, version in VERSIONS:
        for message in spec.messages(api, version):
            yield api, version, message, spec.schema(api, version, message)


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if key not in ("examples", "enum", "const", "default"):
                yield from walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


def test_every_schema_is_valid_against_the_2020_12_meta_schema() -> None:
    for api, version, message, document in all_messages():
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document), (api, version, message)


def test_ids_are_unique_and_follow_the_fixed_layout() -> None:
    seen: dict[str, str] = {}
    for api, version, message, document in all_messages():
        # The folder is the version, or its newest revision (1.1.0+r2).
        expected = (
            spec.api_version(api, version).base + spec.schema_path(api, version, message).name
        )
        assert document["$id"] == expected
        assert document["$id"] not in seen, (document["$id"], seen.get(document["$id"]))
        seen[document["$id"]] = message


def test_every_ref_is_relative_and_resolves_offline() -> None:
    ids = {document["$id"]: document for *_, document in all_messages()}
    for api, version, message, document in all_messages():
        for pointer, node in walk(document):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                continue
            assert "://" not in ref, f"{api} {version} {message}{pointer}: absolute $ref {ref}"
            target, _, fragment = urljoin(document["$id"], ref).partition("#")
            assert target in ids, f"{api} {version} {message}{pointer}: unresolved {ref}"
            resolved: Any = ids[target]
            for token in [t for t in fragment.split("/") if t]:
                resolved = resolved[token]


def test_every_enum_value_of_a_string_schema_is_a_string() -> None:
    for api, version, message, document in all_messages():
        for pointer, node in walk(document):
            if node.get("type") == "string" and "enum" in node:
                bad = [v for v in node["enum"] if not isinstance(v, str)]
                assert not bad, f"{api} {version} {message}{pointer}: {bad}"


def test_catalogue_copyright_values_stay_strings() -> None:
    # PyYAML (YAML 1.1) would read these as booleans; they are the strings "yes" and "no".
    found = []
    for api, version, message, document in all_messages():
        if api != "catalogue-api":
            continue
        for _, node in walk(document):
            if "enum" in node and {"yes", "no"} <= set(node["enum"]):
                found.append((version, message))
    assert found


def test_every_message_has_title_description_and_example() -> None:
    for api, version, message, document in all_messages():
        assert document.get("title"), (api, version, message)
        assert document.get("description"), (api, version, message)
        assert len(document.get("examples") or []) == 1, (api, version, message)


# --------------------------------------------------------------------------- scopes


def _leaf_scopes(
    node: Any, inherited: list[str] | None, out: list[tuple[str, list[str] | None]], path: str
) -> None:
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for name, prop in props.items():
            scopes = prop.get("x-eduv-scopes", inherited) if isinstance(prop, dict) else inherited
            _leaf_scopes(prop, scopes, out, f"{path}/{name}")
            if (
                isinstance(prop, dict)
                and not prop.get("properties")
                and not isinstance(prop.get("items"), dict)
            ):
                out.append((f"{path}/{name}", scopes))
    if isinstance(node.get("items"), dict):
        _leaf_scopes(node["items"], inherited, out, path)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key) or []:
            _leaf_scopes(branch, inherited, out, path)


def test_every_leaf_of_every_response_resolves_to_a_scope_of_its_operation() -> None:
    checked = 0
    for api, version in VERSIONS:
        for op in spec.operations(api, version):
            for status, body in op.responses.items():
                if body is None or not status.startswith("2") or not op.scopes:
                    continue
                leaves: list[tuple[str, list[str] | None]] = []
                _leaf_scopes(spec.schema(api, version, body.message), None, leaves, "")
                for path, scopes in leaves:
                    checked += 1
                    assert scopes, (
                        f"{api} {version} {op.operation_id} {body.message}{path}: no scope"
                    )
                    assert set(scopes) & set(op.scopes), (
                        api,
                        version,
                        op.operation_id,
                        path,
                        scopes,
                    )
    assert checked > 500


def test_person_fields_follow_the_scopes_the_text_assigns() -> None:
    student = spec.schema("students-api", None, "Student")["properties"]
    assert student["dateOfBirth"]["x-eduv-scopes"] == ["eduv.student.demographics"]
    assert student["givenName"]["x-eduv-scopes"] == ["eduv.student.basic"]
    assert student["address"]["x-eduv-scopes"] == ["eduv.student.deliveryaddress"]
    employee = spec.schema("employees-api", None, "Employee")["properties"]
    assert employee["organisationRoles"]["x-eduv-scopes"] == ["eduv.employee.roles"]
    shared = spec.schema("students-api", None, "SchoolReference")
    assert all("x-eduv-scopes" not in p for p in shared["properties"].values())


# --------------------------------------------------------------------------- manifest


def test_released_folders_match_the_committed_manifest() -> None:
    from tools.specbuild.__main__ import released_files

    root = spec.root()
    lines = (root / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    pinned = dict(reversed(line.split("  ", 1)) for line in lines if line)
    present = {p.relative_to(root).as_posix() for p in released_files(root)}
    assert {"report/1/report.json", "dataset/1/Dataset.json", "diff/1/diff.json"} <= present
    assert set(pinned) == present
    for name, digest in pinned.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, (
            f"{name} changed after release: ship a new revision with its own $id instead"
        )


# --------------------------------------------------------------------------- descriptions

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = set(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "this",
        "that",
        "is",
        "in",
        "on",
        "and",
        "or",
        "with",
        "by",
        "object",
        "id",
        "identifier",
        "value",
        "field",
    ]
)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _official_ngrams(reference: Path) -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for path in (reference / "edu-v-openapi").glob("*/*.yaml"):
        for _, node in walk(read_official(path)):
            for key in ("description", "summary", "title"):
                if isinstance(node.get(key), str):
                    words = _tokens(node[key])
                    grams.update(tuple(words[i : i + 8]) for i in range(len(words) - 7))
    return grams


def _described() -> Iterator[tuple[str, str, str]]:
    for api, version, message, document in all_messages():
        for pointer, node in walk(document):
            text = node.get("description")
            if isinstance(text, str):
                name = pointer.rsplit("/", 1)[-1] if "/properties/" in pointer else message
                yield f"{api} {version} {message}{pointer}", name, text
    for api, version in VERSIONS:
        openapi = spec.openapi_path(api, version).read_text(encoding="utf-8")
        yield f"{api} {version} openapi.json", api, openapi


def test_no_description_shares_eight_words_with_the_official_text(reference: Path) -> None:
    grams = _official_ngrams(reference)
    copied = []
    for where, _, text in _described():
        words = _tokens(text)
        hits = [g for g in (tuple(words[i : i + 8]) for i in range(len(words) - 7)) if g in grams]
        if hits:
            copied.append(f"{where}: '{' '.join(hits[0])}'")
    assert not copied, "\n".join(copied[:20])


def _split_name(name: str) -> set[str]:
    return set(_tokens(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)))


def test_no_description_is_a_template_of_its_field_name() -> None:
    templates = []
    for where, name, text in _described():
        if where.endswith("openapi.json"):
            continue
        rest = [w for w in _tokens(text) if w not in _STOP and w not in _split_name(name)]
        if len(rest) < 3:
            templates.append(f"{where}: {text!r}")
    assert not templates, "\n".join(templates[:20])


@pytest.mark.parametrize("text", ["The groupId of the Group.", "Identifier of this group."])
def test_the_template_check_rejects_field_name_echoes(text: str) -> None:
    rest = [
        w for w in _tokens(text) if w not in _STOP and w not in _split_name("groupId") | {"group"}
    ]
    assert len(rest) < 3


def test_readme_table_lists_every_covered_api_version() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for entry in spec.apis():
        assert f"| `{entry.id}` | {entry.current} | {entry.previous} |" in readme


def test_a_silent_edit_of_a_released_file_is_refused(tmp_path: Path) -> None:
    import shutil

    from tools.specbuild.__main__ import pinned_changes

    copy_root = tmp_path / "spec"
    shutil.copytree(spec.root(), copy_root)
    assert pinned_changes(copy_root) == []
    target = copy_root / "association-api" / spec.versions("association-api")[0] / "Group.json"
    target.write_text(target.read_text(encoding="utf-8").replace("lesson", "lesson "), "utf-8")
    changes = pinned_changes(copy_root)
    assert len(changes) == 1 and "new revision" in changes[0]
    report = copy_root / "report" / "1" / "report.json"
    report.write_text(report.read_text(encoding="utf-8").replace("finding", "finding "), "utf-8")
    assert len(pinned_changes(copy_root)) == 2
