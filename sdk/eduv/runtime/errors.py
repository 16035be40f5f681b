"""One exception hierarchy for everything a client call can run into.

``EduvError``
 |- ``RequestValidationError``   parameters or body rejected before sending
 |- ``ScopeError``               no scope to ask for (see :mod:`eduv.runtime.scopes`)
 |- ``ClientClosedError``        the client was closed before the call
 |- ``TransportError``           no HTTP answer: ``ConnectError``, ``TimedOutError``
 |- ``TokenError``               the authorisation server refused or failed
 |- ``ApiVersionMismatchError``  the answer is in another API version (when configured)
 |- ``ResponseValidationError``  the answer does not match its schema (strict mode), or
 |                               cannot be read as the promised type (any mode)
 |- ``ApiError``                 an HTTP error answer
     |- ``ServerError`` (every 5xx, whatever the body says)
     |- ``UnexpectedResponseError`` (a 4xx error whose body is no StatusResponse)
     |- ``BadRequestError`` (400): ``SchemaIncorrectError`` (11),
     |     ``SchemaVersionNotSupportedError`` (12), ``UnknownOrganisationError`` (23)
     |- ``AuthenticationError`` (401)
     |- ``PermissionDeniedError`` (403): ``ScopeRequiredError`` (21),
     |     ``ConsentRequiredError`` (22)
     |- ``NotFoundError`` (404), ``MethodNotAllowedError`` (405)
     |- ``RateLimitError`` (429)
     |- ``OtherReasonError`` (99)
     |- ``ConsentReferenceError`` (1001-1004): ``ProviderReferenceUnknownError``,
           ``ProviderReferenceUsedError``, ``ConsumerReferenceUnknownError``,
           ``ConsumerReferenceUsedError``

How an error answer is classified (:func:`error_for`), first match wins:

1. 5xx is a ``ServerError``: the server failed, whatever Edu-V status it wrote.
2. 401 is an ``AuthenticationError`` and 429 a ``RateLimitError``: Edu-V answers 401 with
   an empty body, and gateways answer 429 in their own words.
3. A StatusResponse body decides by its Edu-V status code, even when the HTTP status is
   unexpected (a 400 with code 22 is a ``ConsentRequiredError``), then by HTTP status.
4. Any other body, an empty one included, is an ``UnexpectedResponseError``: Edu-V wants a
   StatusResponse with every error, so the provider (or a proxy in front of it) is at
   fault. It carries the content type and the start of the body.

``status_code`` always keeps the HTTP status as sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from eduv import spec

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from eduv.findings import Finding


class EduvError(Exception):
    """Base of every error the eduv client raises."""


class ApiVersionWarning(UserWarning):
    """The answer's API-Version header differs from the requested version."""


class ResponseValidationWarning(UserWarning):
    """Lenient mode: the answer deviates from its schema; the call returned what the
    models can hold. ``findings`` lists the deviations (also on ``RawResponse.problems``)."""

    def __init__(self, text: str, findings: Sequence[Finding] = ()) -> None:
        super().__init__(text)
        self.findings = list(findings)


def _describe(findings: Sequence[Finding], limit: int = 5) -> str:
    shown = "; ".join(f"{f.instance_path or '/'}: {f.message}" for f in findings[:limit])
    more = f" (and {len(findings) - limit} more)" if len(findings) > limit else ""
    return shown + more


class ClientClosedError(EduvError):
    """A call on a client (or a copy of it) after ``close()``; nothing was sent."""


class ScopeError(EduvError):
    """No scope can be asked for: the operation only accepts role scopes, and the client
    holds none of them (``scopes=`` on the client or the call)."""


class RequestValidationError(EduvError, ValueError):
    """Parameters or a request body that the spec rejects; nothing was sent.

    ``operation`` is the operation id, ``message`` the name of the checked message and
    ``findings`` the problems (:class:`eduv.findings.Finding`, with JSON pointers).
    """

    def __init__(self, operation: str, message: str, findings: Sequence[Finding]) -> None:
        self.operation = operation
        self.message = message
        self.findings = list(findings)
        super().__init__(f"{operation}: invalid {message}: {_describe(self.findings)}")


class TransportError(EduvError):
    """No HTTP answer arrived (connection refused, reset, DNS, TLS, timeout).

    ``request`` is the ``httpx.Request`` that went unanswered.
    """

    def __init__(self, message: str, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class ConnectError(TransportError):
    """The server could not be reached."""


class TimedOutError(TransportError):
    """The server did not answer in time."""


class TokenError(EduvError):
    """The authorisation server did not issue a token.

    ``status_code`` is the HTTP status of the token endpoint's answer (None when it gave
    none), ``error`` and ``description`` the OAuth ``error`` and ``error_description``
    when it said why.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error: str | None = None,
        description: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error = error
        self.description = description
        super().__init__(message)


class ApiVersionMismatchError(EduvError):
    """The answer says it is in another API version than the one requested.

    ``requested`` is the version asked for, ``answered`` the answer's ``API-Version``
    header (None when missing) and ``request`` the ``httpx.Request``.
    """

    def __init__(self, requested: str, answered: str | None, request: httpx.Request) -> None:
        self.requested = requested
        self.answered = answered
        self.request = request
        said = f"API-Version {answered}" if answered else "no API-Version header"
        super().__init__(f"{request.method} {request.url}: asked for {requested}, got {said}")


class ResponseValidationError(EduvError, ValueError):
    """The answer does not match its message schema (strict mode), or cannot be read as
    the type the method promises at all (any mode: not JSON, or a single object a model
    cannot hold).

    ``message`` is the name of the expected message, ``findings`` the problems with
    their JSON pointers, ``response`` the ``httpx.Response`` and ``request`` its request.
    """

    def __init__(self, message: str, findings: Sequence[Finding], response: httpx.Response) -> None:
        self.message = message
        self.findings = list(findings)
        self.response = response
        self.request = response.request
        where = f"{response.request.method} {response.request.url}"
        super().__init__(f"{where}: the {message} answer is invalid: {_describe(self.findings)}")


EXCERPT_LENGTH = 200


class ApiError(EduvError):
    """An HTTP error answer.

    ``status_code`` is the HTTP status as sent; ``eduv_status`` and ``eduv_message`` the
    Edu-V status code and message of a StatusResponse body (None without one);
    ``content_type`` the answer's Content-Type and ``body_excerpt`` the start of its body
    when it was no StatusResponse (None otherwise); ``response`` and ``request`` the
    httpx objects.
    """

    def __init__(
        self,
        response: httpx.Response,
        eduv_status: int | None = None,
        eduv_message: str | None = None,
    ) -> None:
        self.response = response
        self.request = response.request
        self.status_code = response.status_code
        self.eduv_status = eduv_status
        self.eduv_message = eduv_message
        self.content_type: str | None = None
        self.body_excerpt: str | None = None
        if eduv_status is None:
            self.content_type = response.headers.get("Content-Type")
            self.body_excerpt = _excerpt(response)
        where = f"{response.request.method} {response.request.url}"
        code = f", Edu-V status {eduv_status}" if eduv_status is not None else ""
        text = f": {eduv_message}" if eduv_message else ""
        challenge = response.headers.get("WWW-Authenticate")
        hint = f" (WWW-Authenticate: {challenge})" if challenge and not text else ""
        body = ""
        if self.body_excerpt:
            body = f" ({self.content_type or 'no content type'}: {self.body_excerpt!r})"
        super().__init__(f"{where}: HTTP {response.status_code}{code}{text}{hint}{body}")


def _excerpt(response: httpx.Response) -> str:
    text = response.content[: EXCERPT_LENGTH * 4].decode("utf-8", "replace")
    return text[:EXCERPT_LENGTH] + ("..." if len(text) > EXCERPT_LENGTH else "")


class UnexpectedResponseError(ApiError):
    """A 4xx error answer without a StatusResponse body: a fault of the provider or of a
    proxy in front of it (``content_type`` and ``body_excerpt`` show what came)."""


class BadRequestError(ApiError):
    """400: the request was refused."""


class SchemaIncorrectError(BadRequestError):
    """Edu-V 11: the request does not match the schema."""


class SchemaVersionNotSupportedError(BadRequestError):
    """Edu-V 12: the receiver does not handle this schema version."""


class UnknownOrganisationError(BadRequestError):
    """Edu-V 23: the school (organisation) is unknown to the server."""


class AuthenticationError(ApiError):
    """401: the access token is missing, expired or not accepted."""


class PermissionDeniedError(ApiError):
    """403: the token is valid but does not allow this."""


class ScopeRequiredError(PermissionDeniedError):
    """Edu-V 21: the token lacks a scope the operation needs."""


class ConsentRequiredError(PermissionDeniedError):
    """Edu-V 22: the school has not given consent (activated the data service)."""


class NotFoundError(ApiError):
    """404: no such object."""


class MethodNotAllowedError(ApiError):
    """405: the server does not offer this operation."""


class RateLimitError(ApiError):
    """429: too many requests (retried for safe operations, honouring Retry-After)."""


class ServerError(ApiError):
    """5xx: the server failed (also when its body names an Edu-V status, kept in
    ``eduv_status``)."""


class OtherReasonError(ApiError):
    """Edu-V 99: another reason, stated in the status message."""


class ConsentReferenceError(ApiError):
    """Edu-V 1001-1004: a consent confirmation with a reference that does not fit."""


class ProviderReferenceUnknownError(ConsentReferenceError):
    """Edu-V 1001: providerReferenceId unknown."""


class ProviderReferenceUsedError(ConsentReferenceError):
    """Edu-V 1002: providerReferenceId already used."""


class ConsumerReferenceUnknownError(ConsentReferenceError):
    """Edu-V 1003: consumerReferenceId unknown."""


class ConsumerReferenceUsedError(ConsentReferenceError):
    """Edu-V 1004: consumerReferenceId already used."""


BY_EDUV_STATUS: Mapping[int, type[ApiError]] = {
    11: SchemaIncorrectError,
    12: SchemaVersionNotSupportedError,
    21: ScopeRequiredError,
    22: ConsentRequiredError,
    23: UnknownOrganisationError,
    99: OtherReasonError,
    1001: ProviderReferenceUnknownError,
    1002: ProviderReferenceUsedError,
    1003: ConsumerReferenceUnknownError,
    1004: ConsumerReferenceUsedError,
}

BY_HTTP_STATUS: Mapping[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    429: RateLimitError,
}


def _status_body(response: httpx.Response) -> tuple[int | None, str | None]:
    """The Edu-V status code and message of an error body, when it has them."""
    try:
        body: Any = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    text = body.get("statusMessage")
    # Read leniently ("0011" is 11): the class of the refusal is still clear.
    return spec.status_code(body), text if isinstance(text, str) else None


def error_for(response: httpx.Response) -> ApiError:
    """The exception an error answer maps to (the order is in the module's docstring)."""
    code, text = _status_body(response)
    status = response.status_code
    if status >= 500:
        return ServerError(response, code, text)
    if status in (401, 429):
        return BY_HTTP_STATUS[status](response, code, text)
    if code is None:
        return UnexpectedResponseError(response)
    cls = BY_EDUV_STATUS.get(code) or BY_HTTP_STATUS.get(status) or ApiError
    return cls(response, code, text)
