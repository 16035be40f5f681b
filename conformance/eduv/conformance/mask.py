"""Masking personal data and credentials before anything is reported or logged.

Reports, logs and curl lines never carry credentials. Personal data (names, dates of
birth, e-mail addresses, person identifiers, ...) is replaced by a short pseudonym that
is stable within one run, so that a reader can still see that two values are the same,
and that cannot be looked up: the pseudonym is keyed with a random per-run secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import shlex
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

# Members that hold personal data in the Edu-V person messages and references.
PERSONAL_MEMBERS = frozenset(
    {
        "userMasterIdentifier",
        "userId",
        "givenName",
        "preferredFirstName",
        "familyName",
        "familyNamePrefix",
        "initials",
        "dateOfBirth",
        "gender",
        "email",
        "emailPrivate",
        "emailsParents",
        "address",
        "alias",
        "accessibility",
        "phoneNumber",
        "displayName",
    }
)
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
SECRET_FORM_FIELDS = frozenset({"client_secret", "client_assertion", "password", "access_token"})
EXCERPT_CHARS = 2000


class Masker:
    """Masks one run's reports; ``personal=False`` keeps personal data (when asked to)."""

    def __init__(self, personal: bool = True, key: bytes | None = None) -> None:
        self.personal = personal
        self._key = key or secrets.token_bytes(16)

    def pseudonym(self, value: Any) -> str:
        digest = hmac.new(self._key, orjson.dumps(value), hashlib.sha256).hexdigest()
        return f"masked-{digest[:8]}"

    def json(self, value: Any) -> Any:
        """A copy of a JSON value with the personal members masked."""
        if not self.personal:
            return value
        if isinstance(value, dict):
            return {
                k: self.pseudonym(v) if k in PERSONAL_MEMBERS else self.json(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return value

    def body(self, raw: bytes | None, limit: int = EXCERPT_CHARS) -> str | None:
        """A masked excerpt of a body: JSON is masked member by member, text is cut."""
        if not raw:
            return None
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            text = raw[: limit * 2].decode("utf-8", "replace")
            return _cut(self._form(text), limit)
        text = orjson.dumps(self.json(parsed), option=orjson.OPT_INDENT_2).decode()
        return _cut(text, limit)

    def _form(self, text: str) -> str:
        """Form bodies (token requests) lose their secrets."""
        if "=" not in text or " " in text.strip():
            return text
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, "***" if k in SECRET_FORM_FIELDS else v) for k, v in pairs])


def headers(values: Mapping[str, str]) -> dict[str, str]:
    """Headers with every credential replaced."""
    out: dict[str, str] = {}
    for name, value in values.items():
        if name.lower() in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} ***".strip()
        else:
            out[name] = value
    return out


def url(text: str) -> str:
    """A URL without user information or secret query parameters."""
    parts = urlsplit(text)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    query = urlencode(
        [
            (k, "***" if k in SECRET_FORM_FIELDS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def curl(method: str, target: str, sent: Mapping[str, str], body: str | None) -> str:
    """A curl command that reproduces a request; the token comes from $EDUV_TOKEN."""
    words = ["curl", "-sS", "-X", method, shlex.quote(url(target))]
    for name, value in sent.items():
        low = name.lower()
        if low in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
            continue
        if low == "authorization":
            scheme = value.split(" ", 1)[0]
            words += ["-H", f'"Authorization: {scheme} $EDUV_TOKEN"']
            continue
        if low in SECRET_HEADERS:
            continue
        words += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        words += ["--data", shlex.quote(body)]
    return " ".join(words)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more)"
