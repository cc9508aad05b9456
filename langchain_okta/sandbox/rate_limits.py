"""Okta-style rate limits: a request budget per endpoint bucket in fixed windows on the org clock,
and a bound on requests in flight across the whole org.

Okta reports the budget on every response (`X-Rate-Limit-Limit/-Remaining/-Reset`, Reset in UTC
epoch seconds) and answers 429 `E0000047` once it is spent, until the window resets. A request
over the org's concurrent limit gets 429 `E0000047` too, with Limit and Remaining both 0 and a
Reset that only estimates when a request may get through.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

# The bucket for endpoints without a limit of their own.
OTHER_BUCKET = "/api/v1/*"

# Okta's published per-minute defaults for a Workforce Identity org ("Management rate limits"
# in Okta's developer docs); Enterprise, One App and Developer orgs get less.
OKTA_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "GET /api/v1/users": 600,
        "POST /api/v1/users": 600,
        "GET /api/v1/users/{id}": 2000,
        "POST /api/v1/users/{id}": 600,
        OTHER_BUCKET: 1200,
    }
)
# Okta's concurrent limits run from 35 to 75 requests in flight per org, by org type.
OKTA_CONCURRENT_LIMIT = 75


@dataclass(frozen=True)
class RateLimit:
    """How many requests the org allows per window in each endpoint bucket, and in flight.

    By default each bucket gets Okta's own default (`OKTA_LIMITS`, keyed like
    `"GET /api/v1/users/{id}"`). `limit` gives every bucket the same budget instead, and
    `endpoints` sets the budget of the buckets it names (it wins over both).
    """

    limit: int | None = None
    window_seconds: float = 60.0
    endpoints: Mapping[str, int] = field(default_factory=dict)
    concurrent: int = OKTA_CONCURRENT_LIMIT

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError("RateLimit.limit must be at least 1")
        if any(value < 1 for value in self.endpoints.values()):
            raise ValueError("every RateLimit.endpoints limit must be at least 1")
        if not self.window_seconds > 0:
            raise ValueError("RateLimit.window_seconds must be positive")
        if self.concurrent < 1:
            raise ValueError("RateLimit.concurrent must be at least 1")
        # Frozen all the way down: one RateLimit may be shared by several orgs.
        object.__setattr__(self, "endpoints", MappingProxyType(dict(self.endpoints)))

    def limit_for(self, bucket: str) -> int:
        if bucket in self.endpoints:
            return self.endpoints[bucket]
        if self.limit is not None:
            return self.limit
        return OKTA_LIMITS.get(bucket, OKTA_LIMITS[OTHER_BUCKET])


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
        limit = self._rate_limit.limit_for(bucket)
        return RateState(count <= limit, limit, max(limit - count, 0), self._reset(window))

    def peek(self, bucket: str, now: float) -> RateState:
        """The bucket's state without counting a request (for responses a fault made up)."""
        window = math.floor(now / self._rate_limit.window_seconds)
        with self._lock:
            counted_window, count = self._counts.get(bucket, (window, 0))
        count = count if counted_window == window else 0
        limit = self._rate_limit.limit_for(bucket)
        return RateState(count < limit, limit, max(limit - count, 0), self._reset(window))

    def exhausted(self, bucket: str, now: float) -> RateState:
        """The state of a bucket that is already spent (for the injected `rate_limit` fault)."""
        window = math.floor(now / self._rate_limit.window_seconds)
        return RateState(False, self._rate_limit.limit_for(bucket), 0, self._reset(window))

    def _reset(self, window: int) -> int:
        return math.ceil((window + 1) * self._rate_limit.window_seconds)


def over_concurrent_limit(now: float) -> RateState:
    """What a request over the concurrent limit reports: Limit and Remaining 0, and a Reset
    that only estimates when a request may get through (a second or two ahead, since
    requests in flight finish quickly)."""
    return RateState(False, 0, 0, math.ceil(now) + 1)


class InFlight:
    """The requests the org is answering right now, against its concurrent limit."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._count = 0
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """How many requests are being answered right now."""
        with self._lock:
            return self._count

    @contextmanager
    def request(self) -> Iterator[bool]:
        """Count one request while the block runs; yields whether it is over the limit."""
        with self._lock:
            self._count += 1
            over = self._count > self._limit
        try:
            yield over
        finally:
            with self._lock:
                self._count -= 1
