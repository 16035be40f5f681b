"""The check catalogue and the check tables: stable ids, one function per check, two languages."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from eduv import spec
from eduv.conformance.binding import RUNNERS, TABLES
from eduv.conformance.catalogue import CATALOGUE, load, rule_check_id
from eduv.rules import load_catalogue

ID = re.compile(r"^EDUV-CONF-[A-Z]+(-[A-Z0-9]+)*-\d{3}$")


def test_the_catalogue_file_follows_its_schema() -> None:
    schema = dict(spec.document("conformance/checks.schema.json"))
    errors = [
        e.message
        for e in jsonschema_rs.validator_for(schema).iter_errors(dict(spec.document(CATALOGUE)))
    ]
    assert not errors


def test_ids_are_stable_in_form_and_unique() -> None:
    checks = load().checks
    assert checks, "the catalogue lists no checks"
    for check_id, chk in checks.items():
        assert ID.match(check_id), check_id
        assert chk.id == check_id


def test_every_check_cites_what_it_tests_and_explains_it_in_both_languages() -> None:
    for chk in load().checks.values():
        assert chk.cites, chk.id
        for text in (chk.title, chk.explain):
            assert text.en.strip() and text.nl.strip(), chk.id
            assert text.en != text.nl, chk.id


def test_every_version_a_check_names_exists_in_the_spec() -> None:
    for chk in load().checks.values():
        for api, versions in chk.applies.items():
            assert set(versions) <= set(spec.versions(api)), (chk.id, api, versions)


def test_every_rule_of_the_catalogue_has_exactly_one_check() -> None:
    checks = load().checks
    for rule in load_catalogue().rules:
        chk = checks[rule_check_id(rule.id)]
        assert chk.cites == (rule.id,)


def test_checks_by_mode_cover_every_mode() -> None:
    modes = {chk.mode for chk in load().checks.values()}
    assert modes == {m.id for m in load().modes}


@pytest.mark.parametrize("mode", [m.id for m in load().modes])
def test_each_mode_binds_exactly_its_checks_to_functions(mode: str) -> None:
    """One-to-one, like the rules: no check without a function, no function without a check.

    The rule checks are evaluated by the rule pass of the modes that report them.
    """
    rule_checks = {rule_check_id(r.id) for r in load_catalogue().rules}
    declared = {c.id for c in load().of_mode(mode)} - rule_checks
    assert set(TABLES[mode]) == declared
    assert all(callable(check) for check in TABLES[mode].values())
    assert mode in RUNNERS


def test_a_mode_brings_the_modes_it_needs_in_catalogue_order() -> None:
    order = [m.id for m in load().run_order(("observe",))]
    assert order == ["preflight", "observe", "report"]
    assert [m.id for m in load().run_order(("consumer",))] == ["consumer", "report"]
