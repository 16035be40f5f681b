"""An Edu-V provider and authorisation server, built from the spec, as an httpx transport.

It is deliberately independent of the client under test: it checks client assertions
with PyJWT (not joserfc), validates parameters and bodies with python-jsonschema
(tests/crosscheck.py, not jsonschema-rs) and routes with its own path matching. It
answers every operation of every supported API version with the committed example of
the success message; tests script faults and odd answers per operation.
"""

from __future__ import annotations

import copy
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import jwt
import orjson

from eduv import spec
from tests import crosscheck

TOKEN_URL = "https://auth.test/oauth2/token"
BASE_URL = "https://las.test"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Answer:
    """A scripted answer: status, JSON body (or raw bytes), headers."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    version: str | None = "same"  # "same" echoes the requested API-Version


class DisconnectError(Exception):
    """Scripted: behave as if the connection failed."""


@dataclass
class _Route:
    op: spec.Operation
    pattern: re.Pattern[str]


def _routes() -> list[_Route]:
    routes = []
    for api in spec.apis():
        for version in api.versions:
            major = spec.api_version(api.id, version).major
            for op in spec.operations(api.id, version):
                regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
                routes.append(_Route(op, re.compile(f"^/{api.id}/v{major}{regex}$")))
    # Literal segments win over placeholders: /products/info is not /products/{id}.
    return sorted(routes, key=lambda r: r.op.path.count("{"))


_ROUTES = _routes()


def _decode(op: spec.Operation, values: dict[str, str], query: str) -> dict[str, Any]:
    props = spec.schema(op.api, op.version, op.parameters).get("properties", {})
    decoded: dict[str, Any] = {k: unquote(v) for k, v in values.items()}
    for name, raw in parse_qsl(query, keep_blank_values=True):
        kind = props.get(name, {}).get("type")
        if kind == "array":
            decoded.setdefault(name, []).append(raw)
        elif kind == "boolean" and raw in ("true", "false"):
            decoded[name] = raw == "true"
        elif kind == "integer" and raw.lstrip("-").isdigit():
            decoded[name] = int(raw)
        else:
            decoded[name] = raw
    return decoded


def example(api: str, version: str, message: str) -> Any:
    """A copy of the committed example (the spec's own documents are shared)."""
    return copy.deepcopy(spec.schema(api, version, message)["examples"][0])


class MockProvider:
    """Token endpoint plus every operation; ``transport()`` plugs it into httpx."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.clients: dict[str, dict[str, Any]] = {}  # client id -> public JWK or secret
        self.allowed: dict[str, set[str]] = {}
        self.tokens: dict[str, set[str]] = {}
        self.seen_jti: set[str] = set()
        self.assertions: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.scripts: dict[str, deque[Answer | DisconnectError]] = {}
        self.token_script: deque[Answer] = deque()
        self.expires_in = 600

    # -- set-up -------------------------------------------------------------------------

    def register_jwk(self, client_id: str, jwk: dict[str, Any], scopes: set[str]) -> None:
        self.clients[client_id] = {"jwk": jwk}
        self.allowed[client_id] = scopes

    def register_secret(self, client_id: str, secret: str, scopes: set[str]) -> None:
        self.clients[client_id] = {"secret": secret}
        self.allowed[client_id] = scopes

    def script(self, operation_id: str, *answers: Answer | DisconnectError) -> None:
        self.scripts.setdefault(operation_id, deque()).extend(answers)

    def revoke_all(self) -> None:
        self.tokens.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- handling -----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_requests.append(request)
            return self._token(request)
        self.requests.append(request)
        return self._api(request)

    def _token(self, request: httpx.Request) -> httpx.Response:
        if self.token_script:
            scripted = self.token_script.popleft()
            return httpx.Response(scripted.status, json=scripted.body, headers=scripted.headers)
        form = dict(parse_qsl(request.content.decode()))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type")
        client_id = self._authenticate(request, form)
        if client_id is None:
            return _oauth_error("invalid_client", 401)
        wanted = set(form.get("scope", "").split())
        if not wanted <= self.allowed[client_id]:
            return _oauth_error("invalid_scope")
        token = f"token-{len(self.tokens) + 1}"
        self.tokens[token] = wanted
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": " ".join(sorted(wanted)),
        }
        return httpx.Response(200, json=body)

    def _authenticate(self, request: httpx.Request, form: dict[str, str]) -> str | None:
        if form.get("client_assertion_type") == ASSERTION_TYPE:
            return self._check_assertion(form.get("client_assertion", ""), form.get("client_id"))
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            import base64

            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        known = self.clients.get(client_id, {})
        return client_id if known.get("secret") == secret and secret else None

    def _check_assertion(self, assertion: str, client_id: str | None) -> str | None:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
        issuer = claims.get("iss")
        registered = self.clients.get(str(issuer), {}).get("jwk")
        if registered is None or header.get("kid") != registered["kid"]:
            return None
        key = jwt.PyJWK.from_dict(registered)
        try:
            verified = jwt.decode(
                assertion,
                key.key,
                algorithms=[registered["alg"]],
                audience=TOKEN_URL,
                issuer=issuer,
                # Time is checked below against the provider's clock, which tests control.
                options={
                    "require": ["exp", "iat", "jti", "sub", "iss", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            return None
        now = self.clock()
        fresh = verified["jti"] not in self.seen_jti and verified["iat"] <= now < verified["exp"]
        short = verified["exp"] - verified["iat"] <= 300
        if verified["sub"] != issuer or client_id not in (None, issuer) or not fresh or not short:
            return None
        self.seen_jti.add(verified["jti"])
        self.assertions.append({"header": header, "claims": verified})
        return str(issuer)

    def _route(
        self, request: httpx.Request, version: str
    ) -> tuple[spec.Operation, dict[str, str]] | None:
        for route in _ROUTES:
            if route.op.method != request.method or route.op.version != version:
                continue
            raw_path = request.url.raw_path.split(b"?")[0].decode()  # keeps %2F inside values
            hit = route.pattern.match(raw_path)
            if hit:
                return route.op, hit.groupdict()
        return None

    def _api(self, request: httpx.Request) -> httpx.Response:
        version = request.headers.get("API-Version", "")
        found = self._route(request, version)
        if found is None:
            return _status(404 if version else 400, 12 if not version else 99, "no such operation")
        op, values = found
        scripted = self.scripts.get(op.operation_id)
        if scripted:
            answer = scripted.popleft()
            if isinstance(answer, DisconnectError):
                raise httpx.ConnectError("scripted disconnect", request=request)
            return _scripted(answer, op.version)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if op.scopes and not set(op.scopes) & self.tokens[token]:
            return _status(403, 21, "scope required")
        problems = self._problems(op, request, values)
        if problems:
            return _status(400, 11, "Schema incorrect. " + problems[0])
        return self._success(op)

    def _problems(
        self, op: spec.Operation, request: httpx.Request, values: dict[str, str]
    ) -> list[str]:
        params = _decode(op, values, request.url.query.decode())
        found = [e.message for e in crosscheck.errors(op.api, op.version, op.parameters, params)]
        if op.request is not None and request.content:
            body = orjson.loads(request.content)
            if op.request.array:
                found += [
                    e.message
                    for item in body
                    for e in crosscheck.errors(op.api, op.version, op.request.message, item)
                ]
            else:
                found += [
                    e.message
                    for e in crosscheck.errors(op.api, op.version, op.request.message, body)
                ]
        return found

    def _success(self, op: spec.Operation) -> httpx.Response:
        status, body = op.success
        headers = {"API-Version": op.version}
        if body is None:
            return httpx.Response(int(status), headers=headers)
        payload = example(op.api, op.version, body.message)
        return httpx.Response(
            int(status), json=[payload] if body.array else payload, headers=headers
        )


def _scripted(answer: Answer, version: str) -> httpx.Response:
    headers = dict(answer.headers)
    if answer.version == "same":
        headers["API-Version"] = version
    elif answer.version is not None:
        headers["API-Version"] = answer.version
    if answer.raw is not None:
        return httpx.Response(answer.status, content=answer.raw, headers=headers)
    if answer.body is None:
        return httpx.Response(answer.status, headers=headers)
    return httpx.Response(answer.status, json=answer.body, headers=headers)


def _status(http: int, code: int, text: str) -> httpx.Response:
    return httpx.Response(http, json={"status": code, "statusMessage": text})


def _oauth_error(error: str, status: int = 400) -> httpx.Response:
    return httpx.Response(
        status, json={"error": error, "error_description": error.replace("_", " ")}
    )
