"""OAuth2 client credentials as Edu-V prescribes, plus simpler modes for development.

:class:`PrivateKeyJwt` authenticates at the token endpoint with a client assertion
(RFC 7523): a JWT signed with the client's private key, ``iss`` = ``sub`` = the client
id, ``aud`` = the token URL, a short lifetime and a unique ``jti``, with the key id in
its header. :class:`ClientSecret` uses a shared secret instead (development only) and
:class:`BearerToken` a fixed token.

These classes only build token requests and read token answers; sending them, and
caching the tokens per set of scopes, is the client's job (:mod:`eduv.runtime.flow`).

Every credential takes keyword arguments in one order: ``client_id``, the secret
(``client_secret`` or ``private_key``), then ``token_url``. The positional forms of
earlier releases (``ClientSecret(id, secret, url)``, ``PrivateKeyJwt(id, url, key)``)
still work for one release, with a ``DeprecationWarning``. No ``repr`` or error message
shows a secret.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import httpx
from typing_extensions import deprecated

from eduv.runtime.errors import TokenError
from eduv.runtime.logs import caller_stacklevel

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


class Auth:
    """How a client obtains bearer tokens; subclasses implement the flows."""

    #: Scopes to ask for beyond each call's default, where the call accepts them; the
    #: client's own ``scopes=`` setting adds to these (see :mod:`eduv.runtime.scopes`).
    scopes: tuple[str, ...] = ()

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

    ``private_key`` is a :class:`eduv.keys.KeyPair`, PEM bytes or the path of a PEM file.
    ``audience`` defaults to the token URL; ``assertion_lifetime`` (seconds) is kept
    short, and at most five minutes. ``kid`` and ``alg`` override what is read from the
    key.
    """

    @overload
    def __init__(
        self,
        *,
        client_id: str,
        private_key: keys.KeyPair | bytes | str | os.PathLike[str],
        token_url: str,
        scopes: Iterable[str] | None = None,
        audience: str | None = None,
        assertion_lifetime: int = 60,
        kid: str | None = None,
        alg: str | None = None,
        new_jti: Callable[[], str] = ...,
    ) -> None: ...

    @overload
    @deprecated("PrivateKeyJwt(client_id, token_url, key): use keyword arguments")
    def __init__(
        self,
        client_id: str,
        token_url: str,
        key: keys.KeyPair | bytes | str | os.PathLike[str],
        /,
        *,
        scopes: Iterable[str] | None = None,
        audience: str | None = None,
        assertion_lifetime: int = 60,
        kid: str | None = None,
        alg: str | None = None,
        new_jti: Callable[[], str] = ...,
    ) -> None: ...

    def __init__(
        self,
        *legacy: Any,
        client_id: str | None = None,
        private_key: keys.KeyPair | bytes | str | os.PathLike[str] | None = None,
        token_url: str | None = None,
        scopes: Iterable[str] | None = None,
        audience: str | None = None,
        assertion_lifetime: int = 60,
        kid: str | None = None,
        alg: str | None = None,
        new_jti: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        if legacy:
            client_id, token_url, private_key = _positional(
                "PrivateKeyJwt", legacy, ("client_id", "token_url", "private_key")
            )
        if client_id is None or private_key is None or token_url is None:
            raise TypeError("PrivateKeyJwt needs client_id, private_key and token_url")
        if not 0 < assertion_lifetime <= MAX_ASSERTION_LIFETIME:
            raise ValueError(
                f"assertion_lifetime must be between 1 and {MAX_ASSERTION_LIFETIME} seconds"
            )
        from eduv import keys  # the JOSE stack loads only when a client signs

        self.client_id = client_id
        self.token_url = token_url
        if isinstance(private_key, keys.KeyPair):
            self.key = private_key
        else:
            self.key = keys.load(private_key, alg=alg, kid=kid)
        self.scopes = tuple(scopes or ())
        self.audience = audience or token_url
        self.assertion_lifetime = assertion_lifetime
        self._new_jti = new_jti

    def __repr__(self) -> str:
        return (
            f"PrivateKeyJwt(client_id={self.client_id!r}, token_url={self.token_url!r}, "
            f"kid={self.key.kid!r}, alg={self.key.alg!r})"
        )

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

    @overload
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_url: str,
        scopes: Iterable[str] | None = None,
        method: str = "basic",
    ) -> None: ...

    @overload
    @deprecated("ClientSecret(client_id, client_secret, token_url): use keyword arguments")
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        /,
        *,
        scopes: Iterable[str] | None = None,
        method: str = "basic",
    ) -> None: ...

    def __init__(
        self,
        *legacy: Any,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        scopes: Iterable[str] | None = None,
        method: str = "basic",
    ) -> None:
        if legacy:
            client_id, client_secret, token_url = _positional(
                "ClientSecret", legacy, ("client_id", "client_secret", "token_url")
            )
        if client_id is None or client_secret is None or token_url is None:
            raise TypeError("ClientSecret needs client_id, client_secret and token_url")
        if method not in ("basic", "post"):
            raise ValueError("method must be 'basic' or 'post'")
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.scopes = tuple(scopes or ())
        self.method = method

    def __repr__(self) -> str:
        return (
            f"ClientSecret(client_id={self.client_id!r}, client_secret='***', "
            f"token_url={self.token_url!r}, method={self.method!r})"
        )

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

    def __repr__(self) -> str:
        return "BearerToken('***')"

    def static_token(self) -> str | None:
        return self.token


_ACCEPT_JSON = {"Accept": "application/json"}


def _positional(kind: str, given: tuple[Any, ...], names: tuple[str, str, str]) -> Any:
    """The three values of the deprecated positional form (in its old order), after a warning."""
    secret = "client_secret" if kind == "ClientSecret" else "private_key"
    keywords = ("client_id", secret, "token_url")
    if len(given) != len(names):
        raise TypeError(f"{kind} takes keyword arguments: {', '.join(keywords)}")
    warnings.warn(
        f"{kind} with positional arguments is deprecated and goes away in the next release; "
        f"use {kind}({', '.join(f'{n}=...' for n in keywords)})",
        DeprecationWarning,
        stacklevel=caller_stacklevel(),
    )
    return given


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
