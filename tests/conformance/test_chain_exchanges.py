"""The chain's writing checks against the reference provider: the default run (no
target) sends every writing operation and passes them all; a run against a target that
did not ask for it sends nothing; the [callback] table is read strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from eduv.conformance.chain.mode import CONSUMER_CHECKS, SCENARIO_CHECKS
from eduv.conformance.config import ConfigError, load
from eduv.conformance.embedded import configure, embedded
from eduv.conformance.model import Outcome
from eduv.conformance.runner import Run, run_suite
from eduv.provider import embedded as provider_embedded
from tests.conformance.conftest import QUICK

CHAIN_CHECKS = set(CONSUMER_CHECKS) | set(SCENARIO_CHECKS)
WRITING = {
    "order-api",
    "delivery-api",
    "activationcode-api",
    "usage-api",
    "results-api",
    "progress-api",
}


@pytest.fixture(scope="module")
def chain_run() -> Run:
    with embedded(QUICK.with_changes(examples=0)) as (cfg, listener):
        return run_suite(cfg, listener=listener)


def test_the_default_run_writes_to_every_writing_api_and_passes(chain_run: Run) -> None:
    mine = [r for r in chain_run.results if r.check_id in CHAIN_CHECKS]
    failures = [
        (r.check_id, r.api, r.version, r.note)
        for r in mine
        if r.outcome
        in (
            Outcome.FAIL,
            Outcome.ERROR,
        )
    ]
    assert failures == []
    passed = {(r.api, r.version) for r in mine if r.outcome is Outcome.PASS}
    # t and t-1 of every writing API, pre-1.0 ones included against the reference.
    assert {api for api, _ in passed} >= WRITING | {"entitlement-api"}
    assert {v for api, v in passed if api == "order-api"} == {"0.9.2", "0.9.1"}
    assert {r.check_id for r in mine if r.outcome is Outcome.PASS} == CHAIN_CHECKS
    # Consumer mode ran, beside the modes a run has by default.
    assert "consumer" in chain_run.info.modes


def test_the_confirmations_were_judged_by_the_message_rules(chain_run: Run) -> None:
    judged = [r for r in chain_run.results if r.subject == "chain-exchanges"]
    assert {r.api for r in judged} >= {"order-api", "delivery-api", "activationcode-api"}
    assert all(r.outcome is Outcome.PASS and r.checked > 0 for r in judged)


def test_every_finding_of_a_chain_check_carries_its_exchange(chain_run: Run) -> None:
    # None here, so a finding's evidence is proven by the kill matrix; what passes must
    # still name what it judged.
    mine = [r for r in chain_run.results if r.check_id in CHAIN_CHECKS]
    assert all(r.checked > 0 for r in mine if r.outcome is Outcome.PASS)


def test_a_run_against_a_target_sends_nothing_without_a_callback(tmp_path: Path) -> None:
    with provider_embedded.running(seed=0) as provider:
        cfg = configure(QUICK.with_changes(modes=("consumer",), examples=0), provider)
        run = run_suite(cfg)
    mine = [r for r in run.results if r.check_id in CONSUMER_CHECKS]
    assert mine and all(r.outcome is Outcome.SKIP for r in mine)
    assert {r.note.key for r in mine} == {"chain-writes-off"}
    assert run.info.requests == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('listen = "localhost"', "callback.listen is host:port"),
        ('listen = "127.0.0.1:99999"', "callback.listen is host:port"),
        ('url = "ftp://x"', r"callback.url is an http\(s\) URL"),
        ("timeout = 0", "callback.timeout is a number of seconds above zero"),
        ('lisen = "127.0.0.1:1"', "lisen"),
    ],
)
def test_the_callback_table_is_read_strictly(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "run.toml"
    path.write_text(f'[target]\nroot = "https://x.example"\n\n[callback]\n{table}\n')
    with pytest.raises(ConfigError, match=message):
        load(path)


def test_a_callback_table_turns_the_writes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CB_SECRET", "a-secret-from-the-environment")
    path = tmp_path / "run.toml"
    path.write_text(
        '[target]\nroot = "https://x.example"\n\n[callback]\nlisten = "127.0.0.1:8765"\n'
        'url = "https://tester.example/eduv"\nsecret_env = "CB_SECRET"\ntimeout = 4\n'
    )
    cfg = load(path)
    assert cfg.chain_writes and cfg.callback.url == "https://tester.example/eduv"
    assert cfg.callback.secret == "a-secret-from-the-environment" and cfg.callback.timeout == 4
    assert "secret-from" not in repr(cfg.callback)
