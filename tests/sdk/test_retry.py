"""Backoff and Retry-After."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from eduv.runtime.retry import RetryPolicy, parse_retry_after


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = dt.datetime(2025, 9, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 01 Sep 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 01 Sep 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None


def test_full_jitter_stays_under_a_growing_cap() -> None:
    policy = RetryPolicy(attempts=6, backoff=0.5, max_backoff=3.0, random=random.Random(3))
    for attempt, cap in enumerate([0.5, 1.0, 2.0, 3.0, 3.0], start=1):
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8  # the whole range is used, not a fixed delay
    assert policy.delay(1, "9") == 9.0
    assert RetryPolicy(max_retry_after=5).delay(1, "60") == 5.0


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(backoff=-1)
