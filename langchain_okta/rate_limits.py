"""Okta's rate-limit headers, and when the next request to an endpoint may go out.

Okta limits each endpoint per window and reports it on every response
(`X-Rate-Limit-Limit/-Remaining/-Reset`). Rather than drawing 429s, the client counts the
requests it has in flight against the last `Remaining` it saw and waits for the window's reset
when none are left. Reset is an epoch second on Okta's clock, so it is compared with the
response's own `Date` header, never the local clock.
"""

from __future__ import annotations

import functools
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
    seen = _read_headers(headers)
    if seen is None:
        return None
    limit, remaining, reset, now = seen
    if now is None:
        # Without Date the reset cannot be placed on Okta's clock: assume a full window.
        return RateLimitHeaders(limit, remaining, 60.0)
    return RateLimitHeaders(limit, remaining, min(max(reset - now, 0.0), _MAX_RESET_SECONDS))


# How long a request waits while another one learns an endpoint's limit.
PROBE_WAIT_SECONDS = 0.05


@dataclass
class _Bucket:
    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None  # on Okta's clock
    in_flight: int = 0
    # None until a response tells; False for a server that sends no rate-limit headers.
    metered: bool | None = None


class RateLimitTracker:
    """Per-endpoint budget shared by every request of one client (threads and tasks alike).

    While nothing is known about an endpoint, one request goes out and learns its limit;
    when a window resets, the new one starts with the last `Limit` seen. Reset is placed on
    the local clock through the largest `Date - local time` seen: `Date` is floored to the
    second, so that largest offset approaches Okta's true clock from below, and the wait
    for a reset is never too short.
    """

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._offset: float | None = None  # Okta's epoch clock minus the local clock

    def acquire(self, bucket: str, now: float) -> float:
        """Reserve a request slot and return 0, or return the seconds to wait first."""
        with self._lock:
            state = self._buckets.setdefault(bucket, _Bucket())
            if state.metered is False:
                state.in_flight += 1
                return 0.0
            resets_at = self._resets_at(state)
            if resets_at is not None and now >= resets_at:
                state.remaining, state.reset_epoch, resets_at = state.limit, None, None
            budget = state.remaining if state.remaining is not None else 1
            if budget - state.in_flight <= 0:
                if resets_at is None:
                    return PROBE_WAIT_SECONDS
                return min(max(resets_at - now, 0.001), _MAX_RESET_SECONDS)
            state.in_flight += 1
            return 0.0

    def release(self, bucket: str, headers: Mapping[str, str] | None, now: float) -> None:
        """Give the slot back, learning the endpoint's state from the response if there was one."""
        with self._lock:
            state = self._buckets.setdefault(bucket, _Bucket())
            state.in_flight = max(state.in_flight - 1, 0)
            if headers is None:
                return  # no response: nothing learned
            seen = _read_headers(headers)
            if seen is None:
                if state.metered is None:
                    state.metered = False
                return
            limit, remaining, reset_epoch, date_epoch = seen
            if date_epoch is not None and (self._offset is None or date_epoch - now > self._offset):
                self._offset = date_epoch - now
            if self._offset is None:
                return  # Reset cannot be placed on the local clock yet
            state.metered, state.limit = True, limit
            if state.reset_epoch is None or reset_epoch > state.reset_epoch:
                state.reset_epoch, state.remaining = reset_epoch, remaining
            elif reset_epoch == state.reset_epoch and state.remaining is not None:
                # Out of order within one window: the lowest Remaining is the newest.
                state.remaining = min(state.remaining, remaining)

    def _resets_at(self, state: _Bucket) -> float | None:
        if state.reset_epoch is None or self._offset is None:
            return None
        return state.reset_epoch - self._offset


def _read_headers(headers: Mapping[str, str]) -> tuple[int, int, float, float | None] | None:
    try:
        limit = int(headers["x-rate-limit-limit"])
        remaining = int(headers["x-rate-limit-remaining"])
        reset = float(headers["x-rate-limit-reset"])
    except (KeyError, ValueError):
        return None
    if not math.isfinite(reset):
        return None
    return limit, remaining, reset, _date_epoch(headers)


def _date_epoch(headers: Mapping[str, str]) -> float | None:
    try:
        return _parse_date(headers["date"])
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        return None


@functools.lru_cache(maxsize=16)
def _parse_date(value: str) -> float:
    # Date changes once a second, so nearly every response repeats a recent one.
    return parsedate_to_datetime(value).timestamp()
