"""Findings, fingerprints, messages, strict files, known issues, baselines and masking."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import orjson
import pytest

from eduv.conformance import fingerprint
from eduv.conformance.baseline import Baseline, BaselineError
from eduv.conformance.catalogue import load
from eduv.conformance.cli import exit_code
from eduv.conformance.config import ConfigError
from eduv.conformance.config import load as load_config
from eduv.conformance.known_issues import KnownIssues, KnownIssuesError, apply_known_issues
from eduv.conformance.mask import Masker
from eduv.conformance.model import Outcome, Where
from eduv.conformance.tally import Tally

GAP = re.compile(r"<[A-Za-z_]+\?>|no message")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _texts() -> list[tuple[str, str, str, str]]:
    cat = load()
    out = [("texts", key, t.en, t.nl) for key, t in cat.texts.items()]
    for chk in cat.checks.values():
        out += [(chk.id, key, t.en, t.nl) for key, t in chk.messages.items()]
    return out


@pytest.mark.parametrize(("owner", "key", "en", "nl"), _texts())
def test_every_message_renders_in_both_languages(owner: str, key: str, en: str, nl: str) -> None:
    assert _fields(en) == _fields(nl), f"{owner} {key}: English and Dutch take other values"
    sample = {name: f"sample-{name}" for name in _fields(en)}
    cat = load()
    for lang in ("en", "nl"):
        check = owner if owner != "texts" else "EDUV-CONF-PRE-001"
        text = cat.render(check, key, sample, lang)  # type: ignore[arg-type]
        assert not GAP.search(text), text
        assert all(f"sample-{n}" in text for n in sample)


def test_a_missing_value_shows_as_a_visible_gap() -> None:
    text = load().render("EDUV-CONF-SCN-001", "not-served", {"school": "1"}, "en")
    assert "<component?>" in text and "<id?>" in text


def test_fingerprints_name_list_items_by_identity_not_position() -> None:
    group = {"groupId": "g1", "students": [{"userId": "a"}, {"userId": "b"}]}
    reordered = {"groupId": "g1", "students": [{"userId": "b"}, {"userId": "a"}]}
    assert fingerprint.stable_pointer(group, "/students/1/userId") == fingerprint.stable_pointer(
        reordered, "/students/0/userId"
    )
    assert "/1/" not in fingerprint.stable_pointer(group, "/students/1/userId")


def _finding_tally(at_index: int) -> Tally:
    tally = Tally("EDUV-CONF-SCHEMA-001")
    item = {"groupId": "g1"}
    place = Where("get-groups-for-school", None, "Group", "g1", "/name", f"/{at_index}/name", item)
    params = {"component": "Group", "pointer": "/name", "error": "x"}
    tally.problem("association-api", "1.1.0", "schema", params, where=place, subject="100A100")
    tally.problem("association-api", "1.1.0", "schema", params, where=place, subject="100A100")
    return tally


def test_the_same_problem_is_one_finding_and_its_fingerprint_ignores_the_list_index() -> None:
    first, second = _finding_tally(3).results(), _finding_tally(7).results()
    assert first[0].outcome is Outcome.FAIL
    assert len(first[0].findings) == 1 and first[0].findings[0].count == 2
    assert first[0].findings[0].fingerprint == second[0].findings[0].fingerprint


def test_an_unknown_key_names_the_file_the_line_and_the_nearest_key(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text('[[schools]]\nid = "100A100"\n\n[[schools]]\nid = "200B200"\nconsnet = false\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert f"{path}:6" in text and "'consnet'" in text and "did you mean 'consent'" in text


def test_a_school_without_consent_is_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text('[[schools]]\nid = "100A100"\n\n[[schools]]\nid = "200B200"\nconsent = false\n')
    cfg = load_config(path)
    assert [(s.id, s.consent) for s in cfg.schools] == [("100A100", True), ("200B200", False)]


def _results() -> list:  # type: ignore[type-arg]
    tally = Tally("EDUV-CONF-HDR-001")
    for n in (1, 2):
        place = Where(f"op-{n}", None)
        tally.problem("students-api", "1.1.0", "header", {"operation": f"op-{n}"}, where=place)
    return tally.results()


def test_a_known_issue_can_pin_one_finding_by_its_fingerprint(tmp_path: Path) -> None:
    results = _results()
    pinned = results[0].findings[0].fingerprint
    path = tmp_path / "known.toml"
    path.write_text(f'[[issue]]\nfingerprint = "{pinned}"\nreason = "r"\nexpires = 2999-01-01\n')
    after = apply_known_issues(results, KnownIssues.load(path), dt.date(2026, 1, 1))
    assert after[0].outcome is Outcome.FAIL  # the other finding still fails
    excused = [f for f in after[0].findings if f.known_issue]
    assert [f.fingerprint for f in excused] == [pinned]
    both = "\n".join(
        f'[[issue]]\nfingerprint = "{f.fingerprint}"\nreason = "r"\nexpires = 2999-01-01\n'
        for f in results[0].findings
    )
    path.write_text(both)
    after = apply_known_issues(results, KnownIssues.load(path), dt.date(2026, 1, 1))
    assert after[0].outcome is Outcome.PASS and after[0].known_issue


def test_an_expired_known_issue_fails_and_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "known.toml"
    path.write_text('[[issue]]\ncheck = "EDUV-CONF-HDR-001"\nreason = "r"\nexpires = 2020-01-01\n')
    verdict = apply_known_issues(_results(), KnownIssues.load(path), dt.date(2026, 1, 1))[-1]
    assert verdict.check_id == "EDUV-CONF-KNOWN-001" and verdict.outcome is Outcome.FAIL
    path.write_text('[[issue]]\nchek = "X"\nreason = "r"\nexpires = 2020-01-01\n')
    with pytest.raises(KnownIssuesError, match="did you mean 'check'"):
        KnownIssues.load(path)


def _report(tmp_path: Path, name: str, prints: list[str]) -> Path:
    doc = {
        "reportVersion": 2,
        "findings": [
            {"fingerprint": p, "checkId": "EDUV-CONF-HDR-001", "severity": "error", "message": p}
            for p in prints
        ],
    }
    path = tmp_path / name
    path.write_bytes(orjson.dumps(doc))
    return path


def test_a_baseline_tells_new_gone_and_unchanged(tmp_path: Path) -> None:
    old = Baseline.load(_report(tmp_path, "old.json", ["a" * 20, "b" * 20]))
    now = [
        {"fingerprint": "b" * 20, "severity": "error"},
        {"fingerprint": "c" * 20, "severity": "error"},
    ]
    compared = old.compare(now)
    assert compared["new"] == ["c" * 20] and compared["unchanged"] == ["b" * 20]
    assert [g["fingerprint"] for g in compared["gone"]] == ["a" * 20]
    assert compared["newErrors"] == 1 and now[1]["baseline"] == "new"
    failing = {"summary": {"passed": False, "results": {}, "baseline": {"newErrors": 0}}}
    assert exit_code(failing, "any") == 1 and exit_code(failing, "new") == 0
    failing["summary"]["baseline"]["newErrors"] = 1  # type: ignore[index]
    assert exit_code(failing, "new") == 1


def test_a_baseline_of_the_first_report_format_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "v1.json"
    path.write_bytes(orjson.dumps({"reportVersion": 1, "results": []}))
    with pytest.raises(BaselineError, match="has no findings with fingerprints"):
        Baseline.load(path)


def test_personal_values_seen_in_answers_are_masked_in_free_text() -> None:
    masker = Masker()
    eck = "https://ketenid.nl/201703/" + "ab" * 40
    masker.json({"userMasterIdentifier": eck, "givenName": "Annelies", "gender": "female"})
    text = masker.text(f"Student {eck} holds nothing. Annelies: yes; female stays.")
    assert eck not in text and "Annelies" not in text and "female stays" in text
    assert Masker(personal=False).text(eck) == eck
