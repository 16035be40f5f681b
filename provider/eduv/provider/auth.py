"""OAuth2 client credentials: the token endpoint and access-token checks.

Clients authenticate as Edu-V prescribes, with a JWT signed by their own key
(``private_key_jwt``, RFC 7523): the provider checks the signature against the client's
registered JWKS (inline or fetched from its ``jwks_uri``), that issuer and subject are the
client, that the audience is this token endpoint, that it has not expired, and that its
``jti`` was never used before (the used ones are kept in the database until they
expire, so a restart does not reopen the replay window). For development a client may
instead have a secret (``client_secret_basic`` or ``client_secret_post``).

Access tokens are JWTs signed with a key from ``EDUV_SIGNING_KEY``, the configured key
file, or else the database, so that they survive a restart and several provider
processes on one database accept each other's tokens.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from eduv.provider import schema
from eduv.provider.config import Client, ProviderConfig
from eduv.provider.db import writing
from eduv.provider.private import signing_key_text

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
MAX_ASSERTION_LIFETIME = 3600  # longer-lived assertions would need jti records for ages
CLOCK_LEEWAY = 60
JWKS_TTL = 300.0
ACCESS_TOKEN_AUDIENCE = "eduv-reference-provider"
ACCESS_TOKEN_ISSUER = ACCESS_TOKEN_AUDIENCE
TOKEN_CACHE_SIZE = 4096
CLIENT_AUTHENTICATION_FAILED = "client authentication failed"


def mask(client_id: str) -> str:
    """A client id as the log shows it: enough to recognise, not enough to harvest ids."""
    shown = client_id[:2] if len(client_id) > 4 else ""
    return f"{shown}***({len(client_id)} chars)"


class TokenError(Exception):
    """A refused token request, as RFC 6749 section 5.2 names it.

    ``description`` is what the server log gets; failed client authentications reach
    the client as one fixed answer (:data:`CLIENT_AUTHENTICATION_FAILED`), so that the
    answers do not reveal which client ids exist.
    """

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        if self.error == "invalid_client":
            return {"error": self.error, "error_description": CLIENT_AUTHENTICATION_FAILED}
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid access token grants."""

    client_id: str
    scopes: frozenset[str]
    expires: int


class JwksCache:
    """Key sets fetched from clients' ``jwks_uri``, refreshed after a while or on a miss."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, KeySet]] = {}

    def get(self, uri: str, *, refresh: bool = False) -> KeySet:
        with self._lock:
            cached = self._sets.get(uri)
            if cached and not refresh and time.monotonic() - cached[0] < JWKS_TTL:
                return cached[1]
        try:
            response = httpx.get(uri, timeout=10.0)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            message = f"the client's jwks_uri cannot be read: {exc}"
            raise TokenError("invalid_client", message, 401) from None
        with self._lock:
            self._sets[uri] = (time.monotonic(), keys)
        return keys


class Authority:
    """The token endpoint's logic and the resource server's token check."""

    def __init__(self, engine: Engine, config: ProviderConfig) -> None:
        self.engine = engine
        self.config = config
        self.jwks = JwksCache()
        outside = signing_key_text(config.signing_key_file)
        self._key = OctKey.import_key(
            outside.encode() if outside is not None else _signing_secret(engine)
        )
        self._cache: OrderedDict[str, Grant] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- token endpoint ------------------------------------------------------------------

    def issue(
        self, form: Mapping[str, str], authorization: str | None, audiences: set[str]
    ) -> dict[str, Any]:
        """Answer a token request (already parsed from the form body)."""
        if form.get("grant_type") != "client_credentials":
            raise TokenError(
                "unsupported_grant_type", "only grant_type=client_credentials is supported"
            )
        client = self._authenticate(form, authorization, audiences)
        scopes = self._granted_scopes(client, form.get("scope"))
        now = int(time.time())
        expires = now + self.config.token_lifetime
        claims = {
            "iss": ACCESS_TOKEN_ISSUER,
            "aud": ACCESS_TOKEN_AUDIENCE,
            "sub": client.client_id,
            "scope": " ".join(sorted(scopes)),
            "iat": now,
            "exp": expires,
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode({"alg": "HS256"}, claims, self._key)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.config.token_lifetime,
            "scope": claims["scope"],
        }

    def _granted_scopes(self, client: Client, requested: str | None) -> frozenset[str]:
        if not requested:
            return client.scopes
        wanted = frozenset(requested.split())
        extra = wanted - client.scopes
        if extra:
            raise TokenError(
                "invalid_scope",
                f"client {client.client_id!r} is not registered for: {', '.join(sorted(extra))}",
            )
        return wanted

    def _authenticate(
        self, form: Mapping[str, str], authorization: str | None, audiences: set[str]
    ) -> Client:
        basic = _basic_credentials(authorization)
        if form.get("client_assertion") is not None:
            return self._private_key_jwt(form, audiences)
        if basic is not None:
            return self._secret(*basic, status=401)
        if form.get("client_secret") is not None:
            return self._secret(form.get("client_id", ""), form["client_secret"], status=400)
        raise TokenError(
            "invalid_client",
            "no client authentication: send a client_assertion (private_key_jwt) or a secret",
            401,
        )

    def _client(self, client_id: str) -> Client:
        client = self.config.clients.get(client_id)
        if client is None:
            # The same work as for a known client, so that timing does not tell them apart.
            hmac.compare_digest(b"x" * 32, b"y" * 32)
            raise TokenError("invalid_client", f"unknown client {mask(client_id)}", 401)
        return client

    def _secret(self, client_id: str, secret: str, status: int) -> Client:
        client = self._client(client_id)
        if client.secret is None:
            raise TokenError(
                "invalid_client", "this client must authenticate with private_key_jwt", 401
            )
        if not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise TokenError("invalid_client", f"wrong secret for {mask(client_id)}", 401)
        return client

    def _private_key_jwt(self, form: Mapping[str, str], audiences: set[str]) -> Client:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form["client_assertion"]
        unverified = _unverified_claims(assertion)
        client = self._client(str(unverified.get("iss", "")))
        if form.get("client_id") not in (None, client.client_id):
            raise TokenError("invalid_client", "client_id and the assertion's issuer differ", 401)
        claims = self._verified_claims(client, assertion)
        _check_assertion_claims(client.client_id, claims, audiences)
        self._remember_jti(client.client_id, str(claims["jti"]), int(claims["exp"]))
        return client

    def _verified_claims(self, client: Client, assertion: str) -> dict[str, Any]:
        for refresh in (False, True):
            keys = self._keys(client, refresh)
            try:
                token = jwt.decode(assertion, keys, algorithms=ASSERTION_ALGORITHMS)
            except JoseError as exc:
                if refresh or client.jwks_uri is None:
                    raise TokenError(
                        "invalid_client", f"the client assertion is not valid: {exc}", 401
                    ) from None
                continue
            return dict(token.claims)
        raise AssertionError("unreachable")  # pragma: no cover

    def _keys(self, client: Client, refresh: bool) -> KeySet:
        if client.jwks is not None:
            return KeySet.import_key_set(dict(client.jwks))  # type: ignore[arg-type]
        if client.jwks_uri is not None:
            return self.jwks.get(client.jwks_uri, refresh=refresh)
        raise TokenError("invalid_client", "this client has no registered keys", 401)

    def _remember_jti(self, client_id: str, jti: str, expires: int) -> None:
        table = schema.used_assertions
        try:
            with writing(self.engine) as conn:
                conn.execute(delete(table).where(table.c.expires < int(time.time()) - CLOCK_LEEWAY))
                conn.execute(insert(table).values(client_id=client_id, jti=jti, expires=expires))
        except IntegrityError:
            raise TokenError(
                "invalid_grant", "this client assertion was used before", 400
            ) from None

    # -- resource server -----------------------------------------------------------------

    def grant(self, authorization: str | None) -> Grant | None:
        """What the bearer token of a request grants, or ``None`` when it is not valid."""
        token = _bearer(authorization)
        if token is None:
            return None
        grant = self._cached(token)
        if grant is None:
            grant = self._decode(token)
            if grant is None:
                return None
            self._remember(token, grant)
        if grant.expires <= time.time() or grant.client_id not in self.config.clients:
            return None
        return grant

    def _decode(self, token: str) -> Grant | None:
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"]).claims
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": ACCESS_TOKEN_ISSUER},
                aud={"essential": True, "value": ACCESS_TOKEN_AUDIENCE},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError):
            return None
        return Grant(
            str(claims["sub"]), frozenset(str(claims.get("scope", "")).split()), int(claims["exp"])
        )

    def _cached(self, token: str) -> Grant | None:
        with self._cache_lock:
            return self._cache.get(token)

    def _remember(self, token: str, grant: Grant) -> None:
        with self._cache_lock:
            self._cache[token] = grant
            while len(self._cache) > TOKEN_CACHE_SIZE:
                self._cache.popitem(last=False)


def _signing_secret(engine: Engine) -> bytes:
    """The access-token key when none is kept outside the database: made once, then
    read from the database."""
    table = schema.meta
    with writing(engine) as conn:
        found = conn.execute(select(table.c.value).where(table.c.key == "token-key")).scalar()
        if found is None:
            found = secrets.token_hex(32)
            conn.execute(insert(table).values(key="token-key", value=found))
    return bytes.fromhex(str(found))


def _unverified_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = jws.extract_compact(assertion.encode()).payload
        claims = orjson.loads(payload)
    except (JoseError, ValueError) as exc:
        raise TokenError(
            "invalid_client", f"the client assertion is not a JWT: {exc}", 401
        ) from None
    if not isinstance(claims, dict):
        raise TokenError("invalid_client", "the client assertion has no claims object", 401)
    return claims


def _check_assertion_claims(client_id: str, claims: Mapping[str, Any], audiences: set[str]) -> None:
    now = int(time.time())
    for name in ("iss", "sub", "aud", "exp", "jti"):
        if name not in claims:
            raise TokenError("invalid_client", f"the client assertion lacks the {name} claim", 401)
    if claims["iss"] != client_id or claims["sub"] != client_id:
        raise TokenError(
            "invalid_client", "iss and sub of the assertion must be the client_id", 401
        )
    aud = claims["aud"]
    named = {aud} if isinstance(aud, str) else set(aud) if isinstance(aud, list) else set()
    if not named & audiences:
        raise TokenError(
            "invalid_client",
            f"the assertion's audience must be this token endpoint ({sorted(audiences)[0]})",
            401,
        )
    exp = claims["exp"]
    if not isinstance(exp, int) or exp + CLOCK_LEEWAY < now:
        raise TokenError("invalid_client", "the client assertion has expired", 401)
    if exp > now + MAX_ASSERTION_LIFETIME:
        raise TokenError("invalid_client", "the client assertion is valid for too long", 401)
    nbf = claims.get("nbf")
    if isinstance(nbf, int) and nbf > now + CLOCK_LEEWAY:
        raise TokenError("invalid_client", "the client assertion is not valid yet", 401)


def claimed_client(form: Mapping[str, str], authorization: str | None) -> str:
    """The client id a token request claims, unverified: Basic user, the assertion's
    issuer or ``client_id``; empty when it claims none."""
    try:
        basic = _basic_credentials(authorization)
    except TokenError:
        basic = None
    if basic is not None:
        return basic[0]
    assertion = form.get("client_assertion")
    if assertion is not None:
        try:
            return str(_unverified_claims(assertion).get("iss", ""))
        except TokenError:
            return ""
    return form.get("client_id", "")


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise TokenError("invalid_client", "malformed Basic credentials", 401) from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise TokenError("invalid_client", "malformed Basic credentials", 401)
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before encoding.
    return unquote(user), unquote(password)
