"""Masking personal data and credentials before anything is reported or logged.

Reports, logs and curl lines never carry credentials. Personal data (names, dates of
birth, e-mail addresses, person identifiers, ...) is replaced by a short pseudonym that
is stable within one run, so that a reader can still see that two values are the same,
and that cannot be looked up: the pseudonym is keyed with a random per-run secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import shlex
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

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
        "phone",
        "mobile",
        "displayName",
    }
)
# Personal members whose values are too general to hunt for in free text: a gender,
# "van" or "A.B." would mask half of every sentence.
NOT_IN_TEXT = frozenset({"gender", "familyNamePrefix", "initials", "accessibility"})
SHORTEST_IN_TEXT = 3
# What a value in free text is delimited by: a personal value is masked where it stands
# as a whole word, never inside a longer one.
_WORD = re.compile(r"[^\s\"'<>,;()\[\]{}=&?|]+")
_TRAILING = ".:!"
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
SECRET_FORM_FIELDS = frozenset({"client_secret", "client_assertion", "password", "access_token"})
EXCERPT_CHARS = 2000


class Masker:
    """Masks one run's reports; ``personal=False`` keeps personal data (when asked to)."""

    def __init__(self, personal: bool = True, key: bytes | None = None) -> None:
        self.personal = personal
        self._key = key or secrets.token_bytes(16)
        # Personal values seen in any request or answer, to find them again in free text
        # (messages, object ids, logs), with their pseudonyms.
        self._known: dict[str, str] = {}
        self._spaced: set[str] = set()  # values with spaces in them, found as phrases
        self._phrases: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def learn(self, value: Any) -> None:
        """Remember the text leaves of a personal value, to mask them wherever they occur."""
        if isinstance(value, str):
            if len(value) >= SHORTEST_IN_TEXT and value not in self._known:
                with self._lock:
                    self._known[value] = self.pseudonym(value)
                    self._known.setdefault(quote(value, safe=""), self._known[value])
                    if any(c.isspace() for c in value):
                        self._spaced.add(value)
                        self._phrases = None
        elif isinstance(value, dict):
            for v in value.values():
                self.learn(v)
        elif isinstance(value, list):
            for v in value:
                self.learn(v)

    def text(self, value: str) -> str:
        """``value`` with every personal value learned so far replaced by its pseudonym."""
        if not self.personal or not self._known:
            return value
        phrases = self._phrase_pattern()
        if phrases is not None:
            value = phrases.sub(lambda m: self._known[m.group(0)], value)
        return _WORD.sub(self._word, value)

    def _word(self, match: re.Match[str]) -> str:
        word = match.group(0)
        found = self._known.get(word)
        if found is not None:
            return found
        core = word.rstrip(_TRAILING)
        if core != word and core in self._known:
            return self._known[core] + word[len(core) :]
        if "/" in word:  # an identifier in a URL path
            return "/".join(self._known.get(part, part) for part in word.split("/"))
        return word

    def _phrase_pattern(self) -> re.Pattern[str] | None:
        if not self._spaced:
            return None
        if self._phrases is None:
            spaced = sorted(self._spaced, key=len, reverse=True)
            self._phrases = re.compile("|".join(re.escape(k) for k in spaced))
        return self._phrases

    def scrub(self, value: Any) -> Any:
        """A copy of a JSON value (a whole report) with every string passed through
        :meth:`text`: the last net for personal values in free text."""
        if not self.personal or not self._known:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value

    def pseudonym(self, value: Any) -> str:
        digest = hmac.new(self._key, orjson.dumps(value), hashlib.sha256).hexdigest()
        return f"masked-{digest[:8]}"

    def json(self, value: Any) -> Any:
        """A copy of a JSON value with the personal members masked."""
        if not self.personal:
            return value
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in PERSONAL_MEMBERS:
                    if k not in NOT_IN_TEXT:
                        self.learn(v)
                    out[k] = self.pseudonym(v)
                else:
                    out[k] = self.json(v)
            return out
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
