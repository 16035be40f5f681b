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
from eduv.dataset.chain import chain_apis, chain_collections
from eduv.pointer import resolve, tokens
from eduv.rules import load_catalogue
from eduv.rules.binding import CHAIN_CHECKS, DATASET_CHECKS, LIST_CHECKS, MESSAGE_CHECKS

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


def _checks_for(rule: Any) -> Any:
    """The binding table a rule belongs in: by its kind, and for a dataset rule its format."""
    if rule.kind == "message":
        return LIST_CHECKS if rule.list_shapes else MESSAGE_CHECKS
    return CHAIN_CHECKS if set(rule.applies_to) <= set(chain_apis()) else DATASET_CHECKS


def test_every_rule_has_exactly_one_implementation_of_its_kind() -> None:
    tables = (MESSAGE_CHECKS, LIST_CHECKS, DATASET_CHECKS, CHAIN_CHECKS)
    for rule in RULES:
        checks = _checks_for(rule)
        assert rule.id in checks, f"{rule.id} ({rule.kind}) has no implementation"
        assert sum(rule.id in table for table in tables) == 1, rule.id
    assert set().union(*tables) == {r.id for r in RULES}


def test_a_dataset_rule_runs_on_one_dataset_format() -> None:
    chain = set(chain_apis())
    for rule in RULES:
        if rule.kind == "dataset":
            apis = set(rule.applies_to)
            assert apis <= chain or not apis & chain, f"{rule.id} mixes the two formats"


def test_a_list_rule_looks_at_lists_only() -> None:
    for rule in RULES:
        if rule.list_shapes:
            assert set(rule.list_shapes) == {s.removesuffix("[]") for s in rule.shapes}, rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_texts_in_both_languages_agree(rule: Any) -> None:
    for field in (rule.title, rule.message):
        assert set(field) == {"en", "nl"} and all(field.values())
    assert _placeholders(rule.message["en"]) == _placeholders(rule.message["nl"])


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rules_apply_to_supported_versions(rule: Any) -> None:
    for api, versions in rule.applies_to.items():
        assert set(versions) <= set(spec.versions(api)), f"{rule.id}: {api} {versions}"


def _messages(rule: Any) -> set[str]:
    return {
        message
        for api, versions in rule.applies_to.items()
        for version in versions
        for message in spec.messages(api, version)
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_shapes_and_cases_are_known(rule: Any) -> None:
    stored = {c.component for c in collections()} | {c.component for c in chain_collections()}
    nested = {n.shape for nests in CATALOGUE.nesting.values() for n in nests}
    components = stored | set(CATALOGUE.nesting) | nested | REF_SHAPES | _messages(rule)
    shapes = {s.removesuffix("[]") for s in rule.shapes}
    assert shapes <= components, f"{rule.id}: {sorted(shapes - components)}"
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


def test_a_convention_rule_names_a_recorded_convention() -> None:
    known = {c["id"] for c in spec.deviations()["conventions"]}
    for rule in RULES:
        if rule.source_kind == "convention":
            assert rule.source.get("convention") in known, rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_phrases_and_version_parameters_are_complete(rule: Any) -> None:
    """Every phrase reads in both languages; parameters per version replace known ones."""
    for texts in rule.phrases.values():
        assert set(texts) == {"en", "nl"} and all(texts.values()), rule.id
        assert _placeholders(texts["en"]) == _placeholders(texts["nl"]), rule.id
    for api, versions in rule.version_parameters.items():
        for version, params in versions.items():
            assert rule.applies(api, version), (rule.id, api, version)
            assert set(params) <= set(rule.parameters), rule.id


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


UNCHECKED = spec.document("rules/unchecked.json")["fillRules"]


@pytest.mark.parametrize("fill", UNCHECKED, ids=lambda f: f["id"])
def test_unchecked_fill_rules_say_why_and_cite_their_text(fill: Any, reference: Path) -> None:
    """A fill rule no rule checks still names its text, its versions and the reason."""
    for field in (fill["title"], fill["why"]):
        assert set(field) == {"en", "nl"} and all(field.values()), fill["id"]
    for api, versions in fill["appliesTo"].items():
        assert set(versions) <= set(spec.versions(api)), fill["id"]
    assert fill["source"]["refs"], fill["id"]
    for ref in fill["source"]["refs"]:
        path = reference / "edu-v-openapi" / ref["api"] / f"{ref['version']}.yaml"
        assert resolve(_official(path), ref["pointer"]), (fill["id"], ref["pointer"])


def test_no_fill_rule_is_both_checked_and_unchecked() -> None:
    keys = [f["id"] for f in UNCHECKED]
    assert len(keys) == len(set(keys))
    assert not set(keys) & {r.id for r in RULES}


def test_a_rule_message_shows_a_missing_value_as_a_visible_gap() -> None:
    rule = next(r for r in load_catalogue().rules if "{" in r.message["en"])
    names = [n for _, n, _, _ in string.Formatter().parse(rule.message["en"]) if n]
    text = rule.render("en", {})
    assert all(f"<{n.split('!')[0].split('.')[0]}?>" in text for n in names), text


@pytest.mark.parametrize("rule_id", [r.id for r in load_catalogue().rules])
def test_every_rule_text_renders_with_its_values_in_both_languages(rule_id: str) -> None:
    rule = load_catalogue().rule(rule_id)
    sample = {name: f"sample-{name}" for name in _placeholders(rule.message["en"])}
    for lang in ("en", "nl"):
        text = rule.render(lang, sample)  # type: ignore[arg-type]
        assert not re.search(r"<[\w.]+\?>|\{[\w.!:]*\}", text), (rule_id, lang, text)
        assert all(v in text for v in sample.values()), (rule_id, lang, text)
