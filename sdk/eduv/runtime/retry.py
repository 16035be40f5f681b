"""When and how long to wait before trying a call again.

Only operations the spec index marks as read-only or idempotent are retried, since
repeating anything else could duplicate its effect. Delays grow exponentially with
full jitter (a random delay between zero and the cap, which spreads out clients that
failed together); a ``Retry-After`` answer is honoured up to ``max_retry_after``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try too: 1 means never retry."""

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = RETRY_STATUSES
    random: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")
        if self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("backoff delays cannot be negative")

    def retries_status(self, status: int) -> bool:
        return status in self.statuses

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        told = parse_retry_after(retry_after) if retry_after else None
        if told is not None:
            return min(told, self.max_retry_after)
        cap = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return self.random.uniform(0, cap)


NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    moment = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - moment).total_seconds())
