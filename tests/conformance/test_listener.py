"""The callback listener: tokens, authentication, recording and waiting, over real HTTP."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from eduv.conformance.chain.listener import MAX_BODY, Listener, Received


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener(secret="s3cret") as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def token(http: httpx.Client, listener: Listener) -> str:
    answer = http.post(
        listener.token_url,
        data={"grant_type": "client_credentials"},
        auth=(listener.client_id, listener.secret),
    )
    assert answer.status_code == 200, answer.text
    value = answer.json()["access_token"]
    assert isinstance(value, str)
    return value


def put(http: httpx.Client, listener: Listener, path: str, bearer: str | None) -> httpx.Response:
    headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
    return http.put(listener.url + path, json={"orderId": "o-1"}, headers=headers)


# -- addresses ---------------------------------------------------------------------------


def test_url_is_the_bound_loopback_address(listener: Listener) -> None:
    assert listener.url.startswith("http://127.0.0.1:")
    port = int(listener.url.rsplit(":", 1)[1])
    assert port > 0
    assert listener.token_url == listener.url + "/oauth2/token"


def test_public_url_is_what_url_answers() -> None:
    with Listener(public_url="https://tunnel.example/edu-v/") as running:
        assert running.url == "https://tunnel.example/edu-v"
        assert running.token_url == "https://tunnel.example/edu-v/oauth2/token"


def test_url_before_start_without_public_url_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        _ = Listener().url


def test_a_random_secret_when_none_is_given() -> None:
    one, two = Listener(), Listener()
    assert len(one.secret) >= 32
    assert one.secret != two.secret
    assert one.client_id == "eduv-conformance"


def test_stop_closes_the_port() -> None:
    running = Listener()
    running.start()
    url = running.url
    running.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)


# -- the token endpoint ------------------------------------------------------------------


def test_token_through_basic(listener: Listener, client: httpx.Client) -> None:
    answer = client.post(
        listener.token_url,
        data={"grant_type": "client_credentials"},
        auth=("eduv-conformance", "s3cret"),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert len(body["access_token"]) >= 32
    assert answer.headers["cache-control"] == "no-store"
    assert listener.token_requests == 1
    # Token requests are not calls to record.
    assert listener.count == 0


def test_token_through_the_form(listener: Listener, client: httpx.Client) -> None:
    answer = client.post(
        listener.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "eduv-conformance",
            "client_secret": "s3cret",
        },
    )
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"
    # Every token is a new one.
    assert answer.json()["access_token"] != token(client, listener)
    assert listener.token_requests == 2


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        (("eduv-conformance", "wrong"), {}),
        (("someone-else", "s3cret"), {}),
        (None, {"client_id": "eduv-conformance", "client_secret": "wrong"}),
        (None, {"client_id": "eduv-conformance"}),
        (None, {}),
    ],
)
def test_wrong_client_is_401(
    listener: Listener,
    client: httpx.Client,
    auth: tuple[str, str] | None,
    form: dict[str, str],
) -> None:
    answer = client.post(
        listener.token_url, data={"grant_type": "client_credentials", **form}, auth=auth
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    assert answer.headers["www-authenticate"] == 'Basic realm="eduv-conformance"'
    assert answer.headers["cache-control"] == "no-store"
    assert listener.token_requests == 1


def test_wrong_grant_type_is_400(listener: Listener, client: httpx.Client) -> None:
    answer = client.post(
        listener.token_url, data={"grant_type": "password"}, auth=("eduv-conformance", "s3cret")
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": "unsupported_grant_type"}


def test_not_a_form_is_400(listener: Listener, client: httpx.Client) -> None:
    answer = client.post(
        listener.token_url,
        json={"grant_type": "client_credentials"},
        auth=("eduv-conformance", "s3cret"),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_two_ways_of_authenticating_at_once_is_400(
    listener: Listener, client: httpx.Client
) -> None:
    answer = client.post(
        listener.token_url,
        data={"grant_type": "client_credentials", "client_id": "eduv-conformance"},
        auth=("eduv-conformance", "s3cret"),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


# -- callbacks ---------------------------------------------------------------------------


def test_a_put_with_a_valid_token_is_accepted_and_recorded(
    listener: Listener, client: httpx.Client
) -> None:
    bearer = token(client, listener)
    before = time.monotonic()
    answer = client.put(
        listener.url + "/edu-v/orders/o-1/confirmation?attempt=1",
        json={"orderId": "o-1", "status": "accepted"},
        headers={"Authorization": f"Bearer {bearer}", "X-Trace": "abc"},
    )
    assert answer.status_code == 202
    assert answer.content == b""
    [call] = listener.received()
    assert call.method == "PUT"
    assert call.path == "/edu-v/orders/o-1/confirmation"
    assert call.query == "attempt=1"
    assert call.authenticated is True
    assert call.status == 202
    assert call.too_large is False
    assert call.json == {"orderId": "o-1", "status": "accepted"}
    assert call.body == b'{"orderId":"o-1","status":"accepted"}'
    assert call.headers["authorization"] == "Bearer <redacted>"
    assert call.headers["x-trace"] == "abc"
    assert bearer not in repr(call)
    assert before <= call.at <= time.monotonic()
    moment = dt.datetime.strptime(call.received, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert call.received[-5] == "." and call.received.endswith("Z")
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 10
    with pytest.raises(AttributeError):
        call.status = 500  # type: ignore[misc]


def test_a_put_without_token_is_401_and_recorded(listener: Listener, client: httpx.Client) -> None:
    answer = put(client, listener, "/confirmations/1", None)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="eduv-conformance"'
    [call] = listener.received()
    assert call.authenticated is False
    assert call.status == 401
    assert call.json == {"orderId": "o-1"}
    assert "authorization" not in call.headers


def test_an_unknown_token_is_401(listener: Listener, client: httpx.Client) -> None:
    answer = put(client, listener, "/confirmations/1", "made-up")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith('Bearer realm="eduv-conformance"')
    [call] = listener.received()
    assert (call.authenticated, call.status) == (False, 401)
    assert call.headers["authorization"] == "Bearer <redacted>"


def test_another_scheme_is_401_and_redacted(listener: Listener, client: httpx.Client) -> None:
    answer = client.put(listener.url + "/x", auth=("eduv-conformance", "s3cret"))
    assert answer.status_code == 401
    [call] = listener.received()
    assert call.headers["authorization"] == "Basic <redacted>"
    assert "s3cret" not in repr(call)


def test_an_expired_token_is_401(client: httpx.Client) -> None:
    with Listener(token_lifetime=0) as running:
        bearer = token(client, running)
        answer = put(client, running, "/confirmations/1", bearer)
        assert answer.status_code == 401
        assert running.received()[0].authenticated is False


def test_a_token_expires_after_its_lifetime(client: httpx.Client) -> None:
    with Listener(token_lifetime=1) as running:
        bearer = token(client, running)
        assert put(client, running, "/c", bearer).status_code == 202
        time.sleep(1.05)
        answer = put(client, running, "/c", bearer)
        assert answer.status_code == 401
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
        assert [c.authenticated for c in running.received()] == [True, False]
        # A new token works again.
        assert put(client, running, "/c", token(client, running)).status_code == 202


def test_fail_next_answers_the_planned_status_then_202(
    listener: Listener, client: httpx.Client
) -> None:
    bearer = token(client, listener)
    listener.fail_next(2, 503)
    statuses = [put(client, listener, "/c", bearer).status_code for _ in range(3)]
    assert statuses == [503, 503, 202]
    assert [c.status for c in listener.received()] == [503, 503, 202]
    assert all(c.authenticated for c in listener.received())


def test_unauthenticated_calls_do_not_use_up_planned_failures(
    listener: Listener, client: httpx.Client
) -> None:
    bearer = token(client, listener)
    listener.fail_next(1, 500)
    assert put(client, listener, "/c", None).status_code == 401
    assert put(client, listener, "/c", bearer).status_code == 500
    assert put(client, listener, "/c", bearer).status_code == 202


def test_fail_next_refuses_nonsense(listener: Listener) -> None:
    with pytest.raises(ValueError):
        listener.fail_next(-1)
    with pytest.raises(ValueError):
        listener.fail_next(1, 99)


def test_a_body_too_large_is_413_and_recorded(listener: Listener, client: httpx.Client) -> None:
    bearer = token(client, listener)
    answer = client.put(
        listener.url + "/big",
        content=b"[" + b"1," * (MAX_BODY // 2) + b"1]",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    [call] = listener.received()
    assert call.too_large is True
    assert call.json is None
    assert call.body == b""
    assert call.status == 413
    # A body of exactly the limit is still read.
    exact = b'"' + b"x" * (MAX_BODY - 2) + b'"'
    answer = client.put(
        listener.url + "/big", content=exact, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert answer.status_code == 202
    assert listener.received()[1].too_large is False
    assert listener.received()[1].json == "x" * (MAX_BODY - 2)


def test_a_body_that_is_not_json_is_kept_as_bytes(listener: Listener, client: httpx.Client) -> None:
    bearer = token(client, listener)
    client.post(
        listener.url + "/p", content=b"not json", headers={"Authorization": f"Bearer {bearer}"}
    )
    [call] = listener.received()
    assert (call.method, call.body, call.json, call.status) == ("POST", b"not json", None, 202)


def test_received_filters_on_the_end_of_the_path(listener: Listener, client: httpx.Client) -> None:
    put(client, listener, "/orders/1/confirmation", None)
    put(client, listener, "/cancellations/2/confirmation", None)
    put(client, listener, "/orders/3", None)
    assert [c.path for c in listener.received("/confirmation")] == [
        "/orders/1/confirmation",
        "/cancellations/2/confirmation",
    ]
    assert len(listener.received()) == 3
    assert listener.received("/nothing") == []


# -- waiting -----------------------------------------------------------------------------


def test_wait_for_returns_a_call_made_later_from_another_thread(
    listener: Listener, client: httpx.Client
) -> None:
    bearer = token(client, listener)

    def later() -> None:
        time.sleep(0.2)
        with httpx.Client(timeout=10) as other:
            put(other, listener, "/orders/7/confirmation", bearer)

    thread = threading.Thread(target=later)
    started = time.monotonic()
    thread.start()
    found = listener.wait_for(lambda c: c.path.endswith("/confirmation"), timeout=10)
    waited = time.monotonic() - started
    thread.join()
    assert found is not None
    assert found.path == "/orders/7/confirmation"
    assert found.authenticated is True
    assert 0.15 <= waited < 5


def test_wait_for_returns_none_on_timeout(listener: Listener, client: httpx.Client) -> None:
    put(client, listener, "/orders/1", None)
    started = time.monotonic()
    found = listener.wait_for(lambda c: c.path == "/never", timeout=0.3)
    waited = time.monotonic() - started
    assert found is None
    assert 0.25 <= waited < 3


def test_wait_for_after_ignores_earlier_calls(listener: Listener, client: httpx.Client) -> None:
    put(client, listener, "/orders/1/confirmation", None)
    mark = listener.count
    assert mark == 1

    def is_confirmation(call: Received) -> bool:
        return call.path.endswith("/confirmation")

    assert listener.wait_for(is_confirmation, timeout=0.2, after=mark) is None
    assert listener.wait_for(is_confirmation, timeout=0.2) is not None
    put(client, listener, "/orders/2/confirmation", None)
    found = listener.wait_for(is_confirmation, timeout=5, after=mark)
    assert found is not None
    assert found.path == "/orders/2/confirmation"
    assert listener.count == 2


def test_a_predicate_may_read_the_listener(listener: Listener, client: httpx.Client) -> None:
    put(client, listener, "/a", None)
    found = listener.wait_for(lambda c: len(listener.received()) == 1, timeout=2)
    assert found is not None and found.path == "/a"


def test_a_fixed_host_and_port_are_bound_as_given() -> None:
    with Listener(host="localhost") as first:
        assert first.url.startswith("http://localhost:")
        port = int(first.url.rsplit(":", 1)[1])
        assert httpx.put(first.url + "/x", timeout=5).status_code == 401
    with Listener(host="127.0.0.1", port=port) as second:
        assert second.url == f"http://127.0.0.1:{port}"
        answer = httpx.put(second.url + "/x", timeout=5)
        assert answer.status_code == 401
        assert second.received()[0].path == "/x"
