"""The client runtime: the hand-written machinery the generated :mod:`eduv.client` builds on.

This is the named interface between generated and hand-written client code, and
everything here is public; users normally reach it through :mod:`eduv.client`, which
re-exports it. The generated package needs:

- :class:`BaseClient` and :class:`BaseAsyncClient`, which the generated ``Client`` and
  ``AsyncClient`` extend with one typed accessor per API (``client.association()``);
- :class:`SyncApi` and :class:`AsyncApi`, which the generated per-version classes extend
  with one typed method per operation, each calling ``self._call(operation_id, params,
  body)``;
- the authentication classes, the retry policy, the per-call options
  (:class:`RequestOptions`, which every generated method takes as keyword arguments),
  :class:`RawResponse` (what the generated ``with_raw_response`` methods return) and the
  exception hierarchy, which it re-exports.

Other layers use the same names: the conformance suite fetches tokens with
:class:`ClientSecret`, :class:`PrivateKeyJwt` and :func:`read_token_response` and sets up
TLS with :func:`tls_context`.

Modules: :mod:`.flow` (one call, from checking its input to parsing its answer),
:mod:`.clients` (the base classes around it), :mod:`.auth`, :mod:`.scopes` (which
scopes a call asks for), :mod:`.options` (per-call options, the raw response and the
environment), :mod:`.logs` (the ``eduv`` loggers), :mod:`.retry`, :mod:`.errors` and
:mod:`.tls`.
"""

from __future__ import annotations

from eduv.runtime.auth import (
    Auth,
    BearerToken,
    ClientSecret,
    PrivateKeyJwt,
    Token,
    read_token_response,
)
from eduv.runtime.clients import AsyncApi, BaseAsyncClient, BaseClient, SyncApi
from eduv.runtime.errors import (
    ApiError,
    ApiVersionMismatchError,
    ApiVersionWarning,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConnectError,
    ConsentReferenceError,
    ConsentRequiredError,
    ConsumerReferenceUnknownError,
    ConsumerReferenceUsedError,
    EduvError,
    MethodNotAllowedError,
    NotFoundError,
    OtherReasonError,
    PermissionDeniedError,
    ProviderReferenceUnknownError,
    ProviderReferenceUsedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    ResponseValidationWarning,
    SchemaIncorrectError,
    SchemaVersionNotSupportedError,
    ScopeError,
    ScopeRequiredError,
    ServerError,
    TimedOutError,
    TokenError,
    TransportError,
    UnexpectedResponseError,
    UnknownOrganisationError,
)
from eduv.runtime.flow import Settings
from eduv.runtime.options import RawResponse, RequestOptions, Timeout
from eduv.runtime.retry import NO_RETRY, RetryPolicy
from eduv.runtime.tls import ClientCert, tls_context

__all__ = [
    "NO_RETRY",
    "ApiError",
    "ApiVersionMismatchError",
    "ApiVersionWarning",
    "AsyncApi",
    "Auth",
    "AuthenticationError",
    "BadRequestError",
    "BaseAsyncClient",
    "BaseClient",
    "BearerToken",
    "ClientCert",
    "ClientClosedError",
    "ClientSecret",
    "ConnectError",
    "ConsentReferenceError",
    "ConsentRequiredError",
    "ConsumerReferenceUnknownError",
    "ConsumerReferenceUsedError",
    "EduvError",
    "MethodNotAllowedError",
    "NotFoundError",
    "OtherReasonError",
    "PermissionDeniedError",
    "PrivateKeyJwt",
    "ProviderReferenceUnknownError",
    "ProviderReferenceUsedError",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "RequestValidationError",
    "ResponseValidationError",
    "ResponseValidationWarning",
    "RetryPolicy",
    "SchemaIncorrectError",
    "SchemaVersionNotSupportedError",
    "ScopeError",
    "ScopeRequiredError",
    "ServerError",
    "Settings",
    "SyncApi",
    "TimedOutError",
    "Timeout",
    "Token",
    "TokenError",
    "TransportError",
    "UnexpectedResponseError",
    "UnknownOrganisationError",
    "read_token_response",
    "tls_context",
]
