"""Receiving Edu-V notifications as a consumer: a ready ASGI app.

A source (Bron) tells its subscribers that objects changed by posting thin
notifications (an id, the object type, a URL to fetch) to ``POST /notification`` (one)
or ``POST /notifications`` (a list, oldest first). :class:`NotificationReceiver` serves
both, under any prefix, and can be mounted in FastAPI or Starlette::

    receiver = NotificationReceiver(handle, verifier=StaticTokens({"secret": {"eduv.association"}}))
    app.mount("/edu-v", receiver)

For every request it checks the sender's bearer token through the pluggable
``verifier`` (401 with ``WWW-Authenticate`` when missing or refused, 403 with status 21
when it carries none of the operation's scopes), validates each notification against
the schema of the requested API version (``API-Version`` header, else the current
one), hands the valid ones to ``handler`` as typed models, in the order they were
created, and answers with a NotificationResponse per notification: status 0 when
handled, 11 when invalid, the status of a :class:`Reject` raised by the handler, or 99
when the handler failed otherwise.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson

from eduv import spec
from eduv.spec import Lang
from eduv.validation.engine import Target, schema_findings

API = "notifications-api"
MAX_BODY = 4 * 1024 * 1024
_LOG = logging.getLogger("eduv.notifications")

# The ASGI types as Starlette spells them, so that ``app.mount(path, receiver)`` type-checks.
Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
#: Called with each valid notification, a model of ``eduv.models.notifications_api``.
Handler = Callable[[Any], Awaitable[None] | None]


@dataclass(frozen=True)
class Sender:
    """Who sent a request, as the verifier established it."""

    subject: str
    scopes: frozenset[str]


Verifier = Callable[[str], "Sender | Awaitable[Sender | None] | None"]


class Reject(Exception):  # noqa: N818 - user code raises it to answer with a status
    """Raised by a handler to refuse one notification with an Edu-V status code."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message or f"status {status}")
        self.status = status
        self.message = message


class StaticTokens:
    """A verifier for development and tests: fixed tokens with their scopes."""

    def __init__(self, tokens: Mapping[str, Iterable[str]]) -> None:
        self._tokens = {token: frozenset(scopes) for token, scopes in tokens.items()}

    def __call__(self, token: str) -> Sender | None:
        scopes = self._tokens.get(token)
        return None if scopes is None else Sender("static", scopes)


class JwtVerifier:
    """Verifies JWT access tokens with the authorisation server's public keys (a JWKS).

    ``issuer`` and ``audience`` must match the token's ``iss`` and ``aud``; the
    ``scope`` claim (space separated) gives the scopes.
    """

    def __init__(
        self,
        jwks: Mapping[str, Any],
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str] = ("RS256", "PS256", "ES256"),
        leeway: int = 30,
    ) -> None:
        from joserfc.jwk import KeySet

        self._keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._leeway = leeway

    def __call__(self, token: str) -> Sender | None:
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwt import JWTClaimsRegistry

        try:
            decoded = jwt.decode(token, self._keys, algorithms=self._algorithms)
            claims = JWTClaimsRegistry(
                leeway=self._leeway,
                iss={"essential": True, "value": self._issuer},
                aud={"essential": True, "value": self._audience},
                exp={"essential": True},
            )
            claims.validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        scopes = frozenset(str(decoded.claims.get("scope", "")).split())
        return Sender(str(decoded.claims.get("sub", "")), scopes)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: Any = None
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _response(notification_id: str, status: int, message: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": notification_id, "status": status}
    if message:
        out["statusMessage"] = message
    return out


def _id_of(value: Any) -> str:
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


def _school_key(value: Any) -> str:
    school = value.get("school") if isinstance(value, dict) else None
    return orjson.dumps(school, option=orjson.OPT_SORT_KEYS).decode() if school else ""


class NotificationReceiver:
    """The consumer side of the Notifications API as an ASGI application."""

    def __init__(
        self,
        handler: Handler,
        *,
        verifier: Verifier,
        version: str | None = None,
        lang: Lang = "en",
    ) -> None:
        self._handler = handler
        self._verifier = verifier
        self._default = spec.resolve_version(API, version)[1]
        self._lang = lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        answer = await self._answer(scope, receive)
        await _send(send, answer)

    # -- request handling -------------------------------------------------------------

    async def _answer(self, scope: Scope, receive: Receive) -> _Answer:
        route = _route(scope)
        if route is None:
            return _Answer(404, _response("", 99, "no such endpoint"))
        if scope["method"] != "POST":
            return _Answer(405, None, ((b"allow", b"POST"),))
        many = route == "post-notifications"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        version = headers.get("api-version", self._default)
        if version not in spec.versions(API):
            message = f"API-Version {version} is not supported; use {self._default}"
            return _status_answer(many, 400, 12, message)
        op = spec.operation(API, version, route)
        sender = await self._sender(headers.get("authorization", ""))
        if sender is None:
            return _Answer(401, None, ((b"www-authenticate", b'Bearer realm="edu-v"'),))
        if op.scopes and not sender.scopes & set(op.scopes):
            return _status_answer(many, 403, 21, "scope required")
        body = await read_body(receive)
        return await self._deliver(op, body, version)

    async def _sender(self, authorization: str) -> Sender | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        found = self._verifier(token)
        if inspect.isawaitable(found):
            found = await found
        return found if isinstance(found, Sender) else None

    async def _deliver(self, op: spec.Operation, body: bytes | None, version: str) -> _Answer:
        many = op.request is not None and op.request.array
        try:
            payload = orjson.loads(body) if body is not None else None
        except orjson.JSONDecodeError as exc:
            return self._refuse_all(many, f"Schema incorrect. The body is not JSON: {exc}")
        if body is None:
            return self._refuse_all(many, "Schema incorrect. The body is larger than allowed")
        if many and not isinstance(payload, list):
            return self._refuse_all(many, "Schema incorrect. A list of notifications is expected")
        items: list[Any] = list(payload) if isinstance(payload, list) and many else [payload]
        answers = await self._handle_all(items, version)
        status = 200 if many or answers[0]["status"] == 0 else _http_status(answers[0]["status"])
        return _Answer(
            status, answers if many else answers[0], ((b"api-version", version.encode()),)
        )

    def _refuse_all(self, many: bool, message: str) -> _Answer:
        return _status_answer(many, 400, 11, message)

    async def _handle_all(self, items: list[Any], version: str) -> list[dict[str, Any]]:
        target = Target(API, version, "Notification")
        first_school = _school_key(items[0]) if items else ""
        answers: list[dict[str, Any] | None] = []
        valid: list[tuple[int, Any]] = []
        for index, item in enumerate(items):
            problem = self._problem(target, item, first_school)
            if problem is not None:
                answers.append(_response(_id_of(item), 11, problem))
                continue
            answers.append(None)
            valid.append((index, item))
        # User code sees notifications in the order they happened, whatever the sender did;
        # by instant, since 13:00+02:00 is before 12:30Z although its text sorts after it.
        valid.sort(key=lambda pair: _instant(pair[1].get("created")))
        model = _model(version)
        for index, item in valid:
            answers[index] = await self._handle(model, item)
        return [a for a in answers if a is not None]

    def _problem(self, target: Target, item: Any, first_school: str) -> str | None:
        if not target.validator.is_valid(item):
            findings = schema_findings(target, item, self._lang)
            details = "; ".join(f"{f.instance_path or '/'}: {f.message}" for f in findings[:3])
            return f"Schema incorrect. {details}"
        if _school_key(item) != first_school:
            return "Schema incorrect. One request may only carry notifications of one school"
        return None

    async def _handle(self, model: Any, item: Mapping[str, Any]) -> dict[str, Any]:
        notification = model.model_validate(item)
        try:
            result = self._handler(notification)
            if inspect.isawaitable(result):
                await result
        except Reject as refusal:
            return _response(item["id"], refusal.status, refusal.message or None)
        except Exception:
            _LOG.exception("the notification handler failed on %s", item["id"])
            return _response(item["id"], 99, "processing failed")
        return _response(item["id"], 0)


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _instant(value: Any) -> dt.datetime:
    """The moment of a ``created`` date-time (schema-checked already); earliest if absent."""
    if not isinstance(value, str):
        return _EARLIEST
    try:
        moment = dt.datetime.fromisoformat(value.upper())
    except ValueError:
        return _EARLIEST
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _status_answer(many: bool, http: int, status: int, message: str) -> _Answer:
    """An answer for the whole request: one NotificationResponse, in a list for a batch."""
    answer = _response("", status, message)
    return _Answer(http, [answer] if many else answer)


def _http_status(status: int) -> int:
    return {11: 400, 12: 400, 21: 403, 22: 403}.get(status, 200 if status == 0 else 400)


def _model(version: str) -> Any:
    from eduv.models import model

    return model(API, version, "Notification")


def _route(scope: Scope) -> str | None:
    """The operation a path is for: it ends in /notification or /notifications."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :]
    path = path.rstrip("/")
    if path.endswith("/notifications"):
        return "post-notifications"
    if path.endswith("/notification"):
        return "post-notification"
    return None


async def read_body(receive: Receive) -> bytes | None:
    """The request body, or None when it is larger than :data:`MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, answer: _Answer) -> None:
    body = b"" if answer.body is None else orjson.dumps(answer.body)
    headers = [(b"content-length", str(len(body)).encode()), *answer.headers]
    if answer.body is not None:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
