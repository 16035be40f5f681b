"""OAuth2 client credentials as Edu-V prescribes, plus simpler modes for development.

:class:`PrivateKeyJwt` authenticates at the token endpoint with a client assertion
(RFC 7523): a JWT signed with the client's private key, ``iss`` = ``sub`` = the client
id, ``aud`` = the token URL, a short lifetime and a unique ``jti``, with the key id in
its header. :class:`ClientSecret` uses a shared secret instead (development only) and
:class:`BearerToken` a fixed token.

These classes only build token requests and read token answers; sending them, and
caching the tokens per set of scopes, is the client's job (see ``_base_client``).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from eduv.runtime.errors import EduvError, TokenError

if TYPE_CHECKING:  # pragma: no cover
    from eduv import keys

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 300


@dataclass(frozen=True)
class Token:
    """An access token and the moment (epoch seconds) after which it is not reused."""

    value: str
    refresh_at: float
    scopes: tuple[str, ...]

    def fresh(self, now: float) -> bool:
        return now < self.refresh_at


class ScopeError(EduvError):
    """The client is configured without any scope the operation accepts."""


class Auth:
    """How a client obtains bearer tokens; subclasses implement the flows."""

    #: The scopes this client was registered for; None means "ask for what the call needs".
    scopes: tuple[str, ...] | None = None

    def scopes_for(self, operation: str, accepted: Sequence[str]) -> tuple[str, ...]:
        """The scopes to request for an operation that accepts any of ``accepted``."""
        if self.scopes is None:
            return tuple(sorted(accepted))
        held = tuple(s for s in sorted(accepted) if s in self.scopes)
        if accepted and not held:
            raise ScopeError(
                f"{operation} needs one of the scopes {', '.join(accepted)}; this client is "
                f"configured with {', '.join(self.scopes) or 'none'}"
            )
        return held

    def static_token(self) -> str | None:
        """A fixed token, or None when tokens come from a token endpoint."""
        return None

    def token_request(self, scopes: Sequence[str], now: float) -> httpx.Request:
        raise NotImplementedError

    def read_token(self, response: httpx.Response, scopes: tuple[str, ...], now: float) -> Token:
        return read_token_response(response, scopes, now)


def _form(scopes: Iterable[str], **fields: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", **fields}
    joined = " ".join(scopes)
    if joined:
        form["scope"] = joined
    return form


class PrivateKeyJwt(Auth):
    """``private_key_jwt`` client authentication (the Edu-V way).

    ``key`` is a :class:`eduv.keys.KeyPair`, PEM bytes or the path of a PEM file.
    ``audience`` defaults to the token URL; ``assertion_lifetime`` (seconds) is kept
    short, and at most five minutes.
    """

    def __init__(
        self,
        client_id: str,
        token_url: str,
        key: keys.KeyPair | bytes | str | os.PathLike[str],
        *,
        scopes: Iterable[str] | None = None,
        audience: str | None = None,
        assertion_lifetime: int = 60,
        kid: str | None = None,
        alg: str | None = None,
        new_jti: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        if not 0 < assertion_lifetime <= MAX_ASSERTION_LIFETIME:
            raise ValueError(
                f"assertion_lifetime must be between 1 and {MAX_ASSERTION_LIFETIME} seconds"
            )
        from eduv import keys  # the JOSE stack loads only when a client signs

        self.client_id = client_id
        self.token_url = token_url
        self.key = key if isinstance(key, keys.KeyPair) else keys.load(key, alg=alg, kid=kid)
        self.scopes = tuple(scopes) if scopes is not None else None
        self.audience = audience or token_url
        self.assertion_lifetime = assertion_lifetime
        self._new_jti = new_jti

    def assertion(self, now: float) -> str:
        """A freshly signed client assertion."""
        issued = int(now)
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.assertion_lifetime,
            "jti": self._new_jti(),
        }
        from joserfc import jwt

        header = {"alg": self.key.alg, "kid": self.key.kid, "typ": "JWT"}
        token: str = jwt.encode(header, claims, self.key.key, algorithms=[self.key.alg])
        return token

    def token_request(self, scopes: Sequence[str], now: float) -> httpx.Request:
        form = _form(
            scopes,
            client_id=self.client_id,
            client_assertion_type=ASSERTION_TYPE,
            client_assertion=self.assertion(now),
        )
        return httpx.Request("POST", self.token_url, data=form, headers=_ACCEPT_JSON)


class ClientSecret(Auth):
    """Client credentials with a shared secret: for development and test servers only.

    ``method`` is ``basic`` (HTTP Basic, the OAuth default) or ``post`` (form fields).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        scopes: Iterable[str] | None = None,
        method: str = "basic",
    ) -> None:
        if method not in ("basic", "post"):
            raise ValueError("method must be 'basic' or 'post'")
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.scopes = tuple(scopes) if scopes is not None else None
        self.method = method

    def token_request(self, scopes: Sequence[str], now: float) -> httpx.Request:
        if self.method == "post":
            form = _form(scopes, client_id=self.client_id, client_secret=self.client_secret)
            return httpx.Request("POST", self.token_url, data=form, headers=_ACCEPT_JSON)
        basic = httpx.BasicAuth(self.client_id, self.client_secret)
        request = httpx.Request("POST", self.token_url, data=_form(scopes), headers=_ACCEPT_JSON)
        return next(basic.auth_flow(request))


class BearerToken(Auth):
    """A token obtained elsewhere, sent as is (no refreshing)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def static_token(self) -> str | None:
        return self.token


_ACCEPT_JSON = {"Accept": "application/json"}


def _lifetime_margin(lifetime: float) -> float:
    """Renew a token a little before it expires: a fifth of its life, at most a minute."""
    return min(60.0, lifetime / 5)


def read_token_response(response: httpx.Response, scopes: tuple[str, ...], now: float) -> Token:
    """The token from a token-endpoint answer; an OAuth error becomes a :class:`TokenError`."""
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        reason = f": {error}" if error else ""
        reason += f" ({description})" if description else ""
        raise TokenError(
            f"the token endpoint {response.request.url} answered HTTP {response.status_code}"
            f"{reason}",
            status_code=response.status_code,
            error=error if isinstance(error, str) else None,
            description=description if isinstance(description, str) else None,
        )
    value = body.get("access_token")
    if not isinstance(value, str) or not value:
        raise TokenError("the token endpoint answered without an access_token")
    token_type = str(body.get("token_type", "Bearer"))
    if token_type.lower() != "bearer":
        raise TokenError(f"the token endpoint issued a {token_type!r} token; Edu-V uses Bearer")
    lifetime = body.get("expires_in")
    seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 300.0
    granted = tuple(str(body["scope"]).split()) if body.get("scope") else scopes
    return Token(value, now + seconds - _lifetime_margin(seconds), granted)


def default_clock() -> float:
    return time.time()
