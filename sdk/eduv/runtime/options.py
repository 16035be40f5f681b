"""Per-call options, the raw answer of a call, and the client's settings from the environment.

Every generated method takes the keyword arguments of :class:`RequestOptions` after its
own parameters::

    client.students().get_students_for_school(
        orgMasterId="104A158", timeout=5, extra_headers={"X-Request-Id": "42"}
    )

and every API object has ``with_raw_response``, whose methods return a
:class:`RawResponse` (status, headers, problems and the parsed value) instead of the
value alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypedDict, TypeVar

import httpx

if TYPE_CHECKING:
    from eduv.findings import Finding
    from eduv.runtime.auth import Auth

T = TypeVar("T")
Timeout = float | httpx.Timeout


class RequestOptions(TypedDict, total=False):
    """Options of one call; each one overrides the client's setting for that call only."""

    #: Seconds (or an ``httpx.Timeout``) for this call's HTTP request.
    timeout: Timeout
    #: Headers added to the request (after the client's ``headers``).
    extra_headers: Mapping[str, str]
    #: Query parameters added to the URL, for provider extensions the spec does not know.
    extra_query: Mapping[str, str]
    #: Scopes to ask for beyond the call's default (see :mod:`eduv.runtime.scopes`).
    scopes: Iterable[str]


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """The answer of a call with everything around the parsed value.

    ``status_code`` and ``headers`` are the HTTP answer's (``api_version`` is its
    ``API-Version`` header), ``http_response`` the ``httpx.Response`` itself, and
    ``problems`` the schema deviations lenient mode let through (empty in strict mode
    and for answers that match). :meth:`parse` returns what the plain call returns.
    """

    http_response: httpx.Response
    value: T
    problems: tuple[Finding, ...] = field(default=())

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def api_version(self) -> str | None:
        found: str | None = self.http_response.headers.get("API-Version")
        return found

    def parse(self) -> T:
        return self.value


# -- configuration from the environment -------------------------------------------------------

ENV_BASE_URL = "EDUV_BASE_URL"
ENV_TOKEN_URL = "EDUV_TOKEN_URL"
ENV_CLIENT_ID = "EDUV_CLIENT_ID"
ENV_CLIENT_SECRET = "EDUV_CLIENT_SECRET"
ENV_PRIVATE_KEY = "EDUV_PRIVATE_KEY"


def base_url_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    found = (os.environ if environ is None else environ).get(ENV_BASE_URL, "").strip()
    return found or None


def auth_from_env(environ: Mapping[str, str] | None = None) -> Auth | None:
    """Credentials from ``EDUV_CLIENT_ID``, ``EDUV_TOKEN_URL`` and ``EDUV_PRIVATE_KEY``
    (a PEM file's path or the PEM text) or ``EDUV_CLIENT_SECRET``; None when unset."""
    env = os.environ if environ is None else environ
    client_id = env.get(ENV_CLIENT_ID, "").strip()
    if not client_id:
        return None
    token_url = env.get(ENV_TOKEN_URL, "").strip()
    if not token_url:
        raise ValueError(f"{ENV_CLIENT_ID} is set but {ENV_TOKEN_URL} is not")
    from eduv.runtime.auth import ClientSecret, PrivateKeyJwt

    key = env.get(ENV_PRIVATE_KEY, "").strip()
    if key:
        pem = key.encode() if key.startswith("-----BEGIN") else key
        return PrivateKeyJwt(client_id=client_id, private_key=pem, token_url=token_url)
    secret = env.get(ENV_CLIENT_SECRET, "")
    if secret:
        return ClientSecret(client_id=client_id, client_secret=secret, token_url=token_url)
    raise ValueError(
        f"{ENV_CLIENT_ID} is set but neither {ENV_PRIVATE_KEY} nor {ENV_CLIENT_SECRET}"
    )
