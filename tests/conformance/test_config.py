"""The TOML configuration and the known-issues file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eduv.conformance.config import ConfigError, load
from eduv.conformance.known_issues import (
    EXPIRED,
    KnownIssues,
    KnownIssuesError,
    apply_known_issues,
)
from eduv.conformance.model import Outcome, Result
from eduv.conformance.tally import Tally

CONFIG = """
[target]
root = "https://bron.example.nl"
token_url = "https://bron.example.nl/oauth2/token"

[[credentials]]
name = "portal"
client_id = "leermiddelenportaal"
private_key = "keys/portal.pem"

[[credentials]]
client_id = "zonder-toestemming"
secret_env = "EDUV_TEST_SECRET"
consent = false

[[schools]]
id = "104A158"
sector = "PO"

[run]
apis = ["association", "students-api"]
modes = ["preflight", "observe"]
seed = 42
known_issues = "known.toml"

[limits]
max_requests = 500
rate = 5

[agreements]
supplier_oin = "00000003273229750000"
boards = ["41213", "021B389"]
"""


def test_a_full_configuration_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUV_TEST_SECRET", "not-in-any-file")
    path = tmp_path / "suite.toml"
    path.write_text(CONFIG, encoding="utf-8")
    cfg = load(path)
    assert cfg.base_url("association-api", "1.0.2") == "https://bron.example.nl/association-api/v1"
    assert [c.consent for c in cfg.credentials] == [True, False]
    assert cfg.credentials[0].private_key == str(tmp_path / "keys/portal.pem")
    assert cfg.credentials[1].secret == "not-in-any-file"
    assert "not-in-any-file" not in repr(cfg)  # secrets stay out of logs
    assert cfg.apis == ("association-api", "students-api")
    assert cfg.plan() == [
        ("association-api", "1.1.0"),
        ("association-api", "1.0.2"),
        ("students-api", "1.1.0"),
        ("students-api", "1.0.1"),
    ]
    assert (cfg.seed, cfg.limits.max_requests, cfg.limits.rate) == (42, 500, 5.0)
    assert cfg.known_issues == str(tmp_path / "known.toml")
    assert cfg.agreements.supplier_oin == "00000003273229750000"
    assert cfg.agreements.boards == ("41213", "021B389")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[oops]\n", "unknown key .oops. at the top level"),
        ('[[credentials]]\nclient_id = "x"\n', "either private_key or a secret"),
        ('[[schools]]\nid = "1"\nsector = "MBO"\n', "sector is PO or VO"),
        ('[run]\nmodes = ["fuzz"]\n', "unknown mode"),
        ('[[credentials]]\nclient_id = "x"\nsecret_env = "EDUV_NOT_SET_ANYWHERE"\n', "not set"),
        ('[agreements]\nsupplier_oin = "123"\nboards = ["41213"]\n', "OIN of 20 positions"),
        ('[agreements]\nsupplier_oin = "00000003273229750000"\n', "at least one board"),
    ],
)
def test_mistakes_are_refused_with_the_reason(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load(path)


def _known(tmp_path: Path, expires: str) -> KnownIssues:
    path = tmp_path / "known.toml"
    path.write_text(
        f'[[issue]]\ncheck = "EDUV-CONF-SCOPE-002"\napi = "students-api"\n'
        f'reason = "fixed in the next release"\nexpires = {expires}\n',
        encoding="utf-8",
    )
    return KnownIssues.load(path)


def _failed(api: str = "students-api") -> Result:
    tally = Tally("EDUV-CONF-SCOPE-002")
    params = {"operation": "op", "member": "gender", "needs": "x", "scopes": "y"}
    tally.problem(api, "1.1.0", "member", params)
    return tally.results()[0]


FAILED = _failed()
TODAY = dt.date(2026, 6, 1)


def test_a_known_issue_in_force_excuses_its_failure_visibly(tmp_path: Path) -> None:
    out = apply_known_issues([FAILED], _known(tmp_path, "2026-07-01"), TODAY)
    assert out[0].outcome is Outcome.PASS
    assert out[0].known_issue is not None and "fixed in the next release" in out[0].known_issue
    assert [r.outcome for r in out if r.check_id == EXPIRED] == [Outcome.PASS]


def test_an_expired_known_issue_fails_the_run(tmp_path: Path) -> None:
    out = apply_known_issues([FAILED], _known(tmp_path, "2026-05-01"), TODAY)
    assert out[0].outcome is Outcome.FAIL  # no longer excused
    assert [r.outcome for r in out if r.check_id == EXPIRED] == [Outcome.FAIL]


def test_a_known_issue_matches_only_its_api(tmp_path: Path) -> None:
    other = _failed("employees-api")
    out = apply_known_issues([other], _known(tmp_path, "2026-07-01"), TODAY)
    assert out[0].outcome is Outcome.FAIL


def test_a_known_issue_without_expiry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "known.toml"
    path.write_text('[[issue]]\ncheck = "X"\nreason = "y"\n', encoding="utf-8")
    with pytest.raises(KnownIssuesError, match="expires"):
        KnownIssues.load(path)


def test_a_callback_table_adds_consumer_mode_unless_the_modes_are_chosen(tmp_path: Path) -> None:
    path = tmp_path / "chain.toml"
    path.write_text('[callback]\nlisten = "127.0.0.1:8799"\n', encoding="utf-8")
    cfg = load(path)
    assert cfg.chain_writes and cfg.modes == ("preflight", "observe", "scenario", "consumer")
    path.write_text(
        '[callback]\nlisten = "127.0.0.1:8799"\n\n[run]\nmodes = ["observe"]\n', encoding="utf-8"
    )
    assert load(path).modes == ("observe",)
