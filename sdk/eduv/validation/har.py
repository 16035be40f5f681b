"""Checking captured traffic (HAR files) against the operations of the spec.

Each entry's method and URL path are matched to an operation of any supported API
version. The URL layout is the provider's choice, so a template matches at the end of
the path whatever the prefix; a prefix naming the API (``/association-api/v1/``)
wins over one that does not, and the ``API-Version`` header picks between t and t-1
(the current version when it is absent). Entries that match no operation are counted
as skipped. For a matched entry the parameters, the request body and the response
body are validated as three messages, and undeclared status codes, missing or
undecodable bodies and a contradicting ``API-Version`` header are reported as protocol
findings. An entry without the shape HAR gives it (an object with a request of a
method and a URL, and a response of a status) cannot be matched at all: it is an input
error at its pointer, never a skip.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import orjson

from eduv import params, spec
from eduv.findings import Finding, InputError
from eduv.spec import Lang
from eduv.validation import duplicates
from eduv.validation._i18n import json_type, label, type_name
from eduv.validation.engine import Target, check
from eduv.validation.report import Item, Report, SourceSummary


@dataclass(frozen=True, slots=True)
class _Route:
    op: spec.Operation
    pattern: re.Pattern[str]
    placeholders: int


@dataclass(frozen=True, slots=True)
class Match:
    op: spec.Operation
    path_values: Mapping[str, str]


@cache
def _routes() -> tuple[_Route, ...]:
    routes = []
    for api in spec.apis():
        for version in api.versions:
            for op in spec.operations(api.id, version):
                count = op.path.count("{")
                routes.append(_Route(op, params.path_pattern(op.path), count))
    return tuple(routes)


def _prefix_names_api(prefix: str, op: spec.Operation) -> bool:
    segments = prefix.strip("/").split("/")
    short = op.api.removesuffix("-api")
    return op.api in segments or short in segments


def match(method: str, path: str, api_version: str | None = None) -> Match | None:
    """The operation a request is for, or None when no operation fits."""
    found: list[tuple[tuple[int, int, int], _Route, Mapping[str, str]]] = []
    for route in _routes():
        if route.op.method != method:
            continue
        hit = route.pattern.match(path)
        if hit is None:
            continue
        values: dict[str, str] = {k: v for k, v in hit.groupdict().items() if k != "_prefix"}
        named = _prefix_names_api(hit.group("_prefix"), route.op)
        version_hit = api_version == route.op.version
        is_current = route.op.version == spec.api(route.op.api).current
        # Literal segments beat placeholders (/products/info over /products/{id}).
        rank = (route.placeholders, 0 if named else 1, 0 if version_hit else 1 + (not is_current))
        found.append((rank, route, values))
    if not found:
        return None
    found.sort(key=lambda entry: entry[0])
    best = found[0]
    return Match(best[1].op, best[2])


def _header(headers: Any, name: str) -> str | None:
    for header in headers or ():
        if isinstance(header, dict) and str(header.get("name", "")).lower() == name.lower():
            return str(header.get("value", ""))
    return None


class _UndecodableError(ValueError):
    """A body marked base64 that is not base64 of UTF-8 text."""


def _body_text(container: Mapping[str, Any], key: str) -> str | None:
    holder = container.get(key)
    if not isinstance(holder, dict):
        return None
    text = holder.get("text")
    if not isinstance(text, str) or not text:
        return None
    if holder.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _UndecodableError(str(exc)) from None
    return text


# Where a part sits in an entry, the JSON type HAR gives it, and whether it may be absent.
_PARTS: tuple[tuple[tuple[str, ...], str, bool], ...] = (
    ((), "object", False),
    (("request",), "object", False),
    (("request", "method"), "string", False),
    (("request", "url"), "string", False),
    (("request", "headers"), "array", True),
    (("request", "postData"), "object", True),
    (("request", "postData", "text"), "string", True),
    (("response",), "object", False),
    (("response", "status"), "integer", False),
    (("response", "headers"), "array", True),
    (("response", "content"), "object", True),
    (("response", "content", "text"), "string", True),
)


def shape_problems(entry: Any, lang: Lang) -> Iterator[tuple[str, str]]:
    """(pointer inside the entry, what is wrong) for every part of the wrong JSON type."""
    for path, expected, optional in _PARTS:
        value: Any = entry
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None and optional:
            continue
        if json_type(value) != expected:
            where = "".join(f"/{key}" for key in path)
            yield (
                where,
                label(
                    lang,
                    "har_shape",
                    part=where or "/",
                    actual=type_name(lang, value),
                    expected=type_name(lang, expected),
                ),
            )
            if expected == "object":
                return  # what is inside a part that is not an object is not there


@dataclass(slots=True)
class HarChecker:
    """Validates the entries of one HAR document into a report."""

    source: str
    report: Report
    summary: SourceSummary
    lang: Lang
    rules: bool
    strict: bool

    def check(self, document: Mapping[str, Any]) -> None:
        entries = document["log"].get("entries")
        if not isinstance(entries, list):
            self._broken("/log/entries", "har_entries", actual=type_name(self.lang, entries))
            return
        for index, entry in enumerate(entries):
            problems = list(shape_problems(entry, self.lang))
            for where, message in problems:
                self._broken(f"/log/entries/{index}{where}", message=message)
            if not problems:
                self._entry(index, entry)

    def _broken(self, location: str, key: str = "", message: str = "", **values: Any) -> None:
        text = message or label(self.lang, key, **values)
        self.report.add_input_error(InputError(self.source, text, location=location), self.summary)

    def _entry(self, index: int, entry: Mapping[str, Any]) -> None:
        request = entry.get("request") or {}
        response = entry.get("response") or {}
        url = urlsplit(str(request.get("url", "")))
        claimed = _header(request.get("headers"), "API-Version") or _header(
            response.get("headers"), "API-Version"
        )
        found = match(str(request.get("method", "")).upper(), url.path, claimed)
        if found is None:
            self.report.skipped += 1
            self.summary.skipped += 1
            return
        base = f"/log/entries/{index}"
        op = found.op
        values = params.decode(op, found.path_values, url.query)
        self._message(op, op.parameters, values, f"{base}/request/url", [])
        self._request_body(op, request, base)
        self._response(op, response, base)

    def _request_body(self, op: spec.Operation, request: Mapping[str, Any], base: str) -> None:
        if op.request is None:
            return
        location = f"{base}/request/postData"
        try:
            text = _body_text(request, "postData")
        except _UndecodableError as exc:
            finding = self._protocol("body_undecodable", reason=str(exc))
            self._message(op, op.request.message, None, location, [finding], skip=True)
            return
        if text is None:
            if op.request_required:
                finding = self._protocol("body_required", operation=op.operation_id)
                self._message(op, op.request.message, None, location, [finding], skip=True)
            return
        self._json_body(op, op.request, text, location, [])

    def _response(self, op: spec.Operation, response: Mapping[str, Any], base: str) -> None:
        status = str(response.get("status", ""))
        location = f"{base}/response/content"
        problems = self._response_protocol(op, response, status)
        body = op.responses.get(status)
        try:
            text = _body_text(response, "content")
        except _UndecodableError as exc:
            problems.append(self._protocol("body_undecodable", reason=str(exc)))
            self._message(op, body.message if body else None, None, location, problems, skip=True)
            return
        if body is None or text is None:
            if body is not None:
                problems.append(self._protocol("body_missing", status=status, message=body.message))
            if problems:
                name = body.message if body else None
                self._message(op, name, None, location, problems, skip=True)
            return
        self._json_body(op, body, text, location, problems)

    def _response_protocol(
        self, op: spec.Operation, response: Mapping[str, Any], status: str
    ) -> list[Finding]:
        problems = []
        if status not in op.responses:
            declared = ", ".join(op.responses)
            problems.append(
                self._protocol(
                    "status_undeclared", status=status, operation=op.operation_id, declared=declared
                )
            )
        answered = _header(response.get("headers"), "API-Version")
        if answered is not None and answered != op.version:
            problems.append(
                self._protocol(
                    "version_mismatch", answered=answered, api=op.api, version=op.version
                )
            )
        return problems

    def _json_body(
        self,
        op: spec.Operation,
        body: spec.BodyRef,
        text: str,
        location: str,
        problems: list[Finding],
    ) -> None:
        try:
            payload = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            problems.append(self._protocol("body_not_json", reason=str(exc)))
            self._message(op, body.message, None, location, problems, skip=True)
            return
        if duplicates.suspect(text.encode(), payload):
            problems.extend(duplicates.findings(text, self.lang))
        target = Target(op.api, op.version, body.message, body.array, self.strict)
        findings = problems + check(target, payload, self.lang, self.rules)
        self.report.add(_item(op, body.message, findings, self.source, location), self.summary)

    def _protocol(self, key: str, **values: Any) -> Finding:
        return Finding(kind="protocol", message=label(self.lang, key, **values))

    def _message(
        self,
        op: spec.Operation,
        message: str | None,
        payload: Any,
        location: str,
        problems: list[Finding],
        skip: bool = False,
    ) -> None:
        findings = list(problems)
        if not skip and message is not None:
            target = Target(op.api, op.version, message, False, self.strict)
            findings += check(target, payload, self.lang, self.rules)
        self.report.add(_item(op, message, findings, self.source, location), self.summary)


def _item(
    op: spec.Operation, message: str | None, findings: list[Finding], source: str, location: str
) -> Item:
    return Item(op.api, op.version, message, findings, source=source, location=location)


def is_har(document: Any) -> bool:
    """A HAR document: a ``log`` object naming its entries (whatever shape they have)."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("log"), dict)
        and "entries" in document["log"]
    )
