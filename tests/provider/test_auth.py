"""OAuth2 client credentials, scopes, consent and field minimisation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI, Response
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import Engine, select

from eduv.dataset.model import Dataset
from eduv.provider import schema
from eduv.provider.auth import ASSERTION_TYPE
from tests.provider.harness import (
    SECRET,
    Keys,
    Provider,
    client,
    config,
    running,
    serve_app,
)

JWT_KEYS = Keys()


def _config(dataset: Dataset, jwks_uri: str | None = None) -> Any:
    first, second = dataset.schools[0].key, dataset.schools[1].key
    clients = [
        client("full"),
        client("jwt", jwks=JWT_KEYS.jwks()),
        client("education-only", scopes=["eduv.education"]),
        client("no-basic", scopes=["eduv.student.communication"]),
        client("basic-only", scopes=["eduv.student.basic"]),
        client("demographics", scopes=["eduv.student.basic", "eduv.student.demographics"]),
        client("one-school", consents=[{"school": first}]),
        client("association-consent", consents=[{"school": second, "apis": ["association-api"]}]),
    ]
    if jwks_uri:
        clients.append(client("rotating", jwksUri=jwks_uri))
    return config(clients)


@pytest.fixture
def provider(sqlite_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    with running(sqlite_engine, _config(dataset), dataset=dataset, deliver=False) as found:
        yield found


def _assertion_form(assertion: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **extra,
    }


def _token_request(provider: Provider, form: dict[str, str], **kwargs: Any) -> httpx.Response:
    return httpx.post(provider.url + "/oauth2/token", data=form, timeout=30, **kwargs)


# -- the token endpoint ------------------------------------------------------------------


def test_client_secret(provider: Provider) -> None:
    good = _token_request(provider, {"grant_type": "client_credentials"}, auth=("full", SECRET))
    posted = _token_request(
        provider,
        {"grant_type": "client_credentials", "client_id": "full", "client_secret": SECRET},
    )
    wrong = _token_request(provider, {"grant_type": "client_credentials"}, auth=("full", "nope"))
    unknown = _token_request(provider, {"grant_type": "client_credentials"}, auth=("who", SECRET))
    assert good.status_code == 200 and good.json()["token_type"] == "Bearer"
    assert good.headers["Cache-Control"] == "no-store"
    assert posted.status_code == 200
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "eduv.catalogue"}, "invalid_scope"),
    ],
)
def test_refused_token_requests(provider: Provider, form: dict[str, str], error: str) -> None:
    answer = _token_request(provider, form, auth=("education-only", SECRET))
    assert answer.status_code == 400 and answer.json()["error"] == error


def test_token_request_must_be_a_form(provider: Provider) -> None:
    answer = httpx.post(provider.url + "/oauth2/token", json={"grant_type": "client_credentials"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_requested_scopes_narrow_the_grant(provider: Provider) -> None:
    form = {"grant_type": "client_credentials", "scope": "eduv.association"}
    answer = _token_request(provider, form, auth=("full", SECRET))
    assert answer.json()["scope"] == "eduv.association"


def test_private_key_jwt(provider: Provider) -> None:
    audience = provider.url + "/oauth2/token"
    answer = _token_request(provider, _assertion_form(JWT_KEYS.assertion("jwt", audience)))
    assert answer.status_code == 200, answer.text
    assert "eduv.association" in answer.json()["scope"].split()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda url: JWT_KEYS.assertion("jwt", "https://elsewhere.example/token"), "audience"),
        (lambda url: JWT_KEYS.assertion("jwt", url, lifetime=-300), "expired"),
        (lambda url: JWT_KEYS.assertion("jwt", url, lifetime=86400), "too long"),
        (lambda url: Keys().assertion("jwt", url), "not valid"),
        (lambda url: JWT_KEYS.assertion("full", url), "no registered keys"),
        (lambda url: "not-a-jwt", "not a JWT"),
    ],
)
def test_bad_assertions(
    provider: Provider, make: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = _token_request(provider, _assertion_form(make(provider.url + "/oauth2/token")))
    assert answer.status_code == 401, answer.text
    # One answer for every failed client authentication; the reason is in the log only.
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "client authentication failed",
    }
    assert reason in caplog.text


def test_assertion_replay_is_refused_even_after_a_restart(engine: Engine, dataset: Dataset) -> None:
    cfg = _config(dataset)
    with running(engine, cfg, dataset=dataset, deliver=False) as first:
        assertion = JWT_KEYS.assertion("jwt", first.url + "/oauth2/token", jti="once")
        used = _token_request(first, _assertion_form(assertion))
        again = _token_request(first, _assertion_form(assertion))
    assert used.status_code == 200 and again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # A new provider on the same database: the jti is still known.
    with running(engine, cfg, deliver=False) as second:
        replay = JWT_KEYS.assertion("jwt", second.url + "/oauth2/token", jti="once")
        answer = _token_request(second, _assertion_form(replay))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_jwks_uri_is_fetched_again_after_key_rotation(
    sqlite_engine: Engine, dataset: Dataset
) -> None:
    keys = {"current": Keys()}

    def publisher(_url: str) -> FastAPI:
        app = FastAPI()

        async def jwks() -> Response:
            return Response(orjson.dumps(keys["current"].jwks()), media_type="application/json")

        app.add_api_route("/jwks.json", jwks, methods=["GET"])
        return app

    published = serve_app(publisher)
    try:
        cfg = _config(dataset, published.url + "/jwks.json")
        with running(sqlite_engine, cfg, deliver=False) as provider:
            audience = provider.url + "/oauth2/token"
            first = _token_request(
                provider, _assertion_form(keys["current"].assertion("rotating", audience))
            )
            keys["current"] = Keys()
            rotated = _token_request(
                provider, _assertion_form(keys["current"].assertion("rotating", audience))
            )
    finally:
        published.stop()
    assert first.status_code == 200, first.text
    assert rotated.status_code == 200, rotated.text


# -- the resource server -----------------------------------------------------------------


def test_missing_or_bad_token_is_401_without_body(provider: Provider, dataset: Dataset) -> None:
    params = {"orgMasterId": dataset.schools[0].key}
    url = provider.url + "/association-api/v1/groups/school"
    missing = httpx.get(url, params=params)
    bad = httpx.get(url, params=params, headers={"Authorization": "Bearer nonsense"})
    basic = httpx.get(url, params=params, auth=("full", SECRET))
    for answer in (missing, bad, basic):
        assert answer.status_code == 401
        assert answer.content == b""
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.headers["API-Version"]
    assert "invalid_token" in bad.headers["WWW-Authenticate"]


def test_expired_token_is_401(provider: Provider, dataset: Dataset) -> None:
    with provider.engine.connect() as conn:
        secret = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == "token-key")
        ).scalar_one()
    now = int(time.time())
    claims = {
        "sub": "full",
        "aud": "eduv-reference-provider",
        "scope": "eduv.association",
        "exp": now - 10,
    }
    token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(bytes.fromhex(secret)))
    with provider.http(token) as http:
        answer = http.get(
            "/association-api/v1/groups/school", params={"orgMasterId": dataset.schools[0].key}
        )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("client_id", "path"),
    [
        ("education-only", "/association-api/v1/groups/school"),
        ("no-basic", "/students-api/v1/students/school"),
    ],
)
def test_missing_scope_is_403_status_21(
    provider: Provider, dataset: Dataset, client_id: str, path: str
) -> None:
    with provider.http(provider.token(client_id)) as http:
        answer = http.get(path, params={"orgMasterId": dataset.schools[0].key})
    assert answer.status_code == 403
    assert answer.json()["status"] == 21


def test_fields_follow_the_scopes(provider: Provider, dataset: Dataset) -> None:
    params = {"orgMasterId": dataset.schools[0].key}
    url = "/students-api/v1/students/school"
    with provider.http(provider.token("basic-only")) as http:
        basic = http.get(url, params=params).json()
    with provider.http(provider.token("demographics")) as http:
        demographic = http.get(url, params=params).json()
    assert basic and all("dateOfBirth" not in s and "gender" not in s for s in basic)
    assert all("givenName" in s and "familyName" in s for s in basic)
    assert any("dateOfBirth" in s for s in demographic)
    assert len(basic) == len(demographic)


def test_consent_per_school_and_api(provider: Provider, dataset: Dataset) -> None:
    first, second = dataset.schools[0].key, dataset.schools[1].key
    groups = "/association-api/v1/groups/school"
    with provider.http(provider.token("one-school")) as http:
        allowed = http.get(groups, params={"orgMasterId": first})
        refused = http.get(groups, params={"orgMasterId": second})
        organisations = http.get("/education-api/v1/organisations", params={"orgMasterId": second})
    with provider.http(provider.token("association-consent")) as http:
        association = http.get(groups, params={"orgMasterId": second})
        students = http.get("/students-api/v1/students/school", params={"orgMasterId": second})
    assert allowed.status_code == 200
    assert refused.status_code == 403 and refused.json()["status"] == 22
    assert organisations.status_code == 403 and organisations.json()["status"] == 22
    assert association.status_code == 200
    assert students.status_code == 403 and students.json()["status"] == 22
