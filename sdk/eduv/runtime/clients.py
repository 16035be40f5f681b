"""The clients' base classes: settings, token cache and the drivers around one call flow.

The generated :mod:`eduv.client` subclasses :class:`BaseClient` and
:class:`BaseAsyncClient` with one typed accessor per API, and :class:`SyncApi` and
:class:`AsyncApi` with one typed method per operation.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self

import httpx

from eduv import spec
from eduv.runtime.auth import Auth
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
from eduv.runtime.retry import RetryPolicy
from eduv.runtime.tls import ClientCert, tls_context
from eduv.spec import Lang


def _settings(
    base_url: str | None,
    base_urls: Mapping[str, str] | None,
    auth: Auth | None,
    validation: Validation,
    version_check: VersionCheck,
    retry: RetryPolicy | None,
    lang: Lang,
    headers: Mapping[str, str] | None,
    clock: Callable[[], float],
) -> Settings:
    if validation not in ("strict", "lenient"):
        raise ValueError("validation must be 'strict' or 'lenient'")
    if version_check not in ("warn", "error", "ignore"):
        raise ValueError("version_check must be 'warn', 'error' or 'ignore'")
    urls = {spec.resolve_api(api): url for api, url in (base_urls or {}).items()}
    return Settings(
        base_url,
        urls,
        auth,
        validation,
        version_check,
        retry or RetryPolicy(),
        lang,
        dict(headers or {}),
        clock,
    )


class _ClientBase:
    """Settings and token cache shared by the sync and the async client."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        base_urls: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        validation: Validation = "lenient",
        version_check: VersionCheck = "warn",
        retry: RetryPolicy | None = None,
        lang: Lang = "en",
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = _settings(
            base_url, base_urls, auth, validation, version_check, retry, lang, headers, clock
        )
        self._tokens = TokenCache()

    @property
    def settings(self) -> Settings:
        return self._settings

    def _flow(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any],
        body: Any,
    ) -> Flow:
        op = spec.operation(api, version, operation_id)
        return call_flow(self._settings, self._tokens, op, params, body)


class BaseClient(_ClientBase):
    """The synchronous client; per-API accessors are generated on top (``eduv.client``).

    ``base_url`` is the server root for the default layout ``/{api-id}/v{major}/...``;
    ``base_urls`` maps API ids to complete prefixes where a provider differs.
    ``ca_bundle`` names a CA file to trust (e.g. PKIoverheid); ``client_cert`` is the
    certificate for mutual TLS: a PEM file holding certificate and key, ``(cert_file,
    key_file)`` or ``(cert_file, key_file, password)``; it is shown to the token endpoint
    too. ``verify=False`` switches server checks off; an ``ssl.SSLContext`` as ``verify``
    is used as it is and excludes ``ca_bundle`` and ``client_cert``. Unusable certificate
    or key files raise ``ValueError``. ``timeout`` is in seconds.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        base_urls: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        validation: Validation = "lenient",
        version_check: VersionCheck = "warn",
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = 30.0,
        ca_bundle: str | None = None,
        client_cert: ClientCert | None = None,
        verify: bool | ssl.SSLContext = True,
        lang: Lang = "en",
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            base_url,
            base_urls=base_urls,
            auth=auth,
            validation=validation,
            version_check=version_check,
            retry=retry,
            lang=lang,
            headers=headers,
            clock=clock,
        )
        self._http = httpx.Client(
            timeout=timeout, verify=tls_context(ca_bundle, verify, client_cert), transport=transport
        )
        self._sleep = sleep

    def call(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Call any operation by name (the generated methods are the typed way)."""
        flow = self._flow(api, version, operation_id, params or {}, body)
        return run_sync(flow, self._http, self._sleep)

    def close(self) -> None:
        self._http.close()

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
        validation: Validation = "lenient",
        version_check: VersionCheck = "warn",
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = 30.0,
        ca_bundle: str | None = None,
        client_cert: ClientCert | None = None,
        verify: bool | ssl.SSLContext = True,
        lang: Lang = "en",
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            base_url,
            base_urls=base_urls,
            auth=auth,
            validation=validation,
            version_check=version_check,
            retry=retry,
            lang=lang,
            headers=headers,
            clock=clock,
        )
        self._http = httpx.AsyncClient(
            timeout=timeout, verify=tls_context(ca_bundle, verify, client_cert), transport=transport
        )
        self._sleep = sleep or _async_sleep

    async def call(
        self,
        api: str,
        version: str | None,
        operation_id: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Call any operation by name (the generated methods are the typed way)."""
        flow = self._flow(api, version, operation_id, params or {}, body)
        return await run_async(flow, self._http, self._sleep)

    async def aclose(self) -> None:
        await self._http.aclose()

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


class SyncApi:
    """Base of the generated per-API-version classes of the sync client."""

    api_id: ClassVar[str]
    version: ClassVar[str]

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def _call(self, operation_id: str, params: Mapping[str, Any], body: Any = None) -> Any:
        return self._client.call(self.api_id, self.version, operation_id, params, body)


class AsyncApi:
    """Base of the generated per-API-version classes of the async client."""

    api_id: ClassVar[str]
    version: ClassVar[str]

    def __init__(self, client: BaseAsyncClient) -> None:
        self._client = client

    async def _call(self, operation_id: str, params: Mapping[str, Any], body: Any = None) -> Any:
        return await self._client.call(self.api_id, self.version, operation_id, params, body)
