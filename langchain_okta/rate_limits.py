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


_CLOCK_SLACK_SECONDS = 1e-3
# How long a request waits for answers already in flight when no reset is known.
_PENDING_WAIT_SECONDS = 0.05


@dataclass(frozen=True)
class Hold:
    """A request that should not go out yet, and for how long.

    `used_up` is True when Okta reported a window, with a reset still ahead, whose
    `Remaining` is 0 or already taken by this client's requests in flight, or when the
    tracker opened the next window itself (a reported reset passed: the limit is known, the
    new reset not yet) and this client's requests in flight already take all of it: only
    then may the caller tell anyone it is rate limited. Otherwise no window is known yet
    (its first answers are on their way) and the hold is brief. `resets_in` is the time
    to the reset when Okta reported it, else None.
    """

    seconds: float
    used_up: bool
    resets_in: float | None = None


@dataclass(frozen=True)
class Window:
    """What the tracker knows of an endpoint's current window, from Okta's last report.

    `spare` is what Okta last reported as remaining, less the requests in flight (it may
    be negative when requests were sent past a reported end); `resets_in` is None when the
    reset is unknown or has passed (the next request starts a new window).
    """

    limit: int
    spare: int
    resets_in: float | None


@dataclass
class _Bucket:
    # A window as Okta last reported it; limit None means unknown.
    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None  # on Okta's clock
    in_flight: int = 0
    # None until an answer tells; False for a server that sends no rate-limit headers.
    metered: bool | None = None


class RateLimitTracker:
    """Per-endpoint budget shared by every request of one client (threads and tasks alike).

    Invariant (under the lock): a bucket holds a request back only while Okta's last
    report for a window whose reset is still ahead leaves no request to spare, counting
    those in flight, or while no window is known and `unknown_window_requests` (the
    client's concurrency bound, far below any Okta limit) are already in flight; a server
    that answers without rate-limit headers is never paced. Once that reset passes, the
    new window starts with the last positive `Limit` seen, or unknown. `window` reads the
    same state under the lock and changes nothing, so a caller that paces itself by it (a
    summary keeping to its share) sees what `acquire` would decide from. A concurrency-limit
    429 (`Limit: 0`) reports no window, so it never closes an endpoint. Reset is placed on
    the local clock through the largest `Date - local time` seen: `Date` is floored to the
    second, so that offset approaches
    Okta's true clock from below, and the wait for a reset is never too short.
    """

    def __init__(self, unknown_window_requests: int = 10) -> None:
        # Reserving a slot comes before waiting for a connection, so without this bound a
        # burst would pass the tracker whole before the first answer reports the window.
        self._unknown_window_requests = unknown_window_requests
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._offset: float | None = None  # Okta's epoch clock minus the local clock

    def acquire(self, bucket: str, now: float, *, force: bool = False) -> Hold | None:
        """Reserve a request slot and return None, or say how long to hold the request.

        With `force`, the slot is reserved whatever the window says (for a caller that has
        decided to send anyway).
        """
        with self._lock:
            state = self._buckets.setdefault(bucket, _Bucket())
            resets_at = self._resets_at(state)
            # The slack absorbs float rounding at epoch scale: a caller that waited exactly
            # as long as it was told must find the reset passed.
            if resets_at is not None and now >= resets_at - _CLOCK_SLACK_SECONDS:
                state.remaining, state.reset_epoch, resets_at = state.limit, None, None
            spare = self._unknown_window_requests if state.remaining is None else state.remaining
            if force or state.metered is False or spare - state.in_flight > 0:
                state.in_flight += 1
                return None
            # Without a known reset, the window's answers are on their way: check back soon.
            wait = _PENDING_WAIT_SECONDS if resets_at is None else resets_at - now
            seconds = min(max(wait, 0.001), _MAX_RESET_SECONDS)
            if resets_at is not None:
                return Hold(seconds, used_up=True, resets_in=seconds)
            # A window opened here (known limit, `remaining` set from it) is full all the same.
            return Hold(seconds, used_up=state.remaining is not None)

    def window(self, bucket: str, now: float) -> Window | None:
        """The endpoint's window as last reported, or None while Okta has reported none."""
        with self._lock:
            state = self._buckets.get(bucket)
            if state is None or state.limit is None:
                return None
            resets_at = self._resets_at(state)
            if resets_at is not None and now >= resets_at - _CLOCK_SLACK_SECONDS:
                # As `acquire` will see it: a new window, started with the last limit.
                return Window(state.limit, state.limit - state.in_flight, None)
            remaining = state.limit if state.remaining is None else state.remaining
            resets_in = None if resets_at is None else resets_at - now
            return Window(state.limit, remaining - state.in_flight, resets_in)

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
            state.metered = True
            limit, remaining, reset_epoch, date_epoch = seen
            if date_epoch is not None and (self._offset is None or date_epoch - now > self._offset):
                self._offset = date_epoch - now
            if self._offset is None or limit <= 0:
                # Reset cannot be placed on the local clock yet, or this is the org's
                # concurrent-request limit speaking, which says nothing about the window.
                return
            # A reset beyond any Okta window is a misread header: cap it.
            reset_epoch = min(reset_epoch, now + self._offset + _MAX_RESET_SECONDS)
            state.limit = limit
            if state.reset_epoch is None or reset_epoch > state.reset_epoch:
                state.reset_epoch, state.remaining = reset_epoch, max(remaining, 0)
            elif reset_epoch == state.reset_epoch and state.remaining is not None:
                # Out of order within one window: the lowest Remaining is the newest.
                state.remaining = min(state.remaining, max(remaining, 0))

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
    return limit, remaining, reset, date_epoch(headers)


def date_epoch(headers: Mapping[str, str]) -> float | None:
    """The response's `Date` as epoch seconds on Okta's clock, or None without a usable one."""
    try:
        return _parse_date(headers["date"])
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        return None


@functools.lru_cache(maxsize=16)
def _parse_date(value: str) -> float:
    # Date changes once a second, so nearly every response repeats a recent one.
    return parsedate_to_datetime(value).timestamp()
