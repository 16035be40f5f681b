"""The ``conformance`` command group."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from eduv import spec
from eduv.conformance.cli import app
from tests.conformance.test_consumer import TOKEN, sdk_receiver
from tests.conftest import REPO

runner = CliRunner()


def test_checks_are_listed_with_ids_modes_and_citations() -> None:
    result = runner.invoke(app, ["checks", "--json"])
    assert result.exit_code == 0
    listed = orjson.loads(result.stdout)
    assert any(
        c["id"] == "EDUV-CONF-RULE-GROUP-015" and c["cites"] == ["EDUV-GROUP-015"] for c in listed
    )
    dutch = runner.invoke(app, ["checks", "--lang", "nl"])
    assert "Een onbekende school krijgt 400 met status 23" in dutch.stdout


def test_checks_cite_every_adopted_chain_api_and_course_is_documented_as_not_adopted() -> None:
    listed = orjson.loads(runner.invoke(app, ["checks", "--json"]).stdout)
    chain = [a for a in spec.apis() if a.family == "chain"]
    for api in chain:
        citing = [
            c["id"]
            for c in listed
            if api.id in c["appliesTo"] and not c["id"].startswith("EDUV-CONF-RULE-")
        ]
        assert bool(citing) == api.adopted, api.id
    text = (REPO / "docs" / "chain.md").read_text(encoding="utf-8")
    assert "| `course-api` | course structures behind products | never adopted" in text


def test_a_consumer_run_writes_the_reports_and_they_verify(
    served, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    url = served(sdk_receiver([])).url
    monkeypatch.setenv("EDUV_TEST_CONSUMER_TOKEN", TOKEN)
    out = tmp_path / "reports"
    result = runner.invoke(
        app,
        [
            "run",
            "--mode",
            "consumer",
            "--consumer-url",
            url,
            "--consumer-token-env",
            "EDUV_TEST_CONSUMER_TOKEN",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert {p.name for p in out.iterdir()} == {"report.json", "junit.xml", "report.html"}
    assert TOKEN not in (out / "report.json").read_text(encoding="utf-8")
    verified = runner.invoke(app, ["verify", str(out / "report.json")])
    assert verified.exit_code == 0 and "digest matches" in verified.stdout


def test_verify_refuses_a_changed_report(tmp_path: Path) -> None:
    doc = {"reportVersion": 1, "integrity": {"algorithm": "sha256", "digest": "sha256:" + "0" * 64}}
    path = tmp_path / "report.json"
    path.write_bytes(orjson.dumps(doc))
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output


def test_faults_are_refused_for_a_target_that_is_not_embedded() -> None:
    result = runner.invoke(app, ["run", "--root", "https://bron.example.nl", "--fault", "x"])
    assert result.exit_code != 0
