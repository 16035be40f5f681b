"""Personal data and credentials never reach a report, a log line or a curl command."""

from __future__ import annotations

import orjson

from eduv.conformance import mask
from eduv.conformance.config import Limits
from eduv.conformance.http import SafeHttp
from eduv.conformance.mask import Masker

STUDENT = {
    "userMasterIdentifier": "https://ketenid.nl/201703/abcdef",
    "userIds": [{"userId": "240117@1.school.nl", "userIdType": "NEPPI"}],
    "givenName": "Fenna",
    "familyName": "Jansen",
    "dateOfBirth": "2014-03-02",
    "status": "active",
}


def test_personal_members_are_pseudonymised_consistently_within_a_run() -> None:
    masker = Masker()
    first, second = masker.json(STUDENT), masker.json([STUDENT])[0]
    text = orjson.dumps(first).decode()
    for secret in ("Fenna", "Jansen", "2014-03-02", "abcdef", "240117"):
        assert secret not in text
    assert first == second  # the same value gets the same pseudonym
    assert first["status"] == "active"  # what is not personal stays readable


def test_pseudonyms_differ_between_runs() -> None:
    assert Masker().json(STUDENT) != Masker().json(STUDENT)


def test_keeping_personal_data_is_possible_when_asked() -> None:
    assert Masker(personal=False).json(STUDENT) == STUDENT


def test_credentials_are_masked_in_headers_forms_urls_and_curl() -> None:
    sent = {"Authorization": "Bearer s3cr3t-token", "API-Version": "1.1.0"}
    assert mask.headers(sent) == {"Authorization": "Bearer ***", "API-Version": "1.1.0"}
    form = Masker().body(b"grant_type=client_credentials&client_secret=hunter2")
    assert form is not None and "hunter2" not in form
    assert "pw" not in mask.url("https://user:pw@example.nl/x?client_secret=abc")
    line = mask.curl("GET", "https://example.nl/a", sent, None)
    assert "s3cr3t" not in line and "$EDUV_TOKEN" in line


def test_recorded_exchanges_hold_neither_token_nor_personal_data(served) -> None:  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = orjson.dumps([STUDENT])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    server = served(app)
    http = SafeHttp(Limits(), Masker())
    answer = http.request(
        "GET", server.url + "/students", headers={"Authorization": "Bearer tok-42"}
    )
    http.close()
    record = orjson.dumps(answer.exchange.to_json()).decode()
    assert answer.json() == [STUDENT]  # the checks see the real answer
    for secret in ("tok-42", "Fenna", "Jansen", "2014-03-02"):
        assert secret not in record
