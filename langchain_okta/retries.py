"""When a failed request is worth sending again, and how long to wait first. No I/O."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_okta.settings import RetrySettings

# Okta's transient server errors; 501 and the rest mean a retry would fail the same way.
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class TransportFailure:
    """No response arrived. `may_have_reached_okta` is False only when nothing was sent.

    `reason` says where and why in words; `cause` is the underlying exception, free of the
    request and its token, kept as the cause of the error the caller sees.
    """

    reason: str
    may_have_reached_okta: bool
    cause: BaseException | None = field(default=None, compare=False)


def backoff_delay(attempt: int, settings: RetrySettings, rng: random.Random) -> float:
    """Exponential backoff with equal jitter, so clients that failed together spread out."""
    ceiling = min(settings.backoff_max, settings.backoff_base * 2.0 ** max(attempt - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class WaitBudget:
    """How long one operation may go on retrying and waiting, counted from its start.

    Decisions to wait are checked against it, so an operation gives up once the next wait
    would end past the budget; a request already in flight still has its own timeout.
    """

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self._deadline = clock() + seconds
        self._clock = clock

    def allows(self, wait: float) -> bool:
        return self._clock() + wait <= self._deadline
