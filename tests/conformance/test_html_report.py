"""The HTML report: one self-contained file that shows the verdict, each failure with its
request, answer excerpt and curl line, the rule explained in English or Dutch, and no
personal data. The browser test opens it in headless Chromium (Debian's package).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from eduv.conformance.catalogue import load
from eduv.conformance.config import Limits
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker
from eduv.conformance.model import Where
from eduv.conformance.reports import write_all
from eduv.conformance.runner import Run, RunInfo
from eduv.conformance.tally import Tally

STUDENT = {
    "userMasterIdentifier": "https://ketenid.nl/201703/" + "7f" * 64,
    "givenName": "Fenna",
    "familyName": "Jansen",
    "dateOfBirth": "2014-03-02",
    "gender": "F",
}
TOKEN = "tok-very-secret-123"
CHECK = "EDUV-CONF-SCOPE-002"


def failing_run(served, lang: str = "en") -> Run:  # type: ignore[no-untyped-def]
    """A run with one real recorded exchange that served personal data it should not."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": orjson.dumps([STUDENT])})

    server = served(app)
    masker = Masker()
    http = SafeHttp(Limits(), masker)
    answer = http.request(
        "GET",
        server.url + "/students-api/v1/students/school?orgMasterId=104A158",
        headers={"Authorization": f"Bearer {TOKEN}", "API-Version": "1.1.0"},
    )
    http.close()
    info = RunInfo(
        "0.1.0",
        {"students-api": ["1.1.0", "1.0.1"]},
        7,
        server.url,
        ["observe"],
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        1.0,
        1,
        0.5,
        lang,
    )
    tally = Tally(CHECK)
    params = {
        "operation": "get-students-for-school",
        "member": "dateOfBirth",
        "needs": "eduv.student.demographics",
        "scopes": "eduv.student.basic",
    }
    place = Where(
        "get-students-for-school",
        answer.exchange,
        "Student",
        str(STUDENT["userMasterIdentifier"]),
        "/dateOfBirth",
        "/0/dateOfBirth",
        STUDENT,
    )
    tally.problem("students-api", "1.1.0", "member", params, where=place, subject="104A158")
    passed = Tally("EDUV-CONF-HDR-001")
    passed.ok("students-api", "1.1.0", 3)
    results = tally.results() + passed.results()
    return Run(info, results, dict(load().checks), masker=masker)


def test_the_html_report_shows_failures_with_curl_and_no_personal_data(
    served, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = write_all(failing_run(served), tmp_path).html.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.split("<body>")[0]  # self-contained
    assert CHECK in page and "FAILED" in page and "$EDUV_TOKEN" in page
    for secret in ("Fenna", "Jansen", "2014-03-02", TOKEN, STUDENT["userMasterIdentifier"]):
        assert secret not in page


def test_the_html_report_speaks_dutch_when_asked(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = write_all(failing_run(served, "nl"), tmp_path).html.read_text(encoding="utf-8")
    assert "NIET GESLAAGD" in page
    assert load().checks[CHECK].explain.nl in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_chromium_shows_the_verdict_and_the_failure(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser = _chromium()
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian package: chromium)")
    report = write_all(failing_run(served), tmp_path / "report").html
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        report.as_uri(),
    ]
    shown = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    assert 'id="verdict"' in shown and "FAILED" in shown
    failures = shown.split('id="failures"', 1)[1]
    assert CHECK in failures and "curl -sS -X GET" in failures and "$EDUV_TOKEN" in failures
    assert "masked-" in failures  # the pseudonyms are what the reader sees
    for secret in ("Fenna", "2014-03-02", TOKEN):
        assert secret not in shown
