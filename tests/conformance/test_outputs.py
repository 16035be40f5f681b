"""What a run writes: no personal value of the tested school in any output, the results
on standard output and progress on standard error, ids sent whole in URL paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from eduv import spec
from eduv.conformance.cli import app
from eduv.conformance.config import RunConfig
from eduv.conformance.embedded import configure
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import NOT_IN_TEXT, PERSONAL_MEMBERS, SHORTEST_IN_TEXT, Masker
from eduv.conformance.reports import write_all
from eduv.conformance.runner import run_suite
from eduv.conformance.session import Session
from eduv.provider import embedded
from tests.conformance.conftest import QUICK


def _personal_values(value: Any, inside: bool = False) -> set[str]:
    """Every text leaf under a personal member (names, ECK iDs, dates of birth, e-mail)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            personal = inside or (key in PERSONAL_MEMBERS and key not in NOT_IN_TEXT)
            found |= _personal_values(item, personal)
    elif isinstance(value, list):
        for item in value:
            found |= _personal_values(item, inside)
    elif inside and isinstance(value, str) and len(value) >= SHORTEST_IN_TEXT:
        found.add(value)
    return found


def test_no_personal_value_of_the_school_reaches_any_output(tmp_path: Path) -> None:
    # Faults that make the source serve people where it should not: their findings carry
    # the offending objects, messages with their ids, and the exchanges.
    faults = ["demographics-without-scope", "required-field-missing", "group-missing-assignment"]
    with embedded.running(seed=0, faults=faults) as reference:
        run, lines = _run(reference)
    dataset = reference.dataset
    people = [*dataset.students, *dataset.employees]
    secrets = set().union(*(_personal_values(p, False) for p in people))
    assert len(secrets) > 50  # names, identifiers, dates of birth of a whole school
    assert sum(len(r.findings) for r in run.results) > 20
    written = write_all(run, tmp_path)
    outputs = {
        "report.json": written.json.read_text(encoding="utf-8"),
        "junit.xml": written.junit.read_text(encoding="utf-8"),
        "report.html": written.html.read_text(encoding="utf-8"),
        "progress": "\n".join(lines),
    }
    for name, text in outputs.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{name} shows {len(leaked)} personal value(s), e.g. {leaked[:3]}"
    assert "masked-" in outputs["report.json"]


def _run(reference: embedded.Embedded) -> tuple[Any, list[str]]:
    lines: list[str] = []
    cfg = configure(QUICK.with_changes(modes=("preflight", "observe")), reference)
    return run_suite(cfg, progress=lines.append), lines


def test_results_go_to_stdout_and_progress_to_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["run", "--out", str(tmp_path / "r"), "--examples", "0", "--mode", "preflight"],
    )
    assert result.exit_code == 0, result.output
    assert "EDUV-CONF-PRE-001" in result.stdout and "PASSED" in result.stdout
    assert "reports:" in result.stderr and "reports:" not in result.stdout


def test_a_misspelt_key_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text('[[schools]]\nid = "100A100"\nconsnet = false\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "did you mean 'consent'" in result.stderr


@pytest.mark.parametrize("ident", ["a/b", "x?y=1", "50% off", "#frag"])
def test_path_ids_are_percent_encoded(reference: embedded.Embedded, ident: str) -> None:
    cfg = configure(RunConfig(), reference)
    http = SafeHttp(cfg.limits, Masker())
    try:
        session = Session(cfg, http)
        token = session.grant(cfg.credentials[0]).token
        api = "association-api"
        op = spec.operation(api, spec.api(api).current, "get-group")
        school = cfg.schools[0].id
        answer = session.call(op, token=token, params={"id": ident, "orgMasterId": school})
    finally:
        http.close()
    # The id reached the provider whole, as one path segment: it is simply not found.
    assert answer.status == 404
    assert "/groups/school/" in answer.exchange.url
    assert ident not in answer.exchange.url.split("?")[0]


@pytest.mark.slow
def test_a_second_fault_under_a_failing_check_shows_as_new_findings(tmp_path: Path) -> None:
    """A check that already fails hides nothing: findings new against a baseline show."""
    quick = ["--examples", "0", "--mode", "preflight", "--mode", "observe"]
    first = ["run", *quick, "--fault", "required-field-missing", "--out", str(tmp_path / "a")]
    assert CliRunner().invoke(app, first).exit_code == 1
    baseline = str(tmp_path / "a" / "report.json")
    both = ["--fault", "required-field-missing", "--fault", "enum-outside-list"]
    second = ["run", *quick, *both, "--baseline", baseline, "--fail-on", "new"]
    result = CliRunner().invoke(app, [*second, "--out", str(tmp_path / "b")])
    assert result.exit_code == 1, result.output
    before = orjson.loads((tmp_path / "a" / "report.json").read_bytes())
    after = orjson.loads((tmp_path / "b" / "report.json").read_bytes())

    def failing(doc: Any) -> set[str]:
        return {r["checkId"] for r in doc["results"] if r["outcome"] == "fail"}

    assert failing(before) == failing(after) == {"EDUV-CONF-SCHEMA-001"}
    new = [f for f in after["findings"] if f.get("baseline") == "new"]
    assert new and {f["checkId"] for f in new} == {"EDUV-CONF-SCHEMA-001"}
    assert after["summary"]["baseline"]["gone"] == 0
    again = ["run", *quick, "--fault", "required-field-missing", "--baseline", baseline]
    same = CliRunner().invoke(app, [*again, "--fail-on", "new", "--out", str(tmp_path / "c")])
    assert same.exit_code == 0, same.output
