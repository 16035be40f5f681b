"""The requester's side of the chain's writing flows: an endpoint that takes confirmations.

In the learning-materials chain a request (an order, a cancellation, ...) is answered twice:
at once with 202, and later by the component itself, which PUTs a confirmation to an
endpoint of the requester, with an access token it got from the requester's token endpoint
(client-credentials grant). A suite that plays the requester therefore needs both of those
endpoints while it runs. :class:`Listener` serves them on loopback (or on an address the
tester exposes to a remote component through a tunnel or a reverse proxy), issues and
checks the tokens, and records every call that comes in, also the ones it refuses, so that
the checks can judge when a confirmation came, what it said, whether it was authenticated
and which request it belongs to. The suite waits for a call with :meth:`Listener.wait_for`;
:meth:`Listener.fail_next` answers a few calls with an error to see that the component
tries again.

Nothing secret is kept: the recorded ``authorization`` header says only which scheme was
used, so that the records can go into a report as they are.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import secrets
import socket
import threading
import time
import types
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import orjson

TOKEN_PATH = "/oauth2/token"
MAX_BODY = 4 * 1024 * 1024
REALM = "eduv-conformance"
# A planned status must be one a client can act on; 1xx would not end the exchange.
_STATUSES = range(200, 600)

_Message = MutableMapping[str, Any]
_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]
_Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Received:
    """One call that reached the listener, other than a token request, as it came in.

    ``body`` is empty and ``json`` None when the body was larger than :data:`MAX_BODY`
    (``too_large``); ``status`` is what the listener answered.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    json: Any
    at: float
    received: str
    authenticated: bool
    status: int
    too_large: bool = False


class Listener:
    """A token endpoint and a recording callback endpoint, served in a background thread.

    ``public_url`` is the address under which a remote component reaches the listener
    (when it is not the address the listener binds); without it :attr:`url` is the bound
    address. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        client_id: str = "eduv-conformance",
        secret: str | None = None,
        token_lifetime: int = 300,
    ) -> None:
        if token_lifetime < 0:
            raise ValueError(f"token_lifetime must not be negative, not {token_lifetime}")
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise ValueError(f"public_url must be an http(s) URL, not {public_url!r}")
        self._host = host
        self._port = port
        self._public_url = None if public_url is None else public_url.rstrip("/")
        self._client_id = client_id
        self._secret = secrets.token_urlsafe(24) if secret is None else secret
        self._lifetime = token_lifetime
        # A reentrant lock, so that a predicate given to wait_for may read the listener.
        self._changed = threading.Condition(threading.RLock())
        self._calls: list[Received] = []
        # Issued tokens and when they expire, on the monotonic clock.
        self._tokens: dict[str, float] = {}
        self._token_requests = 0
        self._fail_count = 0
        self._fail_status = 503
        self._url: str | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The listener's base address, without a trailing slash."""
        if self._public_url is not None:
            return self._public_url
        if self._url is None:
            raise RuntimeError("the listener has no address before it is started")
        return self._url

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def secret(self) -> str:
        return self._secret

    # -- running -------------------------------------------------------------------------

    def start(self) -> None:
        import uvicorn

        from eduv.provider.embedded import loopback_socket, serve_in_thread

        if self._server is not None:
            raise RuntimeError("the listener is already running")
        if self._host == "127.0.0.1" and self._port == 0:
            sock = loopback_socket()
        else:
            sock = _bound_socket(self._host, self._port)
        bound = sock.getsockname()[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        # Named, since uvicorn's guess takes a bound method for an ASGI 2 application.
        config = uvicorn.Config(self._app, log_level="warning", lifespan="off", interface="asgi3")
        try:
            self._server, self._thread = serve_in_thread(config, sock, "the callback listener")
        except BaseException:
            sock.close()
            raise
        self._socket = sock
        self._url = f"http://{host}:{bound}"

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None

    def __enter__(self) -> Listener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the suite asks -------------------------------------------------------------

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` authenticated calls with ``status`` instead of 202.

        Replaces any failures still planned; the calls are recorded as usual.
        """
        if count < 0:
            raise ValueError(f"count must not be negative, not {count}")
        if status not in _STATUSES:
            raise ValueError(f"status must be between 200 and 599, not {status}")
        with self._changed:
            self._fail_count, self._fail_status = count, status

    @property
    def token_requests(self) -> int:
        """How many requests reached the token endpoint, granted or not."""
        with self._changed:
            return self._token_requests

    @property
    def count(self) -> int:
        """How many calls were recorded so far: pass it as ``after`` to wait for a later one."""
        with self._changed:
            return len(self._calls)

    def received(self, path: str | None = None) -> list[Received]:
        """Every call recorded so far, or those whose path ends with ``path``."""
        with self._changed:
            return [c for c in self._calls if path is None or c.path.endswith(path)]

    def wait_for(
        self, predicate: Callable[[Received], bool], timeout: float, *, after: int = 0
    ) -> Received | None:
        """The first recorded call from index ``after`` on that satisfies ``predicate``,
        waiting up to ``timeout`` seconds for it to come in; None when none did."""
        deadline = time.monotonic() + timeout
        index = max(after, 0)
        with self._changed:
            while True:
                while index < len(self._calls):
                    call = self._calls[index]
                    index += 1
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    # -- the server ----------------------------------------------------------------------

    async def _app(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            return
        # Taken when the head arrives: a large body must not make a call look later.
        at, moment = time.monotonic(), _now()
        method = str(scope["method"])
        path = str(scope["path"])
        headers = _headers(scope)
        body, too_large = await _read_body(receive)
        if method == "POST" and path == TOKEN_PATH:
            status, answer, extra_headers = self._token(headers, body, too_large)
            await _send(send, status, orjson.dumps(answer), [*extra_headers, *_TOKEN_HEADERS])
            return
        authorization = headers.get("authorization")
        presented, authenticated = self._authenticate(authorization)
        for name in _CREDENTIALS:
            if name in headers:
                headers[name] = _redacted(headers[name])
        parsed = _parsed(body)
        extra: _Headers = []
        with self._changed:
            if not authenticated:
                status = 401
                challenge = f'Bearer realm="{REALM}"'
                if presented:
                    challenge += ', error="invalid_token"'
                extra.append((b"www-authenticate", challenge.encode()))
            elif too_large:
                status = 413
            elif self._fail_count > 0:
                self._fail_count -= 1
                status = self._fail_status
            else:
                status = 202
            # Recorded before the answer goes out: once a sender has its answer, the call
            # is there for the suite to find.
            self._calls.append(
                Received(
                    method=method,
                    path=path,
                    query=scope.get("query_string", b"").decode("latin-1"),
                    headers=types.MappingProxyType(headers),
                    body=body,
                    json=parsed,
                    at=at,
                    received=moment,
                    authenticated=authenticated,
                    status=status,
                    too_large=too_large,
                )
            )
            self._changed.notify_all()
        await _send(send, status, b"", extra)

    def _token(
        self, headers: Mapping[str, str], body: bytes, too_large: bool
    ) -> tuple[int, dict[str, Any], _Headers]:
        """The token endpoint's answer (RFC 6749, section 4.4)."""
        with self._changed:
            self._token_requests += 1
        if too_large:
            return 413, {"error": "invalid_request"}, []
        form = _form(headers, body)
        if form is None:
            return 400, {"error": "invalid_request", "error_description": "not a form"}, []
        basic = _basic(headers.get("authorization"))
        in_form = "client_id" in form or "client_secret" in form
        if basic is not None and in_form:
            # RFC 6749 2.3: a client uses one way of authenticating per request.
            return 400, {"error": "invalid_request", "error_description": "two credentials"}, []
        client = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
        if not self._is_client(*client):
            challenge = (b"www-authenticate", f'Basic realm="{REALM}"'.encode())
            return 401, {"error": "invalid_client"}, [challenge]
        grant = form.get("grant_type")
        if grant is None:
            return 400, {"error": "invalid_request", "error_description": "no grant_type"}, []
        if grant != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, []
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._changed:
            # Expired tokens are dropped here, so that a long run keeps only the live ones.
            self._tokens = {t: until for t, until in self._tokens.items() if until > now}
            self._tokens[token] = now + self._lifetime
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": self._lifetime}
        return 200, answer, []

    def _is_client(self, client_id: str | None, secret: str | None) -> bool:
        if client_id is None or secret is None:
            return False
        # Both compared every time, so that the time taken tells nothing about either.
        same_id = hmac.compare_digest(client_id.encode(), self._client_id.encode())
        same_secret = hmac.compare_digest(secret.encode(), self._secret.encode())
        return same_id & same_secret

    def _authenticate(self, authorization: str | None) -> tuple[bool, bool]:
        """Whether a bearer token was presented, and whether it is a live one issued here."""
        if authorization is None:
            return False, False
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False, False
        with self._changed:
            until = self._tokens.get(token)
        return True, until is not None and time.monotonic() < until


# Headers that carry credentials: what they hold is never kept, only the scheme.
_CREDENTIALS = ("authorization", "proxy-authorization")
# RFC 6749 5.1: token answers, errors included, must not be cached.
_TOKEN_HEADERS: _Headers = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
]


def _bound_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As in loopback_socket: answers go out in two writes, which must not wait for a
        # delayed acknowledgement. SO_REUSEADDR lets a fixed port be taken again at once
        # by the next run, while the last one's connections linger in TIME_WAIT.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _headers(scope: _Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found


async def _read_body(receive: _Receive) -> tuple[bytes, bool]:
    """The body and False, or an empty body and True when it is larger than MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        # The rest of a body too large is still read (and dropped): a sender still writing
        # when the answer comes would otherwise see a reset connection, not the 413.
        if size <= MAX_BODY:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if size > MAX_BODY:
        return b"", True
    return b"".join(chunks), False


async def _send(send: _Send, status: int, body: bytes, headers: _Headers) -> None:
    head = [(b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


def _form(headers: Mapping[str, str], body: bytes) -> dict[str, str] | None:
    """The fields of a form body, or None when it is not one (or repeats a field)."""
    kind = headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(values) != 1 for values in fields.values()):
        return None
    return {name: values[0] for name, values in fields.items()}


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """The client id and secret of HTTP Basic credentials (RFC 6749 2.3.1 form-encodes
    both before they are joined), or None when the header holds none."""
    if authorization is None:
        return None
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def _redacted(authorization: str) -> str:
    scheme, _, rest = authorization.strip().partition(" ")
    if not rest:
        return "<redacted>"
    return "Bearer <redacted>" if scheme.lower() == "bearer" else f"{scheme} <redacted>"


def _parsed(body: bytes) -> Any:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _now() -> str:
    moment = dt.datetime.now(dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
