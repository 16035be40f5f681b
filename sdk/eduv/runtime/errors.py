"""One exception hierarchy for everything a client call can run into.

``EduvError``
 |- ``RequestValidationError``   parameters or body rejected before sending
 |- ``TransportError``           no HTTP answer: ``ConnectError``, ``TimedOutError``
 |- ``TokenError``               the authorisation server refused or failed
 |- ``ApiVersionMismatchError``  the answer is in another API version (when configured)
 |- ``ResponseValidationError``  the answer does not match its schema (strict mode)
 |- ``ApiError``                 an HTTP error answer; by Edu-V status code first
     |- ``BadRequestError`` (400): ``SchemaIncorrectError`` (11),
     |     ``SchemaVersionNotSupportedError`` (12), ``UnknownOrganisationError`` (23)
     |- ``AuthenticationError`` (401)
     |- ``PermissionDeniedError`` (403): ``ScopeRequiredError`` (21),
     |     ``ConsentRequiredError`` (22)
     |- ``NotFoundError`` (404), ``MethodNotAllowedError`` (405)
     |- ``RateLimitError`` (429), ``ServerError`` (5xx)
     |- ``OtherReasonError`` (99)
     |- ``ConsentReferenceError`` (1001-1004): ``ProviderReferenceUnknownError``,
           ``ProviderReferenceUsedError``, ``ConsumerReferenceUnknownError``,
           ``ConsumerReferenceUsedError``

An Edu-V status code in the body decides the class even when the HTTP status is
unexpected (a 400 with code 22 is a ``ConsentRequiredError``); ``status_code`` keeps
the HTTP status as sent.
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
    """Lenient mode: the answer does not match its schema; it was parsed anyway."""


def _describe(findings: Sequence[Finding], limit: int = 5) -> str:
    shown = "; ".join(f"{f.instance_path or '/'}: {f.message}" for f in findings[:limit])
    more = f" (and {len(findings) - limit} more)" if len(findings) > limit else ""
    return shown + more


class RequestValidationError(EduvError, ValueError):
    """Parameters or a request body that the spec rejects; nothing was sent."""

    def __init__(self, operation: str, message: str, findings: Sequence[Finding]) -> None:
        self.operation = operation
        self.message = message
        self.findings = list(findings)
        super().__init__(f"{operation}: invalid {message}: {_describe(self.findings)}")


class TransportError(EduvError):
    """No HTTP answer arrived (connection refused, reset, DNS, TLS, timeout)."""

    def __init__(self, message: str, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class ConnectError(TransportError):
    """The server could not be reached."""


class TimedOutError(TransportError):
    """The server did not answer in time."""


class TokenError(EduvError):
    """The authorisation server did not issue a token (OAuth ``error`` when it said why)."""

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
    """The answer says it is in another API version than the one requested."""

    def __init__(self, requested: str, answered: str | None, request: httpx.Request) -> None:
        self.requested = requested
        self.answered = answered
        self.request = request
        said = f"API-Version {answered}" if answered else "no API-Version header"
        super().__init__(f"{request.method} {request.url}: asked for {requested}, got {said}")


class ResponseValidationError(EduvError, ValueError):
    """Strict mode: the answer does not match its message schema."""

    def __init__(self, message: str, findings: Sequence[Finding], response: httpx.Response) -> None:
        self.message = message
        self.findings = list(findings)
        self.response = response
        self.request = response.request
        where = f"{response.request.method} {response.request.url}"
        super().__init__(f"{where}: the {message} answer is invalid: {_describe(self.findings)}")


class ApiError(EduvError):
    """An HTTP error answer, with the Edu-V status code and message when the body had them."""

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
        where = f"{response.request.method} {response.request.url}"
        code = f", Edu-V status {eduv_status}" if eduv_status is not None else ""
        text = f": {eduv_message}" if eduv_message else ""
        challenge = response.headers.get("WWW-Authenticate")
        hint = f" (WWW-Authenticate: {challenge})" if challenge and not text else ""
        super().__init__(f"{where}: HTTP {response.status_code}{code}{text}{hint}")


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
    """5xx: the server failed."""


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
    """The exception an error answer maps to."""
    code, text = _status_body(response)
    cls = BY_EDUV_STATUS.get(code) if code is not None else None
    if cls is None:
        cls = BY_HTTP_STATUS.get(response.status_code)
    if cls is None:
        cls = ServerError if response.status_code >= 500 else ApiError
    return cls(response, code, text)
