"""Clocks for a sandbox org whose timestamps are the same on every run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def frozen_clock(at: str | datetime) -> Callable[[], float]:
    """A clock stuck at one instant: `SandboxOrg(clock=frozen_clock("2026-01-01"))`.

    Every timestamp the org generates (seeded users, creates, updates, `Date` headers) is then
    the same on each run, so an agent's transcript can be compared with a saved one. `at` is an
    ISO 8601 date or date and time; without a zone it is UTC. The org's rate-limit window never
    moves on a frozen clock: more requests than `RateLimit.limit` (600 by default) draw 429s
    that never reset.
    """
    instant = datetime.fromisoformat(at) if isinstance(at, str) else at
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    seconds = instant.timestamp()
    return lambda: seconds
