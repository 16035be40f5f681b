"""The hand-over in staging/: draft catalogue entries for the chain's fill rules.

The folder goes away once the rule code lands; these tests then skip.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv import spec
from eduv.rules.catalogue import load_catalogue
from tests.chain.conftest import copied, official, resolve
from tests.conftest import REPO

STAGING = REPO / "staging"
RULES_FILE = STAGING / "chain-rules.json"
ENGINE_ROLES = {"StudentRef", "EmployeeRef", "UserRef", "SchoolRef", "BoardRef", "LocationRef"}
SOURCE_KINDS = ("normative", "inferred", "convention", "flexibility")
ID = re.compile(r"^EDUV-[A-Z]+-\d{3}$")

pytestmark = pytest.mark.skipif(not RULES_FILE.is_file(), reason="staging/ has been removed")


def _rules() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = orjson.loads(RULES_FILE.read_bytes())
    return data


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_entries_are_complete_and_consistent() -> None:
    problems = []
    for rule in _rules():
        rid = rule["id"]
        if not ID.match(rid):
            problems.append(f"{rid}: id pattern")
        if rule["kind"] not in ("message", "dataset"):
            problems.append(f"{rid}: kind")
        kind = rule["source"]["kind"]
        if kind not in SOURCE_KINDS:
            problems.append(f"{rid}: source kind {kind}")
        expected = "error" if kind == "normative" else "warning"
        if rule["severity"] != expected:
            problems.append(f"{rid}: severity {rule['severity']} for a {kind} rule")
        if not rule["checkable"] and not rule.get("why"):
            problems.append(f"{rid}: not checkable without a why")
        for lang in ("en", "nl"):
            if not rule["title"][lang] or not rule["message"][lang]:
                problems.append(f"{rid}: empty {lang} text")
        if _placeholders(rule["message"]["en"]) != _placeholders(rule["message"]["nl"]):
            problems.append(f"{rid}: en and nl messages use different placeholders")
        if not rule["source"]["refs"]:
            problems.append(f"{rid}: no source")
        if set(rule["cases"]) != {"pass", "fail"}:
            problems.append(f"{rid}: cases need a pass and a fail note")
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_new_unless_they_extend() -> None:
    rules = _rules()
    counts = Counter(rule["id"] for rule in rules)
    assert [rid for rid, n in counts.items() if n > 1] == []
    existing = set(load_catalogue().by_id)
    for rule in rules:
        if "extends" in rule:
            assert rule["extends"] == rule["id"] and rule["id"] in existing, rule["id"]
        else:
            assert rule["id"] not in existing, f"{rule['id']} is taken in the catalogue"


def test_applies_to_covered_versions_and_known_shapes() -> None:
    problems = []
    for rule in _rules():
        messages: set[str] = set()
        for api, versions in rule["appliesTo"].items():
            supported = spec.versions(api)
            for version in versions:
                if version not in supported:
                    problems.append(f"{rule['id']}: {api} {version} is not covered")
                    continue
                messages |= set(spec.messages(api, version))
        unknown = [s for s in rule["shapes"] if s not in messages | ENGINE_ROLES]
        if unknown:
            problems.append(f"{rule['id']}: unknown shapes {unknown}")
    assert not problems, "\n".join(problems)


def test_the_fill_rules_of_the_issue_are_all_there() -> None:
    covered = {rule["issue15"] for rule in _rules() if "issue15" in rule}
    assert covered == set(range(1, 19))


def test_sources_point_at_existing_text(reference: Path) -> None:
    missing = []
    for rule in _rules():
        for ref in rule["source"]["refs"]:
            if "notes" in ref:
                if not (reference / "notes" / ref["notes"]).is_file():
                    missing.append(f"{rule['id']}: no notes file {ref['notes']}")
                continue
            try:
                resolve(official(ref["api"], ref["version"]), ref["pointer"])
            except (KeyError, IndexError):
                missing.append(f"{rule['id']}: {ref['api']} {ref['version']} {ref['pointer']}")
    assert not missing, "\n".join(missing)


def test_texts_are_written_fresh(reference: Path) -> None:
    found = []
    for rule in _rules():
        texts = [
            rule["title"]["en"],
            rule["message"]["en"],
            rule.get("why", ""),
            rule.get("note", ""),
        ]
        hits = [hit for text in texts for hit in copied(text, reference)]
        if hits:
            found.append(f"{rule['id']}: '{hits[0]}'")
    markdown = (STAGING / "chain-rules.md").read_text(encoding="utf-8")
    found += [f"chain-rules.md: '{hit}'" for hit in copied(markdown, reference)]
    assert not found, "\n".join(found)


def test_the_summary_counts_what_the_entries_hold() -> None:
    rules = _rules()
    markdown = (STAGING / "chain-rules.md").read_text(encoding="utf-8")
    checkable = sum(rule["checkable"] for rule in rules)
    assert f"{len(rules)} entries:" in markdown
    assert f"{checkable} checkable, {len(rules) - checkable} not." in markdown
