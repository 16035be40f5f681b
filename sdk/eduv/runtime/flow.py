"""The logic of a client call, written once for the sync and the async client.

This module is the client's engine room; :mod:`eduv.runtime.clients` drives it.

A call is a generator (:func:`call_flow`) that yields what it needs done, sending an
HTTP request (:class:`Send`) or waiting (:class:`Sleep`), and receives the outcome:
an ``httpx.Response`` or the ``httpx.TransportError`` that prevented one. It checks
the parameters and body, fetches and caches tokens, retries, checks the API-Version
header, maps errors and validates and parses the answer. :class:`Client` and
:class:`AsyncClient` only drive it with ``httpx.Client`` or ``httpx.AsyncClient``.

Strict and lenient answers. Whatever the mode, a call never returns an object whose
values contradict its static type: answers are parsed by the generated models, never
constructed around them. Strict mode raises :class:`ResponseValidationError` on any
deviation from the message schema. Lenient mode keeps the call working and makes each
deviation visible: what the types can hold is kept (an undeclared field in
``model_extra``, an unknown enum value as ``UnknownValue``), a list item that a model
cannot hold (a required field missing, a date that is no date) is left out, and every
deviation is a :class:`Finding` on ``RawResponse.problems``, in one
:class:`ResponseValidationWarning` at the caller's line and in an ``eduv.validation``
log record. An answer that cannot be read as the promised type at all (no JSON, a
single object a model cannot hold) raises in both modes.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn, TypeAlias

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
from eduv.runtime.logs import caller_stacklevel, http_log, retry_log, validation_log
from eduv.runtime.options import RawResponse, RequestOptions, Timeout
from eduv.runtime.retry import RetryPolicy
from eduv.runtime.scopes import requested_scopes
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
    scopes: tuple[str, ...] = ()
    timeout: Timeout = 30.0

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
    options: RequestOptions,
) -> httpx.Request:
    url = settings.prefix(op.api, op.version) + params.expand_path(op.path, values)
    headers = {
        "Accept": "application/json",
        "API-Version": op.version,
        "User-Agent": USER_AGENT,
        **settings.headers,
        **options.get("extra_headers", {}),
    }
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = None
    if payload is not None or (op.request is not None and op.request_required):
        content = orjson.dumps(payload)
        headers["Content-Type"] = "application/json"
    pairs = [*params.query_pairs(op, values), *options.get("extra_query", {}).items()]
    timeout = httpx.Timeout(options.get("timeout", settings.timeout))
    return httpx.Request(
        op.method,
        url,
        params=httpx.QueryParams(tuple(pairs)),
        headers=headers,
        content=content,
        extensions={"timeout": timeout.as_dict()},
    )


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
        request.extensions["timeout"] = httpx.Timeout(settings.timeout).as_dict()
        http_log.debug("token request for the scopes %s", " ".join(scopes) or "(none)")
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
    warnings.warn(str(problem), ApiVersionWarning, stacklevel=caller_stacklevel())


def _model(op: spec.Operation, message: str) -> Any:
    from eduv.models import model

    return model(op.api, op.version, message)


def _model_findings(error: Exception, at: str) -> list[Finding]:
    """The problems pydantic found, as findings (location and kind, never the value)."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return [Finding("schema", str(error), at)]
    found = []
    for item in error.errors(include_input=False, include_url=False):
        where = at + "".join(f"/{part}" for part in item["loc"] if not isinstance(part, int))
        found.append(Finding("schema", item["msg"], where, keyword=item["type"]))
    return found


def _parse_items(cls: Any, data: list[Any], strict: bool) -> tuple[list[Any], list[Finding]]:
    """Every item as a model; lenient mode leaves out the ones no model can hold."""
    from pydantic import ValidationError

    parsed: list[Any] = []
    dropped: list[Finding] = []
    for index, item in enumerate(data):
        try:
            parsed.append(cls.model_validate(item))
        except ValidationError as error:
            if strict:
                raise
            note = Finding("schema", "left out: no model can hold this item", f"/{index}")
            dropped += [note, *_model_findings(error, f"/{index}")]
    return parsed, dropped


def _unreadable(body: spec.BodyRef, response: httpx.Response, findings: list[Finding]) -> NoReturn:
    raise ResponseValidationError(body.message, findings, response)


def _report(op: spec.Operation, body: spec.BodyRef, findings: list[Finding]) -> None:
    """Lenient deviations: one log record and one warning at the caller's line."""
    where = ", ".join(f"{f.instance_path or '/'} ({f.keyword or f.kind})" for f in findings[:10])
    more = f" and {len(findings) - 10} more" if len(findings) > 10 else ""
    text = f"{op.operation_id}: the {body.message} answer deviates from its schema at {where}{more}"
    validation_log.warning("%s", text)
    warnings.warn(ResponseValidationWarning(text, findings), stacklevel=caller_stacklevel())


def _result(settings: Settings, op: spec.Operation, response: httpx.Response) -> RawResponse[Any]:
    body = op.responses.get(str(response.status_code))
    if body is None:
        return RawResponse(response, None)
    strict = settings.validation == "strict"
    try:
        data = response.json()
    except ValueError:
        kind = response.headers.get("Content-Type") or "no content type"
        finding = Finding("protocol", f"the {body.message} answer is not JSON ({kind})")
        _unreadable(body, response, [finding])
    if body.array and not isinstance(data, list):
        _unreadable(body, response, [Finding("schema", "a list is expected", "", keyword="type")])
    goal = target(op.api, op.version, body.message, array=body.array, strict=strict)
    findings: list[Finding] = []
    if not goal.validator.is_valid(data):
        findings = schema_findings(goal, data, settings.lang)
        if strict:
            raise ResponseValidationError(body.message, findings, response)
    cls = _model(op, body.message)
    if body.array:
        value, dropped = _parse_items(cls, data, strict)
        findings += dropped
    else:
        value = _parse_one(cls, data, body, response)
    if findings:
        _report(op, body, findings)
    return RawResponse(response, value, tuple(findings))


def _parse_one(cls: Any, data: Any, body: spec.BodyRef, response: httpx.Response) -> Any:
    from pydantic import ValidationError

    try:
        return cls.model_validate(data)
    except ValidationError as error:
        raise ResponseValidationError(body.message, _model_findings(error, ""), response) from None


def call_flow(
    settings: Settings,
    cache: TokenCache,
    op: spec.Operation,
    given: Mapping[str, Any],
    body: Any = None,
    options: RequestOptions | None = None,
) -> Flow:
    """One call of an operation, from checking its input to parsing its answer.

    The flow's value is a :class:`RawResponse`; the clients hand out its value unless
    the raw response was asked for.
    """
    options = options or {}
    values = _checked_params(op, given, settings.lang)
    payload = _checked_body(op, body, settings.lang)
    scopes = _scopes(settings, op, options)
    policy = settings.retry
    retryable = op.read_only or op.idempotent
    attempt = 0
    renewed = False
    while True:
        attempt += 1
        token = yield from _token_flow(settings, cache, scopes)
        request = _build_request(settings, op, values, payload, token, options)
        http_log.debug(
            "request %s %s (%s, API-Version %s)", op.method, op.path, op.operation_id, op.version
        )
        started = time.perf_counter()
        outcome = yield Send(request)
        more = retryable and attempt < policy.attempts
        if isinstance(outcome, httpx.TransportError):
            if not more:
                raise _transport_error(outcome, request)
            delay = policy.delay(attempt)
            _log_retry(op, type(outcome).__name__, delay, attempt, policy)
            yield Sleep(delay)
            continue
        assert isinstance(outcome, httpx.Response)
        response = outcome
        _log_response(op, response, started)
        if response.status_code == 401 and _renewable(settings, renewed):
            # A token can be revoked before it expires: get a new one, once.
            cache.drop(scopes)
            renewed = True
            attempt -= 1
            continue
        if more and policy.retries_status(response.status_code):
            delay = policy.delay(attempt, response.headers.get("Retry-After"))
            _log_retry(op, f"HTTP {response.status_code}", delay, attempt, policy)
            yield Sleep(delay)
            continue
        break
    if not response.is_success:
        raise error_for(response)
    # Only answers are checked: an error may come from a gateway that knows no versions.
    _check_version(settings, op, response)
    return _result(settings, op, response)


def _scopes(settings: Settings, op: spec.Operation, options: RequestOptions) -> tuple[str, ...]:
    auth = settings.auth
    if auth is None or auth.static_token() is not None:
        return ()
    configured = (*auth.scopes, *settings.scopes, *options.get("scopes", ()))
    return requested_scopes(op, configured)


def _log_response(op: spec.Operation, response: httpx.Response, started: float) -> None:
    http_log.info(
        "response %s %s (%s): HTTP %d, API-Version %s, %.0f ms",
        op.method,
        op.path,
        op.operation_id,
        response.status_code,
        response.headers.get("API-Version", "-"),
        (time.perf_counter() - started) * 1000,
    )


def _log_retry(
    op: spec.Operation, reason: str, delay: float, attempt: int, policy: RetryPolicy
) -> None:
    retry_log.info(
        "retrying %s after %s in %.2f s (attempt %d of %d)",
        op.operation_id,
        reason,
        delay,
        attempt + 1,
        policy.attempts,
    )


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
