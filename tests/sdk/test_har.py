"""HAR files: each exchange matched to its operation, and its three parts validated."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv.validation.har import match
from tests.sdk.conftest import Cli, example

BASE = "https://las.example.org/association-api/v1"


def _entry(
    method: str,
    url: str,
    status: int,
    body: Any = None,
    *,
    request_body: Any = None,
    api_version: str | None = "1.1.0",
    base64_body: bool = False,
) -> dict[str, Any]:
    headers = [{"name": "API-Version", "value": api_version}] if api_version else []
    text = "" if body is None else orjson.dumps(body).decode()
    content: dict[str, Any] = {"mimeType": "application/json", "size": len(text), "text": text}
    if base64_body:
        content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
    request: dict[str, Any] = {"method": method, "url": url, "headers": headers}
    if request_body is not None:
        request["postData"] = {
            "mimeType": "application/json",
            "text": orjson.dumps(request_body).decode(),
        }
    return {
        "request": request,
        "response": {"status": status, "headers": headers, "content": content},
    }


def _har(*entries: dict[str, Any]) -> bytes:
    return orjson.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def _items(result: Any) -> dict[str, dict[str, Any]]:
    return {item["location"]: item for item in result.json()["items"]}


def test_matching_prefers_literal_segments_and_the_named_api() -> None:
    found = match("GET", "/x/association-api/v1/groups/school/123", "1.0.2")
    assert found is not None
    assert (found.op.api, found.op.version, found.op.operation_id) == (
        "association-api",
        "1.0.2",
        "get-group",
    )
    assert found.path_values == {"id": "123"}
    info = match("GET", "/catalogue/v2/products/info", None)
    assert info is not None and info.op.operation_id == "get-all-products-info"
    assert info.op.version == "2.0.0"  # no header: the current version
    assert match("GET", "/unknown/thing", None) is None


def test_a_clean_exchange_has_no_items(cli: Cli, tmp_path: Path) -> None:
    group = example("association-api", "1.1.0", "Group")
    har = _har(
        _entry(
            "GET",
            f"{BASE}/groups/school?orgMasterId=104A158&filterByOrgId=false",
            200,
            [group],
            base64_body=True,
        )
    )
    (tmp_path / "ok.har").write_bytes(har)
    result = cli("validate", str(tmp_path / "ok.har"), "-f", "json")
    assert result.code == 0, result.out
    assert result.json()["summary"]["messages"] == 2  # parameters and response body


def test_problems_in_every_part_are_found(cli: Cli, tmp_path: Path) -> None:
    group = example("association-api", "1.1.0", "Group")
    group["groupType"] = "club"
    enrolment_request = example(
        "association-api", "1.1.0", "get-enrollments-for-student-at-school.request"
    )
    del enrolment_request["student"]
    har = _har(
        _entry("GET", f"{BASE}/groups/school?orgId=09QQ&filterByOrgId=yes", 200, [group]),
        _entry(
            "POST", f"{BASE}/enrollments/school/student", 200, [], request_body=enrolment_request
        ),
        _entry("GET", f"{BASE}/groups/school/abc?orgMasterId=104A158", 500, None),
        _entry("GET", "https://cdn.example.org/logo.png", 200, None),
        _entry(
            "GET",
            f"{BASE}/groups/school/abc?orgMasterId=104A158",
            200,
            example("association-api", "1.1.0", "Group"),
            api_version="1.0.2",
        ),
    )
    (tmp_path / "traffic.har").write_bytes(har)
    result = cli("validate", str(tmp_path / "traffic.har"), "-f", "json")
    document = result.json()
    items = _items(result)
    assert result.code == 1
    assert document["summary"]["skipped"] == 1
    params = items["/log/entries/0/request/url"]
    assert params["message"] == "get-groups-for-school.parameters"
    assert {f["instancePath"] for f in params["findings"]} >= {"/filterByOrgId", ""}
    body = items["/log/entries/0/response/content"]
    assert [f["instancePath"] for f in body["findings"]] == ["/0/groupType"]
    request = items["/log/entries/1/request/postData"]
    assert request["findings"][0]["message"] == 'required property "student" is missing'
    undeclared = items["/log/entries/2/response/content"]
    assert undeclared["findings"][0]["kind"] == "protocol"
    assert "status 500 is not declared for get-group" in undeclared["findings"][0]["message"]
    assert "/log/entries/4/response/content" not in items  # matched to 1.0.2 by its header


def test_contradicting_version_header_and_missing_body(cli: Cli, tmp_path: Path) -> None:
    entry = _entry("GET", f"{BASE}/groups/school/abc?orgMasterId=104A158", 200, None)
    entry["request"]["headers"] = []
    entry["response"]["headers"] = [{"name": "api-version", "value": "1.0.0"}]
    (tmp_path / "v.har").write_bytes(_har(entry))
    result = cli("validate", str(tmp_path / "v.har"), "-f", "json", "--lang", "nl")
    messages = [f["message"] for f in _items(result)["/log/entries/0/response/content"]["findings"]]
    assert any("API-Version-header" in m for m in messages)
    assert any("status 200 vraagt om een Group" in m for m in messages)


@pytest.mark.parametrize("text", ["{not json", ""])
def test_a_body_that_is_not_json_is_a_protocol_finding(cli: Cli, tmp_path: Path, text: str) -> None:
    entry = _entry("GET", f"{BASE}/groups/school/abc?orgMasterId=104A158", 200, None)
    entry["response"]["content"]["text"] = text
    (tmp_path / "t.har").write_bytes(_har(entry))
    result = cli("validate", str(tmp_path / "t.har"))
    assert result.code == 1
    assert "[protocol]" in result.out


@pytest.mark.parametrize(
    ("entries", "where", "words"),
    [
        ([1, "x", None], "/log/entries/0", "not a HAR entry: / is a whole number"),
        ("all", "/log/entries", "the entries are text, expected a list"),
        ([{"request": {"method": "GET", "url": 5}, "response": {"status": 200}}],
         "/log/entries/0/request/url", "/request/url is a whole number, expected text"),
        ([{"request": {"method": "GET", "url": "/x"}}], "/log/entries/0/response",
         "expected an object"),
    ],
)  # fmt: skip
def test_a_broken_har_is_an_input_error_not_a_skip(
    cli: Cli, tmp_path: Path, entries: Any, where: str, words: str
) -> None:
    (tmp_path / "broken.har").write_bytes(orjson.dumps({"log": {"entries": entries}}))
    result = cli("validate", str(tmp_path / "broken.har"), "-f", "json")
    document = result.json()
    assert result.code == 2
    assert document["summary"]["skipped"] == 0
    error = document["inputErrors"][0]
    assert error["location"] == where and words in error["message"], error


def test_a_body_that_is_not_base64_says_so(cli: Cli, tmp_path: Path) -> None:
    entry = _entry("GET", f"{BASE}/groups/school/abc?orgMasterId=104A158", 200, {"a": 1})
    entry["response"]["content"].update(text="not base64!", encoding="base64")
    (tmp_path / "traffic.har").write_bytes(_har(entry))
    result = cli("validate", str(tmp_path / "traffic.har"), "-f", "json")
    [finding] = _items(result)["/log/entries/0/response/content"]["findings"]
    assert "marked as base64 but is not base64" in finding["message"]
    assert "none was sent" not in finding["message"]
