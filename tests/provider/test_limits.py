"""Request body limits and the token endpoint's rate limit."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from eduv.dataset.model import Dataset
from eduv.provider.limits import TOKEN_BODY_LIMIT, RateLimiter
from tests.provider.harness import SECRET, Provider, client, config, running

SMALL_LIMIT = 4096


@pytest.fixture
def provider(sqlite_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    cfg = config(
        [client("full")], limits={"maxBodyBytes": SMALL_LIMIT, "tokenRequestsPerMinute": 5}
    )
    with running(sqlite_engine, cfg, dataset=dataset, deliver=False) as found:
        yield found


def _chunked_post(url: str, path: str, total: int, chunk: int = 16384) -> bytes:
    """POST ``total`` bytes without a Content-Length, as a client streaming a body does,
    and return the head of the answer. The server may answer (and stop reading) early."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        )
        sock.sendall(head.encode())
        sent = 0
        try:
            while sent < total:
                sock.sendall(f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n")
                sent += chunk
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: what a limit should do
        answer = b""
        while b"\r\n\r\n" not in answer:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
        return answer


def test_token_endpoint_refuses_large_bodies_before_reading_them(provider: Provider) -> None:
    declared = httpx.post(
        provider.url + "/oauth2/token",
        content=b"grant_type=client_credentials&x=" + b"a" * (TOKEN_BODY_LIMIT + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=("full", SECRET),
    )
    assert declared.status_code == 413
    assert str(TOKEN_BODY_LIMIT) in declared.json()["statusMessage"]
    # A streamed body of 64 MiB is cut off once it passes the limit, not read to the end.
    streamed = _chunked_post(provider.url, "/oauth2/token", 64 * 1024 * 1024)
    assert streamed.startswith(b"HTTP/1.1 413"), streamed[:200]


def test_other_endpoints_take_the_configured_limit(provider: Provider, dataset: Dataset) -> None:
    school = dataset.schools[0].key
    with provider.http(provider.token()) as http:
        small = http.post(
            "/students-api/v1/students",
            params={"orgMasterId": school},
            json={"student": {"userMasterIdentifier": "x"}},
        )
        large = http.post(
            "/students-api/v1/students",
            params={"orgMasterId": school},
            json={"student": {"userMasterIdentifier": "x" * SMALL_LIMIT}},
        )
    assert small.status_code in (400, 404)  # answered on its merits
    assert large.status_code == 413 and large.json()["status"] == 99
    # A body a little over the limit is read and dropped before the refusal: a
    # connection closed with unread bytes in it is reset, and the reset can overtake
    # the answer. Many tries, because a reset is a race.
    over = b"x" * (SMALL_LIMIT * 64)
    for _ in range(40):
        again = httpx.post(provider.url + "/students-api/v1/students", content=over)
        assert again.status_code == 413
    streamed = _chunked_post(provider.url, "/provisioning/changes", 1024 * 1024)
    assert streamed.startswith(b"HTTP/1.1 413"), streamed[:200]


def test_malformed_content_length_is_400(provider: Provider) -> None:
    host, port = provider.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")


def test_token_requests_are_rate_limited(provider: Provider) -> None:
    form = {"grant_type": "client_credentials"}
    answers = [
        httpx.post(provider.url + "/oauth2/token", data=form, auth=("full", SECRET))
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    # Another client from the same address has a bucket of its own.
    other = httpx.post(provider.url + "/oauth2/token", data=form, auth=("other", SECRET))
    assert other.status_code == 401


def test_rate_limiter_refills_and_can_be_switched_off() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    key = ("127.0.0.1", "c")
    assert all(limiter.retry_after(key) == 0 for _ in range(60))
    assert limiter.retry_after(key) == 1
    now[0] += 1.0  # one request's worth at 60 per minute
    assert limiter.retry_after(key) == 0
    assert limiter.retry_after(key) == 1
    off = RateLimiter(0)
    assert all(off.retry_after(key) == 0 for _ in range(1000))
