"""Every change kind has a fixture pair, and each pair reports exactly the kinds it is for."""

from __future__ import annotations

from pathlib import Path

import pytest

from eduv.diff import diff_files, kinds
from eduv.diff.kinds import CLASSES, DIRECTIONS, table
from tests.diff.conftest import EXPECTED, FIXTURES, fixture_pair


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_pair_reports_exactly_its_kinds(name: str, tmp_path: Path) -> None:
    old, new = fixture_pair(name, tmp_path)
    result = diff_files(old, new)
    assert sorted({c.id for c in result.changes}) == EXPECTED[name]
    for change in result.changes:
        loc = change.location
        direction = change.kind.direction
        assert direction != "response" or loc.status is not None, change
        assert direction != "parameter" or loc.parameter is not None, change
        assert direction != "request" or loc.body == "request", change


def test_every_kind_has_a_fixture_pair() -> None:
    covered = set().union(*map(set, EXPECTED.values()))
    assert covered == set(kinds())


def test_every_fixture_folder_is_listed() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)


def test_the_table_is_well_formed() -> None:
    for entry in kinds().values():
        assert entry.cls in CLASSES
        assert entry.direction in (*DIRECTIONS, "any")
        for lang in ("en", "nl"):
            assert "{where}" in entry.message[lang], entry.id
    assert set(table()["classes"]) == set(CLASSES)


# What the issue states outright about directions; the table must keep to it.
STATED = {
    "response-enum-value-added": "breaking",  # values added in responses break readers
    "request-enum-value-removed": "breaking",  # values removed from requests break writers
    "parameter-enum-value-removed": "breaking",
    "request-enum-value-added": "non-breaking",
    "response-enum-value-removed": "non-breaking",
    "operation-removed": "breaking",
    "operation-added": "non-breaking",
    "annotation-changed": "annotation",
    "response-required-property-removed": "breaking",
    "request-required-property-added": "breaking",
    "operation-scope-removed": "breaking",
    "response-property-scope-removed": "breaking",
}


@pytest.mark.parametrize(("kind_id", "cls"), sorted(STATED.items()))
def test_direction_decides_the_class(kind_id: str, cls: str) -> None:
    assert kinds()[kind_id].cls == cls


def test_no_published_kind_id_is_renamed_or_removed() -> None:
    """Change ids are published (change notes, JSON reports, users' CI rules): the ids
    listed in published_kinds.txt stay, and every kind of today is listed there."""
    listed = Path(__file__).with_name("published_kinds.txt").read_text(encoding="utf-8")
    published = {line for line in listed.splitlines() if line and not line.startswith("#")}
    today = set(kinds())
    assert published - today == set(), "renamed or removed"
    assert today - published == set(), "add the new kind ids to published_kinds.txt"
