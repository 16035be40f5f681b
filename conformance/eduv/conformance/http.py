"""Bounded, safe HTTP for talking to endpoints the suite does not control.

Every request counts against a budget; requests are spaced to a maximum rate; each has a
timeout; answers larger than the size limit are cut off and reported; redirects are
followed only to the same origin; TLS certificates are verified unless switched off, and
a client certificate is shown where the target requires mutual TLS.
The exchanges are recorded masked, so that checks can attach them as evidence.
"""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from eduv.conformance import mask
from eduv.conformance.config import Limits
from eduv.conformance.model import Exchange
from eduv.runtime.tls import ClientCert, tls_context

MAX_REDIRECTS = 5


def tls(limits: Limits) -> bool | ssl.SSLContext:
    """The TLS setting of the suite's client, built as the SDK client builds its own."""
    cert: ClientCert | None = None
    if limits.client_cert is not None:
        key = limits.client_key or limits.client_cert
        password = _key_password(limits.client_key_password_env)
        if password is not None:
            cert = (limits.client_cert, key, password)
        else:
            cert = (limits.client_cert, limits.client_key) if limits.client_key else key
    elif limits.client_key is not None:
        raise ValueError(f"client key '{limits.client_key}' given without a client certificate")
    return tls_context(limits.ca_bundle, limits.verify_tls, cert)


def _key_password(env: str | None) -> str | None:
    if env is None:
        return None
    value = os.environ.get(env)
    if value is None:
        raise ValueError(f"the environment variable {env} (password of the client key) is not set")
    return value


class BudgetExceededError(RuntimeError):
    """The run used up its request budget; the remaining checks end as errors."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request budget of {limit} requests is used up")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer read within the limits, with its masked record."""

    status: int | None
    headers: Mapping[str, str]
    content: bytes
    exchange: Exchange
    error: str | None = None

    def json(self) -> Any:
        return orjson.loads(self.content) if self.content else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class SafeHttp:
    """One run's HTTP client; thread-safe counters, one connection pool."""

    def __init__(self, limits: Limits, masker: mask.Masker) -> None:
        self.limits = limits
        self.masker = masker
        self._client = httpx.Client(
            timeout=limits.timeout,
            follow_redirects=False,
            verify=tls(limits),
            trust_env=False,
        )
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self.count = 0
        self.waiting = 0.0  # seconds spent waiting on servers

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | list[str]] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Answer:
        request = self._client.build_request(
            method, url, headers=dict(headers or {}), params=params, json=json, data=data
        )
        if auth is not None:
            request = next(auth.auth_flow(request))
        return self.send(request)

    def send(self, request: httpx.Request) -> Answer:
        origin = _origin(str(request.url))
        for _hop in range(MAX_REDIRECTS + 1):
            answer = self._send_once(request)
            location = answer.header("location")
            if answer.status not in {301, 302, 303, 307, 308} or not location:
                return answer
            target = urljoin(str(request.url), location)
            if _origin(target) != origin:
                return answer  # never follow to another origin: reported as it is
            method = "GET" if answer.status == 303 else request.method
            content = None if method == "GET" else request.content
            request = self._client.build_request(
                method, target, headers=request.headers, content=content
            )
        return answer

    def _send_once(self, request: httpx.Request) -> Answer:
        self._take_slot()
        started = time.perf_counter()
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            self._waited(started)
            return self._failed(request, f"{type(exc).__name__}: {exc}")
        try:
            content, cut = self._read(response)
        except httpx.HTTPError as exc:
            return self._failed(request, f"{type(exc).__name__}: {exc}")
        finally:
            response.close()
            self._waited(started)
        error = f"answer larger than {self.limits.max_response_bytes} bytes" if cut else None
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        record = self._record(request, response.status_code, answer_headers, content, error)
        return Answer(response.status_code, answer_headers, content, record, error)

    def _take_slot(self) -> None:
        with self._lock:
            if self.count >= self.limits.max_requests:
                raise BudgetExceededError(self.limits.max_requests)
            self.count += 1
            if self.limits.rate <= 0:
                return
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + 1.0 / self.limits.rate
        if wait > 0:
            time.sleep(wait)

    def _waited(self, started: float) -> None:
        with self._lock:
            self.waiting += time.perf_counter() - started

    def _read(self, response: httpx.Response) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_response_bytes:
                return b"".join(chunks), True
            chunks.append(chunk)
        return b"".join(chunks), False

    def _failed(self, request: httpx.Request, error: str) -> Answer:
        record = self._record(request, None, {}, b"", error)
        return Answer(None, {}, b"", record, error)

    def _record(
        self,
        request: httpx.Request,
        status: int | None,
        answer_headers: Mapping[str, str],
        content: bytes,
        error: str | None,
    ) -> Exchange:
        body = self.masker.body(request.content) if request.content else None
        sent = {k: v for k, v in request.headers.items()}
        return Exchange(
            method=request.method,
            url=mask.url(str(request.url)),
            request_headers=mask.headers(sent),
            request_body=body,
            status=status,
            response_headers=mask.headers(dict(answer_headers)),
            response_excerpt=self.masker.body(content),
            curl=mask.curl(request.method, str(request.url), sent, body),
            error=error,
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port
