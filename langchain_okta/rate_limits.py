"""Okta's rate-limit headers, and when the next request to an endpoint may go out.

Okta limits each endpoint per window and reports it on every response
(`X-Rate-Limit-Limit/-Remaining/-Reset`). Rather than drawing 429s, the client counts the
requests it has in flight against the last `Remaining` it saw and waits for the window's reset
when none are left. Reset is an epoch second on Okta's clock, so it is compared with the
response's own `Date` header, never the local clock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# Okta windows are about a minute; anything much longer is a misread header, not a plan.
_MAX_RESET_SECONDS = 120.0


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int
    remaining: int
    seconds_to_reset: float


def read_rate_limit(headers: Mapping[str, str]) -> RateLimitHeaders | None:
    """The rate-limit state a response reports, or None when it reports none."""
    try:
        limit = int(headers["x-rate-limit-limit"])
        remaining = int(headers["x-rate-limit-remaining"])
        reset = float(headers["x-rate-limit-reset"])
    except (KeyError, ValueError):
        return None
    if not math.isfinite(reset):
        return None
    try:
        now = parsedate_to_datetime(headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError):
        # Without Date the reset cannot be placed on Okta's clock: assume a full window.
        return RateLimitHeaders(limit, remaining, 60.0)
    return RateLimitHeaders(limit, remaining, min(max(reset - now, 0.0), _MAX_RESET_SECONDS))


@dataclass
class _Bucket:
    remaining: int | None = None
    resets_at: float = 0.0
    in_flight: int = 0


class RateLimitTracker:
    """Per-endpoint budget shared by every request of one client (threads and tasks alike)."""

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, bucket: str, now: float) -> float:
        """Reserve a request slot and return 0, or return the seconds to wait first."""
        with self._lock:
            state = self._buckets.setdefault(bucket, _Bucket())
            if state.remaining is not None and now >= state.resets_at:
                state.remaining = None
            if state.remaining is not None and state.remaining - state.in_flight <= 0:
                return max(state.resets_at - now, 0.001)
            state.in_flight += 1
            return 0.0

    def release(self, bucket: str, headers: Mapping[str, str] | None, now: float) -> None:
        """Give the slot back, learning the endpoint's state from the response if there was one."""
        with self._lock:
            state = self._buckets.setdefault(bucket, _Bucket())
            state.in_flight = max(state.in_flight - 1, 0)
            seen = read_rate_limit(headers) if headers is not None else None
            if seen is None:
                return
            resets_at = now + seen.seconds_to_reset
            if resets_at <= now:
                return  # a window that is already over teaches nothing
            # Date has one-second resolution, so resets within a second are the same window.
            if state.remaining is None or resets_at >= state.resets_at + 1.0:
                state.remaining, state.resets_at = seen.remaining, resets_at
            elif resets_at > state.resets_at - 1.0:
                # Responses arrive out of order: within one window the lowest Remaining is newest.
                state.remaining = min(state.remaining, seen.remaining)
                state.resets_at = max(state.resets_at, resets_at)
