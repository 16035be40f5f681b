"""The client runtime: the hand-written machinery the generated :mod:`eduv.client` builds on.

This is the named interface between generated and hand-written client code, and
everything here is public; users normally reach it through :mod:`eduv.client`, which
re-exports it. The generated package needs:

- :class:`BaseClient` and :class:`BaseAsyncClient`, which the generated ``Client`` and
  ``AsyncClient`` extend with one typed accessor per API (``client.association()``);
- :class:`SyncApi` and :class:`AsyncApi`, which the generated per-version classes extend
  with one typed method per operation, each calling ``self._call(operation_id, params,
  body)``;
- the authentication classes, the retry policy and the exception hierarchy, which it
  re-exports.

Other layers use the same names: the conformance suite fetches tokens with
:class:`ClientSecret`, :class:`PrivateKeyJwt` and :func:`read_token_response` and sets up
TLS with :func:`tls_context`.

Modules: :mod:`.flow` (one call, from checking its input to parsing its answer),
:mod:`.clients` (the base classes around it), :mod:`.auth`, :mod:`.retry`,
:mod:`.errors` and :mod:`.tls`.
"""

from __future__ import annotations

from eduv.runtime.auth import (
    Auth,
    BearerToken,
    ClientSecret,
    PrivateKeyJwt,
    ScopeError,
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
    ScopeRequiredError,
    ServerError,
    TimedOutError,
    TokenError,
    TransportError,
    UnknownOrganisationError,
)
from eduv.runtime.flow import Settings
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
    "Token",
    "TokenError",
    "TransportError",
    "UnknownOrganisationError",
    "read_token_response",
    "tls_context",
]
