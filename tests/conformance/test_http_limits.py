"""The suite is bounded and safe against any endpoint."""

from __future__ import annotations

import pytest

from eduv.conformance.config import Limits
from eduv.conformance.http import BudgetExceededError, SafeHttp
from eduv.conformance.mask import Masker


def app_with(routes):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        status, headers, body = routes[scope["path"]]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.fixture
def target(served):  # type: ignore[no-untyped-def]
    routes = {
        "/ok": (200, [], b"{}"),
        "/big": (200, [], b"x" * 5000),
        "/away": (302, [(b"location", b"https://elsewhere.example/steal")], b""),
        "/here": (302, [(b"location", b"/ok")], b""),
    }
    return served(app_with(routes)).url


def test_the_request_budget_is_never_exceeded(target: str) -> None:
    http = SafeHttp(Limits(max_requests=2), Masker())
    http.request("GET", target + "/ok")
    http.request("GET", target + "/ok")
    with pytest.raises(BudgetExceededError):
        http.request("GET", target + "/ok")
    assert http.count == 2


def test_answers_above_the_size_limit_are_cut_and_reported(target: str) -> None:
    http = SafeHttp(Limits(max_response_bytes=1000), Masker())
    answer = http.request("GET", target + "/big")
    assert len(answer.content) <= 1000
    assert answer.error is not None and "larger than" in answer.error


def test_redirects_are_followed_only_to_the_same_origin(target: str) -> None:
    http = SafeHttp(Limits(), Masker())
    assert http.request("GET", target + "/here").status == 200
    away = http.request("GET", target + "/away")
    assert away.status == 302  # reported as it is, not followed
    assert http.count == 3


def test_tls_verification_is_on_unless_switched_off() -> None:
    assert Limits().verify_tls is True
