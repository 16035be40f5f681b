"""The check registry: stable, unique ids that cite what they test, in two languages."""

from __future__ import annotations

import re

from eduv import spec
from eduv.conformance.registry import load_all, rule_check_id
from eduv.rules import load_catalogue

ID = re.compile(r"^EDUV-CONF-[A-Z]+(-[A-Z0-9]+)*-\d{3}$")


def test_ids_are_stable_in_form_and_unique() -> None:
    checks = load_all()
    assert checks, "no checks registered"
    for check_id, chk in checks.items():
        assert ID.match(check_id), check_id
        assert chk.spec.id == check_id


def test_every_check_cites_what_it_tests_and_explains_it_in_both_languages() -> None:
    for chk in load_all().values():
        assert chk.spec.cites, chk.spec.id
        for text in (chk.spec.title, chk.spec.explain):
            assert text.en.strip() and text.nl.strip(), chk.spec.id
            assert text.en != text.nl, chk.spec.id


def test_every_version_a_check_names_exists_in_the_spec() -> None:
    for chk in load_all().values():
        for api, versions in chk.spec.applies.items():
            assert set(versions) <= set(spec.versions(api)), (chk.spec.id, api, versions)


def test_every_rule_of_the_catalogue_has_exactly_one_check() -> None:
    checks = load_all()
    for rule in load_catalogue().rules:
        chk = checks[rule_check_id(rule.id)]
        assert chk.spec.cites == (rule.id,)


def test_checks_by_mode_cover_every_mode() -> None:
    modes = {chk.spec.mode for chk in load_all().values()}
    assert modes == {"preflight", "observe", "scenario", "consumer"}
