"""Okta-style rate limits: a request budget per endpoint bucket, in fixed windows on the org clock.

Okta reports the budget on every response (`X-Rate-Limit-Limit/-Remaining/-Reset`, Reset in UTC
epoch seconds) and answers 429 `E0000047` once it is spent, until the window resets.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """Requests allowed per window in each endpoint bucket."""

    limit: int = 600
    window_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("RateLimit.limit must be at least 1")
        if not self.window_seconds > 0:
            raise ValueError("RateLimit.window_seconds must be positive")


@dataclass(frozen=True)
class RateState:
    """What one response reports about its bucket."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("X-Rate-Limit-Limit", str(self.limit)),
            ("X-Rate-Limit-Remaining", str(self.remaining)),
            ("X-Rate-Limit-Reset", str(self.reset)),
        ]


class RateLimiter:
    """Counts requests per bucket; windows are aligned to the clock, as Okta's per-minute ones."""

    def __init__(self, rate_limit: RateLimit) -> None:
        self._rate_limit = rate_limit
        self._lock = threading.Lock()
        # bucket -> (window index, requests counted in that window)
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, bucket: str, now: float) -> RateState:
        """Count one request against `bucket` and say whether it is within the budget."""
        window = math.floor(now / self._rate_limit.window_seconds)
        with self._lock:
            counted_window, count = self._counts.get(bucket, (window, 0))
            count = count + 1 if counted_window == window else 1
            self._counts[bucket] = (window, count)
        limit = self._rate_limit.limit
        return RateState(count <= limit, limit, max(limit - count, 0), self._reset(window))

    def peek(self, bucket: str, now: float) -> RateState:
        """The bucket's state without counting a request (for responses a fault made up)."""
        window = math.floor(now / self._rate_limit.window_seconds)
        with self._lock:
            counted_window, count = self._counts.get(bucket, (window, 0))
        count = count if counted_window == window else 0
        limit = self._rate_limit.limit
        return RateState(count < limit, limit, max(limit - count, 0), self._reset(window))

    def exhausted(self, now: float) -> RateState:
        """The state of a bucket that is already spent (for the injected `rate_limit` fault)."""
        window = math.floor(now / self._rate_limit.window_seconds)
        return RateState(False, self._rate_limit.limit, 0, self._reset(window))

    def _reset(self, window: int) -> int:
        return math.ceil((window + 1) * self._rate_limit.window_seconds)
