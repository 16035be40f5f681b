"""The notification receiver: auth, validation, per-notification status, typed hand-over."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest

from eduv import keys
from eduv.client import AsyncClient, BearerToken
from eduv.notifications import JwtVerifier, NotificationReceiver, Reject, Sender, StaticTokens
from tests.sdk.mock_provider import example

# 0.0.2 still used the scope names without the eduv. prefix.
TOKENS = StaticTokens(
    {"good": {"eduv.association"}, "narrow": {"eduv.unrelated"}, "old": {"school"}}
)


def _notification(**changes: Any) -> dict[str, Any]:
    found: dict[str, Any] = example("notifications-api", "0.9.1", "Notification")
    found.update(changes)
    return found


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def __call__(self, notification: Any) -> None:
        if notification.objectId == "refuse":
            raise Reject(22, "no consent for this school")
        if notification.objectId == "crash":
            raise RuntimeError("bug in user code")
        self.seen.append(notification)


def _post(
    app: Any, path: str, body: Any, token: str | None = "good", **headers: str
) -> httpx.Response:
    async def main() -> httpx.Response:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://consumer.test") as http:
            return await http.post(path, json=body, headers=headers)

    return asyncio.run(main())


def test_one_notification_is_handed_over_typed() -> None:
    recorder = Recorder()
    app = NotificationReceiver(recorder, verifier=TOKENS)
    note = _notification()
    response = _post(app, "/notification", note)
    assert response.status_code == 200
    assert response.json() == {"id": note["id"], "status": 0}
    assert response.headers["API-Version"] == "0.9.1"
    seen = recorder.seen[0]
    assert type(seen).__module__ == "eduv.models.notifications_api.v0_9_1"
    assert seen.id == note["id"]


def test_a_batch_gets_a_status_per_notification_and_is_handled_in_time_order() -> None:
    recorder = Recorder()
    app = NotificationReceiver(recorder, verifier=TOKENS)
    later = _notification(id="0c7b0f9e-4d53-4c35-9f8e-8a2f1a2b3c4d", created="2024-09-02T10:00:00Z")
    earlier = _notification(
        id="5a1e2f3b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", created="2024-09-01T10:00:00Z"
    )
    broken = _notification(id="not-a-uuid", notificationType="sometimes")
    refused = _notification(id="7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", objectId="refuse")
    crash = _notification(id="1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", objectId="crash")
    response = _post(app, "/v1/notifications", [later, broken, earlier, refused, crash])
    assert response.status_code == 200
    statuses = [(a["id"], a["status"]) for a in response.json()]
    assert statuses == [
        (later["id"], 0),
        ("not-a-uuid", 11),
        (earlier["id"], 0),
        (refused["id"], 22),
        (crash["id"], 99),
    ]
    assert "/notificationType" in response.json()[1]["statusMessage"]
    assert [n.id for n in recorder.seen] == [earlier["id"], later["id"]]


def test_notifications_are_ordered_by_instant_not_by_text() -> None:
    recorder = Recorder()
    app = NotificationReceiver(recorder, verifier=TOKENS)
    # 13:00+02:00 is 11:00 UTC: before 12:30Z, although its text sorts after it
    first = _notification(
        id="0c7b0f9e-4d53-4c35-9f8e-8a2f1a2b3c4d", created="2024-09-02T13:00:00+02:00"
    )
    second = _notification(
        id="5a1e2f3b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", created="2024-09-02T12:30:00Z"
    )
    response = _post(app, "/notifications", [second, first])
    assert [a["status"] for a in response.json()] == [0, 0]
    assert [n.id for n in recorder.seen] == [first["id"], second["id"]]
    assert recorder.seen[0].created < recorder.seen[1].created  # typed instants


def test_one_school_per_batch() -> None:
    other = {"organisationMasterIdentifier": "999Z999"}
    first = _notification(school={"organisationMasterIdentifier": "104A158"})
    second = _notification(id="5a1e2f3b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", school=other)
    response = _post(
        NotificationReceiver(Recorder(), verifier=TOKENS), "/notifications", [first, second]
    )
    assert [a["status"] for a in response.json()] == [0, 11]


def test_tokens_and_scopes_are_checked() -> None:
    recorder = Recorder()
    app = NotificationReceiver(recorder, verifier=TOKENS)
    missing = _post(app, "/notification", _notification(), token=None)
    assert missing.status_code == 401 and missing.content == b""
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert _post(app, "/notification", _notification(), token="forged").status_code == 401
    narrow = _post(app, "/notifications", [_notification()], token="narrow")
    assert narrow.status_code == 403 and narrow.json() == [
        {"id": "", "status": 21, "statusMessage": "scope required"}
    ]
    assert recorder.seen == []


def test_bad_requests_are_answered_in_edu_v_terms() -> None:
    app = NotificationReceiver(Recorder(), verifier=TOKENS)
    invalid = _post(app, "/notification", _notification(created="yesterday"))
    assert invalid.status_code == 400 and invalid.json()["status"] == 11
    not_a_list = _post(app, "/notifications", _notification())
    assert not_a_list.status_code == 400 and not_a_list.json()[0]["status"] == 11
    old = _post(app, "/notification", _notification(), **{"API-Version": "0.1.0"})
    assert old.status_code == 400 and old.json()["status"] == 12
    assert _post(app, "/elsewhere", {}).status_code == 404

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://c.test"
        ) as http:
            return await http.get("/notification")

    assert asyncio.run(get()).status_code == 405


def test_the_previous_version_is_served_on_request() -> None:
    recorder = Recorder()
    app = NotificationReceiver(recorder, verifier=TOKENS)
    old = example("notifications-api", "0.0.2", "Notification")
    response = _post(app, "/notification", old, token="old", **{"API-Version": "0.0.2"})
    assert response.status_code == 200 and response.headers["API-Version"] == "0.0.2"
    assert type(recorder.seen[0]).__module__ == "eduv.models.notifications_api.v0_0_2"


def test_mounted_in_fastapi_and_called_by_the_eduv_client() -> None:
    fastapi = pytest.importorskip("fastapi")
    recorder = Recorder()
    web = fastapi.FastAPI()
    web.mount("/edu-v", NotificationReceiver(recorder, verifier=TOKENS))

    async def main() -> Any:
        async with AsyncClient(
            base_urls={"notifications": "http://consumer.test/edu-v"},
            auth=BearerToken("good"),
            transport=httpx.ASGITransport(app=web),
            version_check="error",
        ) as client:
            return await client.notifications().post_notification(body=_notification())

    answer = asyncio.run(main())
    assert answer.status == 0 and len(recorder.seen) == 1


def test_jwt_access_tokens_are_verified_with_the_jwks() -> None:
    server_key = keys.generate("ES256")
    verifier = JwtVerifier(server_key.jwks(), issuer="https://auth.test", audience="consumer")
    now = int(time.time())
    claims = {
        "iss": "https://auth.test",
        "aud": "consumer",
        "sub": "source-1",
        "exp": now + 300,
        "iat": now,
        "scope": "eduv.association eduv.education",
    }
    token = jwt.encode(
        claims, server_key.private_pem(), algorithm="ES256", headers={"kid": server_key.kid}
    )
    assert verifier(token) == Sender("source-1", frozenset({"eduv.association", "eduv.education"}))
    expired = jwt.encode(
        {**claims, "exp": now - 3600},
        server_key.private_pem(),
        algorithm="ES256",
        headers={"kid": server_key.kid},
    )
    assert verifier(expired) is None
    wrong_audience = jwt.encode(
        {**claims, "aud": "someone-else"},
        server_key.private_pem(),
        algorithm="ES256",
        headers={"kid": server_key.kid},
    )
    assert verifier(wrong_audience) is None
    stranger = keys.generate("ES256", kid=server_key.kid)
    forged = jwt.encode(
        claims, stranger.private_pem(), algorithm="ES256", headers={"kid": server_key.kid}
    )
    assert verifier(forged) is None
