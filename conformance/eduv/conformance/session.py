"""Talking to the target: access tokens per credential and scope set, and API calls.

Tokens come from the SDK's client-authentication classes (``private_key_jwt`` or a
client secret); sending goes through the run's bounded HTTP client. Calls return the raw
answer: the checks judge status codes, headers and bodies themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from eduv import spec
from eduv.conformance.config import ConfigError, Credential, RunConfig
from eduv.conformance.http import Answer, SafeHttp
from eduv.conformance.model import Exchange, TokenHint
from eduv.runtime import Auth, ClientSecret, PrivateKeyJwt, TokenError, read_token_response
from eduv.spec import Operation


@dataclass(frozen=True, slots=True)
class Grant:
    """A token and the scopes the token endpoint said it holds."""

    token: str
    scopes: frozenset[str]


class TokenFailedError(RuntimeError):
    """No token could be obtained; the message never contains a secret.

    ``reason`` says why, ``exchange`` is the token request and its answer (masked), when
    the token endpoint was reached.
    """

    def __init__(self, reason: str, exchange: Exchange | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exchange = exchange


class Session:
    def __init__(self, cfg: RunConfig, http: SafeHttp) -> None:
        self.cfg = cfg
        self.http = http
        self._grants: dict[tuple[str, tuple[str, ...] | None], Grant] = {}
        # How each token was obtained, so that evidence can say how to get one again.
        self._hints: dict[str, TokenHint] = {}

    # -- tokens ----------------------------------------------------------------------------

    def credential(self, consent: bool = True) -> Credential | None:
        for cred in self.cfg.credentials:
            if cred.consent == consent:
                return cred
        return None

    def grant(self, cred: Credential, scopes: Iterable[str] | None = None) -> Grant:
        """A token for ``cred`` with ``scopes`` (None: whatever the client is registered for)."""
        wanted = tuple(sorted(scopes)) if scopes is not None else None
        key = (cred.name, wanted)
        if key not in self._grants:
            self._grants[key] = self._fetch(cred, wanted)
            self._hints[self._grants[key].token] = TokenHint(cred.name, wanted)
        return self._grants[key]

    def _fetch(self, cred: Credential, scopes: tuple[str, ...] | None) -> Grant:
        auth = self._auth(cred)
        request = auth.token_request(scopes or (), time.time())
        answer = self.http.send(request)
        if answer.status is None:
            raise TokenFailedError(
                f"the token endpoint did not answer: {answer.error}", answer.exchange
            )
        response = _as_httpx(answer, request)
        try:
            token = read_token_response(response, scopes or (), time.time())
        except TokenError as exc:
            raise TokenFailedError(
                f"no token for {cred.describe()}: {exc}", answer.exchange
            ) from None
        return Grant(token.value, frozenset(token.scopes))

    def _auth(self, cred: Credential) -> Auth:
        if self.cfg.token_url is None:
            raise ConfigError("no token URL: give target.token_url")
        if cred.private_key is not None:
            return PrivateKeyJwt(
                client_id=cred.client_id, private_key=cred.private_key, token_url=self.cfg.token_url
            )
        if cred.secret is None:
            raise ConfigError(f"credential {cred.name} has neither key nor secret")
        return ClientSecret(
            client_id=cred.client_id, client_secret=cred.secret, token_url=self.cfg.token_url
        )

    # -- API calls ---------------------------------------------------------------------------

    def call(
        self,
        op: Operation,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        version_header: str | None = None,
        send_version: bool = True,
    ) -> Answer:
        """Call one operation; path parameters are taken from ``params``."""
        query: dict[str, str | list[str]] = {}
        path = op.path
        for name, value in (params or {}).items():
            if isinstance(value, list | tuple):
                # A query array the OpenAPI way (form, exploded): the name once per item.
                query[name] = [_text(v) for v in value]
                continue
            text = _text(value)
            if op.parameter_in.get(name) == "path":
                # An id is data, not a path: "a/b" or "x?y" must reach the source whole.
                path = path.replace("{" + name + "}", quote(text, safe=""))
            else:
                query[name] = text
        headers = {"Accept": "application/json"}
        if send_version:
            headers["API-Version"] = version_header or op.version
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.cfg.base_url(op.api, op.version) + path
        answer = self.http.request(op.method, url, headers=headers, params=query, json=body)
        hint = self._hints.get(token) if token is not None else None
        if hint is None:
            return answer
        return replace(answer, exchange=replace(answer.exchange, token=hint))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_httpx(answer: Answer, request: Any) -> Any:
    import httpx

    return httpx.Response(
        answer.status or 0, headers=dict(answer.headers), content=answer.content, request=request
    )


def list_operations(api: str, version: str) -> list[Operation]:
    """The GET operations of an API version that list a school's objects."""
    return [
        op
        for op in spec.operations(api, version)
        if op.method == "GET"
        and op.read_only
        and "orgMasterId" in op.parameter_in
        and "id" not in op.parameter_in
    ]
