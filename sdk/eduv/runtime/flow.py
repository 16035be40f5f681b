"""The logic of a client call, written once for the sync and the async client.

This module is the client's engine room; :mod:`eduv.runtime.clients` drives it.

A call is a generator (:func:`call_flow`) that yields what it needs done, sending an
HTTP request (:class:`Send`) or waiting (:class:`Sleep`), and receives the outcome:
an ``httpx.Response`` or the ``httpx.TransportError`` that prevented one. It checks
the parameters and body, fetches and caches tokens, retries, checks the API-Version
header, maps errors and validates and parses the answer. :class:`Client` and
:class:`AsyncClient` only drive it with ``httpx.Client`` or ``httpx.AsyncClient``.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import httpx
import orjson

from eduv import params, spec
from eduv.findings import Finding
from eduv.parsing import dump
from eduv.runtime.auth import Auth, Token
from eduv.runtime.errors import (
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
from eduv.runtime.retry import RetryPolicy
from eduv.spec import Lang
from eduv.validation.engine import schema_findings, target
from eduv.version import __version__

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
    return params.encode_value(value)


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
    payload = dump(body)
    goal = target(op.api, op.version, op.request.message, array=op.request.array)
    if not goal.validator.is_valid(payload):
        _refuse(op, op.request.message, schema_findings(goal, payload, lang))
    return payload


def _checked_params(op: spec.Operation, given: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    values = {k: v for k, v in given.items() if v is not None}
    plain = {k: _plain_value(v) for k, v in values.items()}
    goal = target(op.api, op.version, op.parameters, array=False)
    if not goal.validator.is_valid(plain):
        _refuse(op, op.parameters, schema_findings(goal, plain, lang))
    return values


def _build_request(
    settings: Settings,
    op: spec.Operation,
    values: Mapping[str, Any],
    payload: Any,
    token: str | None,
) -> httpx.Request:
    url = settings.prefix(op.api, op.version) + params.expand_path(op.path, values)
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
    query = httpx.QueryParams(tuple(params.query_pairs(op, values)))
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
    goal = target(op.api, op.version, body.message, array=body.array, strict=strict)
    if not goal.validator.is_valid(data):
        findings = schema_findings(goal, data, settings.lang)
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
    given: Mapping[str, Any],
    body: Any = None,
) -> Flow:
    """One call of an operation, from checking its input to parsing its answer."""
    values = _checked_params(op, given, settings.lang)
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
