"""The catalogue is complete, consistent with the code, and points at real sources."""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv import spec
from eduv.dataset import collections
from eduv.pointer import resolve, tokens
from eduv.rules import load_catalogue
from eduv.rules.binding import DATASET_CHECKS, MESSAGE_CHECKS

CATALOGUE = load_catalogue()
RULES = CATALOGUE.rules
CASES = {
    f"{g}{n}"
    for g, count in (("A", 6), ("B", 3), ("C", 8), ("D", 5), ("E", 5))
    for n in range(1, count + 1)
}
REF_SHAPES = {"StudentRef", "EmployeeRef", "UserRef", "SchoolRef", "BoardRef", "LocationRef"}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"EDUV-[A-Z]+-\d{3}", i) for i in ids)


def test_every_rule_has_exactly_one_implementation_of_its_kind() -> None:
    for rule in RULES:
        checks = MESSAGE_CHECKS if rule.kind == "message" else DATASET_CHECKS
        assert rule.id in checks, f"{rule.id} ({rule.kind}) has no implementation"
    assert set(MESSAGE_CHECKS) | set(DATASET_CHECKS) == {r.id for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_texts_in_both_languages_agree(rule: Any) -> None:
    for field in (rule.title, rule.message):
        assert set(field) == {"en", "nl"} and all(field.values())
    assert _placeholders(rule.message["en"]) == _placeholders(rule.message["nl"])


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rules_apply_to_supported_versions(rule: Any) -> None:
    for api, versions in rule.applies_to.items():
        assert set(versions) <= set(spec.versions(api)), f"{rule.id}: {api} {versions}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_shapes_and_cases_are_known(rule: Any) -> None:
    stored = {c.component for c in collections()}
    components = stored | set(CATALOGUE.nesting) | REF_SHAPES
    assert set(rule.shapes) <= components, rule.id
    assert set(rule.cases) <= CASES
    if rule.source["kind"] == "flexibility":
        assert set(rule.source["cases"]) <= CASES and rule.source["cases"]


def _field_refs() -> list[tuple[str, dict[str, str]]]:
    return [(r.id, ref) for r in RULES for ref in r.source.get("refs", ())]


def _component_refs() -> list[tuple[str, dict[str, str]]]:
    return [(i, ref) for i, ref in _field_refs() if ref["pointer"].startswith("/components/")]


def test_every_rule_but_the_conventions_and_flexibility_ones_cites_a_text() -> None:
    for rule in RULES:
        if rule.source_kind in ("normative", "inferred"):
            assert rule.source.get("refs"), rule.id


@pytest.mark.parametrize(("rule_id", "ref"), _component_refs())
def test_field_sources_exist_in_the_spec(rule_id: str, ref: dict[str, str]) -> None:
    """The component and property a rule cites exist in that version's message schema.

    A ref ends in what the rule reads there (a description, an enum, a pattern); the
    path before it names schemas and properties, which our message schema has too.
    """
    parts = tokens(ref["pointer"])
    assert parts[:2] == ["components", "schemas"]
    assert parts[-1] in ("description", "enum", "pattern", "format", "required"), parts
    schema: Any = spec.schema(ref["api"], ref["version"], parts[2])
    for key in parts[3:-1]:
        schema = schema[key]


@cache
def _official(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text())


@pytest.mark.parametrize(("rule_id", "ref"), _field_refs())
def test_field_sources_exist_in_the_official_text(
    rule_id: str, ref: dict[str, str], reference: Path
) -> None:
    document: Any = _official(reference / "edu-v-openapi" / ref["api"] / f"{ref['version']}.yaml")
    node = resolve(document, ref["pointer"])
    assert node, f"{rule_id}: nothing at {ref['pointer']}"
    if isinstance(node, str):
        assert node.strip(), f"{rule_id}: empty source text"


def test_catalogue_file_is_plain_json() -> None:
    from eduv.rules.catalogue import CATALOGUE

    doc = orjson.loads((spec.root() / CATALOGUE).read_bytes())
    assert doc["catalogueVersion"] == 1 and len(doc["rules"]) == len(RULES)
