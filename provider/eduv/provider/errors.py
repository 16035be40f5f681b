"""Edu-V status codes and the answers that carry them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Edu-V status codes (integers, see the status-codes-integers convention).
SCHEMA_INCORRECT = 11
VERSION_NOT_SUPPORTED = 12
SCOPE_REQUIRED = 21
CONSENT_REQUIRED = 22
ORGANISATION_UNKNOWN = 23
OTHER = 99


@dataclass(slots=True)
class Answer:
    """What the service hands back to the HTTP layer: a status, a body and headers.

    ``body`` is the JSON text to send (already encoded) or ``None`` for no body;
    ``status_code`` is set for a StatusResponse, so that faults can rewrite it.
    """

    http: int
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    status_code: int | None = None
    status_message: str | None = None


class RefusalError(Exception):
    """A request the service answers with a StatusResponse."""

    def __init__(self, http: int, status: int, message: str) -> None:
        super().__init__(message)
        self.http = http
        self.status = status
        self.message = message


def status_body(status: Any, message: str) -> dict[str, Any]:
    return {"status": status, "statusMessage": message}
