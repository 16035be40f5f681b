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
:mod:`.clients` (the base classes around it), :mod:`.apis` (the bases of the generated
per-version classes), :mod:`.auth`, :mod:`.scopes` (which scopes a call asks for),
:mod:`.options` (per-call options, the raw response and the environment), :mod:`.logs`
(the ``eduv`` loggers), :mod:`.retry`, :mod:`.errors` and :mod:`.tls`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from eduv.runtime.apis import AsyncApi as AsyncApi
    from eduv.runtime.apis import SyncApi as SyncApi
    from eduv.runtime.auth import Auth as Auth
    from eduv.runtime.auth import BearerToken as BearerToken
    from eduv.runtime.auth import ClientSecret as ClientSecret
    from eduv.runtime.auth import PrivateKeyJwt as PrivateKeyJwt
    from eduv.runtime.auth import Token as Token
    from eduv.runtime.auth import read_token_response as read_token_response
    from eduv.runtime.clients import BaseAsyncClient as BaseAsyncClient
    from eduv.runtime.clients import BaseClient as BaseClient
    from eduv.runtime.errors import ApiError as ApiError
    from eduv.runtime.errors import ApiVersionMismatchError as ApiVersionMismatchError
    from eduv.runtime.errors import ApiVersionWarning as ApiVersionWarning
    from eduv.runtime.errors import AuthenticationError as AuthenticationError
    from eduv.runtime.errors import BadRequestError as BadRequestError
    from eduv.runtime.errors import ClientClosedError as ClientClosedError
    from eduv.runtime.errors import ConnectError as ConnectError
    from eduv.runtime.errors import ConsentReferenceError as ConsentReferenceError
    from eduv.runtime.errors import ConsentRequiredError as ConsentRequiredError
    from eduv.runtime.errors import ConsumerReferenceUnknownError as ConsumerReferenceUnknownError
    from eduv.runtime.errors import ConsumerReferenceUsedError as ConsumerReferenceUsedError
    from eduv.runtime.errors import EduvError as EduvError
    from eduv.runtime.errors import MethodNotAllowedError as MethodNotAllowedError
    from eduv.runtime.errors import NotFoundError as NotFoundError
    from eduv.runtime.errors import OtherReasonError as OtherReasonError
    from eduv.runtime.errors import PermissionDeniedError as PermissionDeniedError
    from eduv.runtime.errors import ProviderReferenceUnknownError as ProviderReferenceUnknownError
    from eduv.runtime.errors import ProviderReferenceUsedError as ProviderReferenceUsedError
    from eduv.runtime.errors import RateLimitError as RateLimitError
    from eduv.runtime.errors import RequestValidationError as RequestValidationError
    from eduv.runtime.errors import ResponseValidationError as ResponseValidationError
    from eduv.runtime.errors import ResponseValidationWarning as ResponseValidationWarning
    from eduv.runtime.errors import SchemaIncorrectError as SchemaIncorrectError
    from eduv.runtime.errors import SchemaVersionNotSupportedError as SchemaVersionNotSupportedError
    from eduv.runtime.errors import ScopeError as ScopeError
    from eduv.runtime.errors import ScopeRequiredError as ScopeRequiredError
    from eduv.runtime.errors import ServerError as ServerError
    from eduv.runtime.errors import TimedOutError as TimedOutError
    from eduv.runtime.errors import TokenError as TokenError
    from eduv.runtime.errors import TransportError as TransportError
    from eduv.runtime.errors import UnexpectedResponseError as UnexpectedResponseError
    from eduv.runtime.errors import UnknownOrganisationError as UnknownOrganisationError
    from eduv.runtime.flow import Settings as Settings
    from eduv.runtime.options import RawResponse as RawResponse
    from eduv.runtime.options import RequestOptions as RequestOptions
    from eduv.runtime.options import Timeout as Timeout
    from eduv.runtime.retry import NO_RETRY as NO_RETRY
    from eduv.runtime.retry import RetryPolicy as RetryPolicy
    from eduv.runtime.tls import ClientCert as ClientCert
    from eduv.runtime.tls import tls_context as tls_context

# Each name loads its module on first use, so that a part of eduv that needs only TLS or
# the errors does not import the whole client (httpx, pydantic, the validators).
_LAZY: dict[str, str] = {
    "Auth": "eduv.runtime.auth",
    "BearerToken": "eduv.runtime.auth",
    "ClientSecret": "eduv.runtime.auth",
    "PrivateKeyJwt": "eduv.runtime.auth",
    "Token": "eduv.runtime.auth",
    "read_token_response": "eduv.runtime.auth",
    "AsyncApi": "eduv.runtime.apis",
    "BaseAsyncClient": "eduv.runtime.clients",
    "BaseClient": "eduv.runtime.clients",
    "SyncApi": "eduv.runtime.apis",
    "ApiError": "eduv.runtime.errors",
    "ApiVersionMismatchError": "eduv.runtime.errors",
    "ApiVersionWarning": "eduv.runtime.errors",
    "AuthenticationError": "eduv.runtime.errors",
    "BadRequestError": "eduv.runtime.errors",
    "ClientClosedError": "eduv.runtime.errors",
    "ConnectError": "eduv.runtime.errors",
    "ConsentReferenceError": "eduv.runtime.errors",
    "ConsentRequiredError": "eduv.runtime.errors",
    "ConsumerReferenceUnknownError": "eduv.runtime.errors",
    "ConsumerReferenceUsedError": "eduv.runtime.errors",
    "EduvError": "eduv.runtime.errors",
    "MethodNotAllowedError": "eduv.runtime.errors",
    "NotFoundError": "eduv.runtime.errors",
    "OtherReasonError": "eduv.runtime.errors",
    "PermissionDeniedError": "eduv.runtime.errors",
    "ProviderReferenceUnknownError": "eduv.runtime.errors",
    "ProviderReferenceUsedError": "eduv.runtime.errors",
    "RateLimitError": "eduv.runtime.errors",
    "RequestValidationError": "eduv.runtime.errors",
    "ResponseValidationError": "eduv.runtime.errors",
    "ResponseValidationWarning": "eduv.runtime.errors",
    "SchemaIncorrectError": "eduv.runtime.errors",
    "SchemaVersionNotSupportedError": "eduv.runtime.errors",
    "ScopeError": "eduv.runtime.errors",
    "ScopeRequiredError": "eduv.runtime.errors",
    "ServerError": "eduv.runtime.errors",
    "TimedOutError": "eduv.runtime.errors",
    "TokenError": "eduv.runtime.errors",
    "TransportError": "eduv.runtime.errors",
    "UnexpectedResponseError": "eduv.runtime.errors",
    "UnknownOrganisationError": "eduv.runtime.errors",
    "Settings": "eduv.runtime.flow",
    "RawResponse": "eduv.runtime.options",
    "RequestOptions": "eduv.runtime.options",
    "Timeout": "eduv.runtime.options",
    "NO_RETRY": "eduv.runtime.retry",
    "RetryPolicy": "eduv.runtime.retry",
    "ClientCert": "eduv.runtime.tls",
    "tls_context": "eduv.runtime.tls",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eduv.runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
