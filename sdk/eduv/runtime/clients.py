"""The clients' base classes: settings, token cache and the drivers around one call flow.

The generated :mod:`eduv.client` subclasses :class:`BaseClient` and
:class:`BaseAsyncClient` with one typed accessor per API; the per-operation bases are in
:mod:`eduv.runtime.apis`.
"""

from __future__ import annotations

import copy
import dataclasses
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx

from eduv import spec
from eduv.runtime.auth import Auth
from eduv.runtime.errors import ClientClosedError
from eduv.runtime.flow import (
    Flow,
    Settings,
    TokenCache,
    Validation,
    VersionCheck,
    call_flow,
    run_async,
    run_sync,
)
from eduv.runtime.logs import configure_from_env
from eduv.runtime.options import (
    RawResponse,
    RequestOptions,
    Timeout,
    auth_from_env,
    base_url_from_env,
)
from eduv.runtime.retry import RetryPolicy
from eduv.runtime.tls import ClientCert, tls_context
from eduv.spec import Lang

DEFAULT_MAX_RETRIES = 2
DEFAULT_TIMEOUT = 30.0
_UNSET: Any = object()
H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Connection(Generic[H]):
    """The HTTP connection pool, shared by a client and its ``with_options`` copies."""

    def __init__(self, http: H) -> None:
        self.http: H = http
        self.closed = False


def _retry_policy(max_retries: int | None, retry: RetryPolicy | None) -> RetryPolicy:
    if max_retries is not None and max_retries < 0:
        raise ValueError("max_retries cannot be negative")
    if retry is not None and max_retries is not None:
        return dataclasses.replace(retry, attempts=max_retries + 1)
    if retry is not None:
        return retry
    return RetryPolicy(attempts=(DEFAULT_MAX_RETRIES if max_retries is None else max_retries) + 1)


def _settings(
    *,
    base_url: str | None,
    base_urls: Mapping[str, str] | None,
    auth: Auth | None,
    validation: Validation,
    version_check: VersionCheck,
    retry: RetryPolicy,
    lang: Lang,
    headers: Mapping[str, str] | None,
    clock: Callable[[], float],
    scopes: Iterable[str],
    timeout: Timeout,
) -> Settings:
    if validation not in ("strict", "lenient"):
        raise ValueError("validation must be 'strict' or 'lenient'")
    if version_check not in ("warn", "error", "ignore"):
        raise ValueError("version_check must be 'warn', 'error' or 'ignore'")
    if isinstance(scopes, str):
        raise TypeError("scopes is a list of scope names, not one string")
    urls = {spec.resolve_api(api): url for api, url in (base_urls or {}).items()}
    return Settings(
        base_url=base_url,
        base_urls=urls,
        auth=auth,
        validation=validation,
        version_check=version_check,
        retry=retry,
        lang=lang,
        headers=dict(headers or {}),
        clock=clock,
        scopes=tuple(scopes),
        timeout=timeout,
    )


class _ClientBase:
    """Settings and token cache shared by the sync and the async client."""

    _settings: Settings
    _tokens: TokenCache

    def _configure(
        self,
        *,
        base_url: str | None,
        base_urls: Mapping[str, str] | None,
        auth: Auth | None,
        validation: Validation,
        version_check: VersionCheck,
        max_retries: int | None,
        retry: RetryPolicy | None,
        timeout: Timeout,
        lang: Lang,
        headers: Mapping[str, str] | None,
        clock: Callable[[], float],
        scopes: Iterable[str],
    ) -> None:
        configure_from_env()
        if base_url is None and not base_urls:
            base_url = base_url_from_env()
        if auth is None:
            auth = auth_from_env()
        self._settings = _settings(
            base_url=base_url,
            base_urls=base_urls,
            auth=auth,
            validation=validation,
            version_check=version_check,
            retry=_retry_policy(max_retries, retry),
            lang=lang,
            headers=headers,
            clock=clock,
            scopes=scopes,
            timeout=timeout,
        )
        self._tokens = TokenCache()

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def max_retries(self) -> int:
        return self._settings.retry.attempts - 1

    @property
    def timeout(self) -> Timeout:
        return self._settings.timeout

    def _changed(self, changes: dict[str, Any]) -> Self:
        """A shallow copy with other settings; a new token cache when the auth changes."""
        twin = copy.copy(self)
        settings = self._settings
        if "max_retries" in changes or "retry" in changes:
            retry = changes.pop("retry", settings.retry)
            max_retries = changes.pop("max_retries", None)
            changes["retry"] = _retry_policy(max_retries, retry)
        if "base_urls" in changes:
            urls = changes["base_urls"] or {}
            changes["base_urls"] = {spec.resolve_api(a): u for a, u in urls.items()}
        if "scopes" in changes:
            changes["scopes"] = tuple(changes["scopes"])
        if "headers" in changes:
            changes["headers"] = dict(changes["headers"] or {})
        twin._settings = _settings(**{**_fields(settings), **changes})
        if "auth" in changes:
            twin._tokens = TokenCache()
        return twin

    def _flow(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any,
        options: RequestOptions | None,
    ) -> Flow:
        op = spec.operation(api, version, operation_id)
        return call_flow(self._settings, self._tokens, op, params, body, options)

    def __repr__(self) -> str:
        s = self._settings
        where = s.base_url if s.base_url or not s.base_urls else dict(s.base_urls)
        return (
            f"{type(self).__name__}(base_url={where!r}, auth={s.auth!r}, "
            f"validation={s.validation!r}, max_retries={self.max_retries}, "
            f"timeout={s.timeout!r}, scopes={list(s.scopes)!r})"
        )


def _fields(settings: Settings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "base_urls": settings.base_urls,
        "auth": settings.auth,
        "validation": settings.validation,
        "version_check": settings.version_check,
        "retry": settings.retry,
        "lang": settings.lang,
        "headers": settings.headers,
        "clock": settings.clock,
        "scopes": settings.scopes,
        "timeout": settings.timeout,
    }


def _changes(**given: Any) -> dict[str, Any]:
    return {name: value for name, value in given.items() if value is not _UNSET}


class BaseClient(_ClientBase):
    """The synchronous client; per-API accessors are generated on top (``eduv.client``).

    Every argument is a keyword. ``base_url`` is the server root for the default layout
    ``/{api-id}/v{major}/...``; ``base_urls`` maps API ids to complete prefixes where a
    provider differs. Without ``base_url``, ``base_urls`` and ``auth`` the client reads
    ``EDUV_BASE_URL``, ``EDUV_CLIENT_ID``, ``EDUV_TOKEN_URL`` and ``EDUV_PRIVATE_KEY`` or
    ``EDUV_CLIENT_SECRET``. ``scopes`` are asked for beyond each call's default, where
    the call accepts them; role scopes (delivery, entitlement, usage) must be given here.
    ``validation`` is ``"lenient"`` (the default) or ``"strict"``; ``version_check``
    ``"warn"``, ``"error"`` or ``"ignore"``. ``max_retries`` (2) counts the retries after
    the first try; ``retry`` sets the whole :class:`RetryPolicy`. ``timeout`` is in
    seconds (30) or an ``httpx.Timeout``. ``ca_bundle`` names a CA file to trust (e.g.
    PKIoverheid); ``client_cert`` is the certificate for mutual TLS: a PEM file holding
    certificate and key, ``(cert_file, key_file)`` or ``(cert_file, key_file,
    password)``; it is shown to the token endpoint too. ``verify=False`` switches server
    checks off; an ``ssl.SSLContext`` as ``verify`` is used as it is and excludes
    ``ca_bundle`` and ``client_cert``. Unusable certificate or key files raise
    ``ValueError``.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        base_urls: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        scopes: Iterable[str] = (),
        validation: Validation = "lenient",
        version_check: VersionCheck = "warn",
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
        client_cert: ClientCert | None = None,
        verify: bool | ssl.SSLContext = True,
        lang: Lang = "en",
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._configure(
            base_url=base_url,
            base_urls=base_urls,
            auth=auth,
            validation=validation,
            version_check=version_check,
            max_retries=max_retries,
            retry=retry,
            timeout=timeout,
            lang=lang,
            headers=headers,
            clock=clock,
            scopes=scopes,
        )
        http = httpx.Client(
            timeout=timeout, verify=tls_context(ca_bundle, verify, client_cert), transport=transport
        )
        self._connection = _Connection(http)
        self._sleep = sleep

    def with_options(
        self,
        *,
        base_url: str | None = _UNSET,
        base_urls: Mapping[str, str] | None = _UNSET,
        auth: Auth | None = _UNSET,
        scopes: Iterable[str] = _UNSET,
        validation: Validation = _UNSET,
        version_check: VersionCheck = _UNSET,
        max_retries: int = _UNSET,
        retry: RetryPolicy = _UNSET,
        timeout: Timeout = _UNSET,
        lang: Lang = _UNSET,
        headers: Mapping[str, str] | None = _UNSET,
    ) -> Self:
        """A copy with other settings that shares this client's connections.

        Closing either closes both; TLS settings and the transport cannot change here.
        """
        return self._changed(
            _changes(
                base_url=base_url,
                base_urls=base_urls,
                auth=auth,
                scopes=scopes,
                validation=validation,
                version_check=version_check,
                max_retries=max_retries,
                retry=retry,
                timeout=timeout,
                lang=lang,
                headers=headers,
            )
        )

    def call(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> Any:
        """Call any operation by name (the generated methods are the typed way)."""
        return self.call_raw(api, version, operation_id, params, body, options).value

    def call_raw(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> RawResponse[Any]:
        """Like :meth:`call`, with the status, headers and problems of the answer."""
        if self._connection.closed:
            raise ClientClosedError(f"{operation_id}: this client was closed")
        flow = self._flow(api, version, operation_id, params or {}, body, options)
        raw: RawResponse[Any] = run_sync(flow, self._connection.http, self._sleep)
        return raw

    def close(self) -> None:
        self._connection.closed = True
        self._connection.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class BaseAsyncClient(_ClientBase):
    """The asynchronous client: the same options and the same call logic as the sync one."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        base_urls: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        scopes: Iterable[str] = (),
        validation: Validation = "lenient",
        version_check: VersionCheck = "warn",
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
        client_cert: ClientCert | None = None,
        verify: bool | ssl.SSLContext = True,
        lang: Lang = "en",
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._configure(
            base_url=base_url,
            base_urls=base_urls,
            auth=auth,
            validation=validation,
            version_check=version_check,
            max_retries=max_retries,
            retry=retry,
            timeout=timeout,
            lang=lang,
            headers=headers,
            clock=clock,
            scopes=scopes,
        )
        http = httpx.AsyncClient(
            timeout=timeout, verify=tls_context(ca_bundle, verify, client_cert), transport=transport
        )
        self._connection = _Connection(http)
        self._sleep = sleep or _async_sleep

    def with_options(
        self,
        *,
        base_url: str | None = _UNSET,
        base_urls: Mapping[str, str] | None = _UNSET,
        auth: Auth | None = _UNSET,
        scopes: Iterable[str] = _UNSET,
        validation: Validation = _UNSET,
        version_check: VersionCheck = _UNSET,
        max_retries: int = _UNSET,
        retry: RetryPolicy = _UNSET,
        timeout: Timeout = _UNSET,
        lang: Lang = _UNSET,
        headers: Mapping[str, str] | None = _UNSET,
    ) -> Self:
        """A copy with other settings that shares this client's connections."""
        return self._changed(
            _changes(
                base_url=base_url,
                base_urls=base_urls,
                auth=auth,
                scopes=scopes,
                validation=validation,
                version_check=version_check,
                max_retries=max_retries,
                retry=retry,
                timeout=timeout,
                lang=lang,
                headers=headers,
            )
        )

    async def call(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> Any:
        """Call any operation by name (the generated methods are the typed way)."""
        raw = await self.call_raw(api, version, operation_id, params, body, options)
        return raw.value

    async def call_raw(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions | None = None,
    ) -> RawResponse[Any]:
        """Like :meth:`call`, with the status, headers and problems of the answer."""
        if self._connection.closed:
            raise ClientClosedError(f"{operation_id}: this client was closed")
        flow = self._flow(api, version, operation_id, params or {}, body, options)
        raw: RawResponse[Any] = await run_async(flow, self._connection.http, self._sleep)
        return raw

    async def aclose(self) -> None:
        self._connection.closed = True
        await self._connection.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _async_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)
