"""The logic of a client call, written once for the sync and the async client.

A call is a generator (:func:`call_flow`) that yields what it needs done, sending an
HTTP request (:class:`Send`) or waiting (:class:`Sleep`), and receives the outcome:
an ``httpx.Response`` or the ``httpx.TransportError`` that prevented one. It checks
the parameters and body, fetches and caches tokens, retries, checks the API-Version
header, maps errors and validates and parses the answer. :class:`Client` and
:class:`AsyncClient` only drive it with ``httpx.Client`` or ``httpx.AsyncClient``.
"""

from __future__ import annotations

import importlib
import ssl
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Literal, Self, TypeAlias

import httpx
import orjson

from eduv import __version__, _params, spec
from eduv._auth import Auth, Token
from eduv._engine import Target, schema_findings
from eduv._exceptions import (
    ApiVersionMismatchError,
    ApiVersionWarning,
    ConnectError,
    RequestValidationError,
    ResponseValidationError,
    ResponseValidationWarning,
    TimedOutError,
    TokenError,
    TransportError,
    error_for,
)
from eduv._i18n import Lang
from eduv._report import Finding
from eduv._retry import RetryPolicy

Validation = Literal["strict", "lenient"]
VersionCheck = Literal["warn", "error", "ignore"]
USER_AGENT = f"eduv/{__version__}"


@dataclass(frozen=True)
class Send:
    request: httpx.Request


@dataclass(frozen=True)
class Sleep:
    seconds: float


Step: TypeAlias = Send | Sleep
Outcome: TypeAlias = httpx.Response | httpx.TransportError | None
Flow: TypeAlias = Generator[Step, Outcome, Any]


@dataclass(frozen=True)
class Settings:
    """Everything a call needs to know about the client that makes it."""

    base_url: str | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    auth: Auth | None = None
    validation: Validation = "lenient"
    version_check: VersionCheck = "warn"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lang: Lang = "en"
    headers: Mapping[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time

    def prefix(self, api: str, version: str) -> str:
        """The URL before an operation's path: per-API base, else ``/{api-id}/v{major}``."""
        explicit = self.base_urls.get(api)
        if explicit is not None:
            return explicit.rstrip("/")
        if self.base_url is None:
            raise ValueError(f"no base URL for {api}: give base_url or base_urls[{api!r}]")
        major = spec.api_version(api, version).major
        return f"{self.base_url.rstrip('/')}/{api}/v{major}"


class TokenCache:
    """Tokens per requested scope set, shared by the threads that use one client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], Token] = {}

    def get(self, scopes: tuple[str, ...], now: float) -> str | None:
        with self._lock:
            token = self._tokens.get(scopes)
        return token.value if token is not None and token.fresh(now) else None

    def put(self, scopes: tuple[str, ...], token: Token) -> None:
        with self._lock:
            self._tokens[scopes] = token

    def drop(self, scopes: tuple[str, ...]) -> None:
        with self._lock:
            self._tokens.pop(scopes, None)


# -- request side -----------------------------------------------------------------------


def _plain_value(value: Any) -> Any:
    """A parameter as the parameter schema sees it (dates and times as text)."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    return _params.encode_value(value)


def _dump(body: Any) -> Any:
    if isinstance(body, list):
        return [_dump(item) for item in body]
    dump = getattr(body, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True)
    return body


def _refuse(op: spec.Operation, message: str, findings: list[Finding]) -> None:
    if findings:
        raise RequestValidationError(op.operation_id, message, findings)


def _checked_body(op: spec.Operation, body: Any, lang: Lang) -> Any:
    if op.request is None:
        if body is not None:
            raise RequestValidationError(
                op.operation_id, "request", [Finding("schema", "this operation takes no body")]
            )
        return None
    if body is None:
        return None
    payload = _dump(body)
    target = Target(op.api, op.version, op.request.message, op.request.array)
    if not target.validator.is_valid(payload):
        _refuse(op, op.request.message, schema_findings(target, payload, lang))
    return payload


def _checked_params(op: spec.Operation, params: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    values = {k: v for k, v in params.items() if v is not None}
    plain = {k: _plain_value(v) for k, v in values.items()}
    target = Target(op.api, op.version, op.parameters)
    if not target.validator.is_valid(plain):
        _refuse(op, op.parameters, schema_findings(target, plain, lang))
    return values


def _build_request(
    settings: Settings,
    op: spec.Operation,
    values: Mapping[str, Any],
    payload: Any,
    token: str | None,
) -> httpx.Request:
    url = settings.prefix(op.api, op.version) + _params.expand_path(op.path, values)
    headers = {
        "Accept": "application/json",
        "API-Version": op.version,
        "User-Agent": USER_AGENT,
        **settings.headers,
    }
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = None
    if payload is not None or (op.request is not None and op.request_required):
        content = orjson.dumps(payload)
        headers["Content-Type"] = "application/json"
    query = httpx.QueryParams(tuple(_params.query_pairs(op, values)))
    return httpx.Request(op.method, url, params=query, headers=headers, content=content)


# -- tokens -------------------------------------------------------------------------------


def _token_flow(
    settings: Settings, cache: TokenCache, scopes: tuple[str, ...]
) -> Generator[Step, Outcome, str | None]:
    auth = settings.auth
    if auth is None:
        return None
    static = auth.static_token()
    if static is not None:
        return static
    cached = cache.get(scopes, settings.clock())
    if cached is not None:
        return cached
    policy = settings.retry
    for attempt in range(1, policy.attempts + 1):
        request = auth.token_request(scopes, settings.clock())
        outcome = yield Send(request)
        last = attempt == policy.attempts
        if isinstance(outcome, httpx.TransportError):
            if last:
                raise TokenError(f"the token endpoint {request.url} cannot be reached: {outcome}")
            yield Sleep(policy.delay(attempt))
            continue
        assert isinstance(outcome, httpx.Response)
        if policy.retries_status(outcome.status_code) and not last:
            yield Sleep(policy.delay(attempt, outcome.headers.get("Retry-After")))
            continue
        token = auth.read_token(outcome, scopes, settings.clock())
        cache.put(scopes, token)
        return token.value
    raise AssertionError("unreachable: the last attempt returns or raises")


# -- response side ------------------------------------------------------------------------


def _transport_error(error: httpx.TransportError, request: httpx.Request) -> TransportError:
    where = f"{request.method} {request.url}"
    if isinstance(error, httpx.TimeoutException):
        return TimedOutError(f"{where}: no answer in time ({type(error).__name__})", request)
    return ConnectError(f"{where}: {error or type(error).__name__}", request)


def _check_version(settings: Settings, op: spec.Operation, response: httpx.Response) -> None:
    if settings.version_check == "ignore":
        return
    answered = response.headers.get("API-Version")
    if answered == op.version:
        return
    problem = ApiVersionMismatchError(op.version, answered, response.request)
    if settings.version_check == "error":
        raise problem
    warnings.warn(str(problem), ApiVersionWarning, stacklevel=4)


def _model(op: spec.Operation, message: str) -> Any:
    from eduv.models import model

    return model(op.api, op.version, message)


def _parse(cls: Any, data: Any, lenient: bool) -> Any:
    from pydantic import ValidationError

    try:
        return cls.model_validate(data)
    except ValidationError:
        if not lenient or not isinstance(data, dict):
            raise
        # The schema problems were already reported as a warning; keep the data as sent.
        return cls.model_construct(**data)


def _result(settings: Settings, op: spec.Operation, response: httpx.Response) -> Any:
    body = op.responses.get(str(response.status_code))
    if body is None:
        return None
    strict = settings.validation == "strict"
    try:
        data = response.json()
    except ValueError:
        finding = Finding("protocol", f"the {body.message} answer is not JSON")
        if strict:
            raise ResponseValidationError(body.message, [finding], response) from None
        warnings.warn(finding.message, ResponseValidationWarning, stacklevel=4)
        return None
    target = Target(op.api, op.version, body.message, body.array, strict)
    if not target.validator.is_valid(data):
        findings = schema_findings(target, data, settings.lang)
        if strict:
            raise ResponseValidationError(body.message, findings, response)
        problem = ResponseValidationError(body.message, findings, response)
        warnings.warn(str(problem), ResponseValidationWarning, stacklevel=4)
    cls = _model(op, body.message)
    if body.array and isinstance(data, list):
        return [_parse(cls, item, not strict) for item in data]
    return _parse(cls, data, not strict)


def call_flow(
    settings: Settings,
    cache: TokenCache,
    op: spec.Operation,
    params: Mapping[str, Any],
    body: Any = None,
) -> Flow:
    """One call of an operation, from checking its input to parsing its answer."""
    values = _checked_params(op, params, settings.lang)
    payload = _checked_body(op, body, settings.lang)
    scopes = settings.auth.scopes_for(op.operation_id, op.scopes) if settings.auth else ()
    policy = settings.retry
    retryable = op.read_only or op.idempotent
    attempt = 0
    renewed = False
    while True:
        attempt += 1
        token = yield from _token_flow(settings, cache, scopes)
        request = _build_request(settings, op, values, payload, token)
        outcome = yield Send(request)
        more = retryable and attempt < policy.attempts
        if isinstance(outcome, httpx.TransportError):
            if not more:
                raise _transport_error(outcome, request)
            yield Sleep(policy.delay(attempt))
            continue
        assert isinstance(outcome, httpx.Response)
        response = outcome
        if response.status_code == 401 and _renewable(settings, renewed):
            # A token can be revoked before it expires: get a new one, once.
            cache.drop(scopes)
            renewed = True
            attempt -= 1
            continue
        if more and policy.retries_status(response.status_code):
            yield Sleep(policy.delay(attempt, response.headers.get("Retry-After")))
            continue
        break
    if not response.is_success:
        raise error_for(response)
    # Only answers are checked: an error may come from a gateway that knows no versions.
    _check_version(settings, op, response)
    return _result(settings, op, response)


def _renewable(settings: Settings, renewed: bool) -> bool:
    auth = settings.auth
    return not renewed and auth is not None and auth.static_token() is None


# -- drivers --------------------------------------------------------------------------------


def run_sync(flow: Flow, http: httpx.Client, sleep: Callable[[float], None]) -> Any:
    try:
        step = next(flow)
        while True:
            if isinstance(step, Sleep):
                sleep(step.seconds)
                step = flow.send(None)
                continue
            try:
                response = http.send(step.request)
            except httpx.TransportError as error:
                step = flow.send(error)
            else:
                step = flow.send(response)
    except StopIteration as done:
        return done.value


async def run_async(
    flow: Flow, http: httpx.AsyncClient, sleep: Callable[[float], Awaitable[None]]
) -> Any:
    try:
        step = next(flow)
        while True:
            if isinstance(step, Sleep):
                await sleep(step.seconds)
                step = flow.send(None)
                continue
            try:
                response = await http.send(step.request)
            except httpx.TransportError as error:
                step = flow.send(error)
            else:
                step = flow.send(response)
    except StopIteration as done:
        return done.value


# -- the clients ------------------------------------------------------------------------------


ClientCert: TypeAlias = str | tuple[str, str] | tuple[str, str, str]


def tls_context(
    ca_bundle: str | None = None,
    verify: bool | ssl.SSLContext = True,
    client_cert: ClientCert | None = None,
) -> bool | ssl.SSLContext:
    """The ``verify`` setting for httpx: which servers to trust and which certificate to show.

    ``ca_bundle`` names a CA file to trust (e.g. the PKIoverheid roots); ``client_cert`` is
    a PEM file with certificate and key, ``(cert_file, key_file)`` or ``(cert_file,
    key_file, password)`` for mutual TLS. ``verify=False`` switches server checks off,
    also with a CA bundle; an ``SSLContext`` is used as it is. Bad certificate or key
    files raise ``ValueError`` naming the file and the reason.
    """
    if isinstance(verify, ssl.SSLContext):
        if ca_bundle is not None or client_cert is not None:
            raise ValueError(
                "verify is an SSLContext, so TLS is set up by the caller: load the CA bundle "
                "and the client certificate into that context instead of passing "
                "ca_bundle or client_cert"
            )
        return verify
    if client_cert is None and (ca_bundle is None or not verify):
        return verify
    if verify:
        # Without a bundle, trust what httpx trusts by default (certifi), so that adding a
        # client certificate does not change which servers are accepted.
        import certifi

        context = ssl.create_default_context(cafile=ca_bundle or certifi.where())
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client_cert is not None:
        _load_client_cert(context, client_cert)
    return context


class _NoPasswordError(Exception):
    """Raised from the password callback: OpenSSL would otherwise prompt on the terminal."""


def _load_client_cert(context: ssl.SSLContext, client_cert: ClientCert) -> None:
    key: str | None = None
    password: str | None = None
    match client_cert:
        case str(cert):
            pass
        case (str(cert), str(key)):
            pass
        case (str(cert), str(key), str(password)):
            pass
        case _:
            raise ValueError(
                "client_cert is a PEM file, (cert_file, key_file) or "
                f"(cert_file, key_file, password), not {_shape(client_cert)}"
            )
    _readable("client certificate", cert)
    if key is not None:
        _readable("client key", key)
    # OpenSSL's errors do not say which of the two files is wrong; this check on the
    # certificate alone does.
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=cert)
    except ssl.SSLError:
        raise ValueError(f"client certificate '{cert}': no PEM certificate in it") from None
    asked = False

    def give_password() -> str:
        nonlocal asked
        asked = True
        if password is None:
            raise _NoPasswordError
        return password

    key_name = key or cert
    try:
        context.load_cert_chain(cert, key, give_password)
    except _NoPasswordError:
        raise ValueError(
            f"client key '{key_name}' is encrypted and no password was given"
        ) from None
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise ValueError(
                f"client certificate '{cert}' and key '{key_name}' do not match"
            ) from None
        if asked:
            reason = "wrong password or not a PEM key"
        elif key is None:
            reason = "no PEM private key in it; give the key file too"
        else:
            reason = "not a PEM private key"
        raise ValueError(f"could not load client key '{key_name}': {reason}") from None


def _shape(value: object) -> str:
    # Never the value itself: it may hold the key's password.
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _readable(what: str, path: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise ValueError(f"{what} '{path}': no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{what} '{path}': a folder, not a file") from None
    except PermissionError:
        raise ValueError(f"{what} '{path}': permission denied") from None
    except OSError as error:
        raise ValueError(f"{what} '{path}': {error.strerror or error}") from None


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


def _api_class(api: str, version: str | None, prefix: str) -> type[Any]:
    """The generated class of one API version (``Api`` or ``AsyncApi`` in its module)."""
    api_id, resolved = spec.resolve_version(api, version)
    module = importlib.import_module(
        f"eduv.client.{api_id.replace('-', '_')}.v{resolved.replace('.', '_')}"
    )
    cls: type[Any] = getattr(module, f"{prefix}Api")
    return cls


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

    def api(self, api: str, version: str | None = None) -> Any:
        """The operations of one API version (untyped; the named accessors are typed)."""
        return _api_class(api, version, "")(self)

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

    def api(self, api: str, version: str | None = None) -> Any:
        return _api_class(api, version, "Async")(self)

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
