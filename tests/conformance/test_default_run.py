"""The default run against the reference provider passes completely, and its reports
are what they claim to be: valid JSON with a digest and signature, JUnit XML, HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import orjson
import pytest

from eduv import keys
from eduv.conformance.embedded import configure
from eduv.conformance.model import Outcome
from eduv.conformance.reports import Written, write_all
from eduv.conformance.reports.json_report import VerificationError, report_schema, verify
from eduv.conformance.runner import Run, run_suite
from eduv.provider import embedded
from tests.conformance.conftest import QUICK


@pytest.fixture(scope="module")
def default_run(reference: embedded.Embedded) -> Run:
    return run_suite(configure(QUICK.with_changes(examples=1), reference))


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    pair = keys.generate("ES256")
    keys.save_private(pair, folder / "tester.pem")
    (folder / "tester.jwks.json").write_bytes(orjson.dumps(pair.jwks()))
    return folder / "tester.pem", folder / "tester.jwks.json"


@pytest.fixture(scope="module")
def written(
    default_run: Run, signer: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Written]:
    yield write_all(default_run, tmp_path_factory.mktemp("report"), str(signer[0]))


def test_the_default_run_passes_completely(default_run: Run) -> None:
    failures = [
        (r.check_id, r.api, r.version, r.message, r.details[:3])
        for r in default_run.results
        if r.outcome in (Outcome.FAIL, Outcome.ERROR)
    ]
    assert failures == []
    outcomes = {r.outcome for r in default_run.results}
    assert Outcome.PASS in outcomes
    modes = {
        default_run.checks[r.check_id].mode
        for r in default_run.results
        if r.outcome is Outcome.PASS
    }
    assert modes == {"preflight", "observe", "scenario"}


def test_pre_release_versions_are_not_applicable(default_run: Run) -> None:
    rows = [
        r
        for r in default_run.results
        if r.api == "notifications-api" and r.check_id.startswith("EDUV-CONF-PRE")
    ]
    assert rows and all(r.outcome is Outcome.NOT_APPLICABLE for r in rows)


def test_the_json_report_follows_its_published_schema(written: Written) -> None:
    doc = orjson.loads(written.json.read_bytes())
    validator = jsonschema_rs.validator_for(report_schema(), validate_formats=True)
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert doc["summary"]["passed"] is True
    assert doc["run"]["seed"] == 0 and doc["run"]["specVersions"]["association-api"] == [
        "1.1.0",
        "1.0.2",
    ]


def test_the_digest_and_signature_verify_and_any_change_is_caught(
    written: Written, signer: tuple[Path, Path]
) -> None:
    doc = orjson.loads(written.json.read_bytes())
    trusted = orjson.loads(signer[1].read_bytes())
    assert "signature" in verify(doc, trusted)
    doc["summary"]["passed"] = False
    with pytest.raises(VerificationError, match="digest"):
        verify(doc, trusted)


def test_a_signature_does_not_verify_with_another_key(written: Written) -> None:
    doc = orjson.loads(written.json.read_bytes())
    stranger = keys.generate("ES256").jwks()
    with pytest.raises(VerificationError, match="signature"):
        verify(doc, stranger)


def test_the_junit_report_has_a_case_per_result(written: Written, default_run: Run) -> None:
    root = ET.parse(written.junit).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(default_run.results)
    assert not root.findall(".//failure")
    assert {s.get("name") for s in root.findall("testsuite")} >= {
        "preflight",
        "observe",
        "scenario",
    }
