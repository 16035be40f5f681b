"""What a vendor's developer configures and inspects: per-call options, copies with other
settings, raw responses, configuration from the environment, credentials, a closed
client, and logs that never carry secrets or personal data."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from eduv import keys
from eduv.client import (
    ApiVersionWarning,
    AsyncClient,
    BearerToken,
    Client,
    ClientClosedError,
    ClientSecret,
    PrivateKeyJwt,
    ServerError,
    TokenError,
)
from tests.sdk.mock_provider import BASE_URL, TOKEN_URL, Answer, MockProvider, example

SECRET = "s3cret-never-logged"


@pytest.fixture
def provider() -> MockProvider:
    mock = MockProvider()
    mock.register_secret("dev", SECRET, {"eduv.association", "eduv.student.basic"})
    return mock


def _client(provider: MockProvider, **options: object) -> Client:
    auth = ClientSecret(client_id="dev", client_secret=SECRET, token_url=TOKEN_URL)
    return Client(
        BASE_URL, auth=auth, transport=provider.transport(), sleep=lambda _: None, **options
    )  # type: ignore[arg-type]


def test_per_call_timeout_headers_and_query(provider: MockProvider) -> None:
    with _client(provider, timeout=12.0) as client:
        client.association().get_groups_for_school(orgMasterId="104A158")
        client.association().get_groups_for_school(
            orgMasterId="104A158",
            timeout=2.5,
            extra_headers={"X-Request-Id": "r-1"},
            extra_query={"vendorHint": "x"},
        )
    plain, tuned = provider.requests
    assert plain.extensions["timeout"]["read"] == 12.0
    assert tuned.extensions["timeout"]["read"] == 2.5
    assert tuned.headers["X-Request-Id"] == "r-1" and "X-Request-Id" not in plain.headers
    assert tuned.url.params["vendorHint"] == "x" and tuned.url.params["orgMasterId"] == "104A158"


def test_with_options_is_a_changed_copy_that_shares_the_connections(
    provider: MockProvider,
) -> None:
    client = _client(provider)
    assert (client.max_retries, client.timeout) == (2, 30.0)
    patient = client.with_options(max_retries=0, timeout=90)
    assert (patient.max_retries, patient.timeout) == (0, 90)
    assert client.max_retries == 2
    provider.script("get-groups-for-school", Answer(503))
    with pytest.raises(ServerError):
        patient.association().get_groups_for_school(orgMasterId="104A158")
    assert len(provider.requests) == 1  # no retry on the copy
    client.association().get_groups_for_school(orgMasterId="104A158")
    assert len(provider.token_requests) == 1  # same auth, same token cache
    client.close()
    with pytest.raises(ClientClosedError, match="closed"):
        patient.association().get_groups_for_school(orgMasterId="104A158")


def test_raw_responses_carry_status_headers_and_the_value(provider: MockProvider) -> None:
    with _client(provider) as client:
        raw = client.association().with_raw_response.get_groups_for_school(orgMasterId="x")
    assert raw.status_code == 200 and raw.api_version == "1.1.0"
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.problems == ()
    assert raw.parse()[0].groupId == example("association-api", "1.1.0", "Group")["groupId"]


def test_the_repr_says_what_the_client_is_and_hides_secrets(provider: MockProvider) -> None:
    with _client(provider, scopes=["eduv.student.demographics"], validation="strict") as client:
        text = repr(client)
    assert text.startswith("Client(base_url='https://las.test', auth=ClientSecret(client_id='dev'")
    assert "validation='strict'" in text and "max_retries=2" in text
    assert "eduv.student.demographics" in text and SECRET not in text
    assert "***" in repr(BearerToken("tok")) and "tok'" not in repr(BearerToken("tok"))


def test_configuration_from_the_environment(
    provider: MockProvider, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EDUV_BASE_URL", BASE_URL)
    monkeypatch.setenv("EDUV_TOKEN_URL", TOKEN_URL)
    monkeypatch.setenv("EDUV_CLIENT_ID", "dev")
    monkeypatch.setenv("EDUV_CLIENT_SECRET", SECRET)
    with Client(transport=provider.transport()) as client:
        assert client.association().get_groups_for_school(orgMasterId="104A158")
        assert isinstance(client.settings.auth, ClientSecret)
    pair = keys.generate("ES256")
    pem = tmp_path / "client.pem"
    pem.write_bytes(pair.private_pem())
    monkeypatch.setenv("EDUV_PRIVATE_KEY", str(pem))
    provider.register_jwk("dev", pair.public_jwk(), {"eduv.association"})
    with Client(transport=provider.transport()) as client:
        assert isinstance(client.settings.auth, PrivateKeyJwt)
        assert client.settings.auth.key.kid == pair.kid
        client.association().get_groups_for_school(orgMasterId="104A158")
    monkeypatch.delenv("EDUV_TOKEN_URL")
    with pytest.raises(ValueError, match="EDUV_TOKEN_URL"):
        Client()


def test_credentials_take_keywords_in_one_order_and_positions_are_deprecated() -> None:
    secret = ClientSecret(client_id="a", client_secret=SECRET, token_url=TOKEN_URL)
    with pytest.warns(DeprecationWarning, match=r"ClientSecret\(client_id=\.\.\., client_secret"):
        old = ClientSecret("a", SECRET, TOKEN_URL)  # type: ignore[call-overload]
    assert (old.client_id, old.client_secret, old.token_url) == ("a", SECRET, TOKEN_URL)
    assert SECRET not in repr(secret)
    pair = keys.generate("ES256")
    with pytest.warns(DeprecationWarning, match="private_key=") as caught:
        legacy = PrivateKeyJwt("a", TOKEN_URL, pair)  # type: ignore[call-overload]
    assert caught[0].filename == __file__
    assert legacy.token_url == TOKEN_URL and legacy.key is pair
    with pytest.raises(TypeError, match="keyword arguments"):
        ClientSecret("a", SECRET)  # type: ignore[call-overload]


def test_a_refused_secret_is_not_in_the_error(provider: MockProvider) -> None:
    wrong = ClientSecret(client_id="dev", client_secret="wrong-" + SECRET, token_url=TOKEN_URL)
    with (
        Client(BASE_URL, auth=wrong, transport=provider.transport()) as client,
        pytest.raises(TokenError) as caught,
    ):
        client.association().get_groups_for_school(orgMasterId="104A158")
    assert SECRET not in str(caught.value)


def test_a_closed_client_raises_an_eduv_error(provider: MockProvider) -> None:
    client = _client(provider)
    client.close()
    with pytest.raises(ClientClosedError):
        client.association().get_groups_for_school(orgMasterId="104A158")

    async def main() -> None:
        async_client = AsyncClient(BASE_URL, auth=BearerToken("t"), transport=None)
        await async_client.aclose()
        with pytest.raises(ClientClosedError):
            await async_client.association().get_groups_for_school(orgMasterId="104A158")

    asyncio.run(main())
    assert provider.requests == []


def test_warnings_point_at_the_callers_line(provider: MockProvider) -> None:
    group = example("association-api", "1.1.0", "Group")
    provider.script("get-group", Answer(200, group, version="1.0.2"))
    with _client(provider) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.association().get_group("g1", orgMasterId="104A158")
    assert [w.category for w in caught] == [ApiVersionWarning]
    assert caught[0].filename == __file__


# -- logging ----------------------------------------------------------------------------------


def test_logs_tell_what_happened_without_secrets_or_personal_data(
    provider: MockProvider, caplog: pytest.LogCaptureFixture
) -> None:
    student = example("students-api", "1.1.0", "Student")
    odd = {**student, "gender": "x-unlisted"}
    provider.script("get-students-for-school", Answer(503), Answer(200, [odd]))
    caplog.set_level(logging.DEBUG, logger="eduv")
    with _client(provider) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.students().get_students_for_school(orgMasterId="104A158")
        client.students().search_student(
            body={
                "school": {"organisationMasterIdentifier": "104A158"},
                "student": {"userMasterIdentifier": student["userMasterIdentifier"]},
            }
        )
    names = {r.name for r in caplog.records}
    assert {"eduv.http", "eduv.retry", "eduv.validation"} <= names
    text = caplog.text
    assert "retrying get-students-for-school after HTTP 503" in text
    assert "/gender (enum)" in text
    token = provider.token_requests[0]
    forbidden = [SECRET, student["userMasterIdentifier"], student["givenName"], "x-unlisted"]
    forbidden += [token.headers["Authorization"].split()[1], "Bearer "]
    forbidden += [t for t in provider.tokens]
    for value in forbidden:
        assert value not in text, value


def test_eduv_log_switches_logging_on_without_code() -> None:
    code = (
        "import httpx\n"
        "from eduv.client import Client, BearerToken\n"
        "def answer(request):\n"
        "    return httpx.Response(200, json=[], headers={'API-Version': '1.1.0'})\n"
        "with Client('https://las.test', auth=BearerToken('t'),"
        " transport=httpx.MockTransport(answer)) as client:\n"
        "    client.association().get_groups_for_school(orgMasterId='104A158')\n"
    )
    for level, expected in (("debug", "request GET /groups/school"), ("info", "HTTP 200")):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={"EDUV_LOG": level, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert expected in done.stderr
    assert "request GET" not in done.stderr  # info leaves the debug records out
