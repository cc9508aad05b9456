"""Injected failures: what goes wrong with which request, queued or drawn from a seeded RNG."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

FaultKind = Literal["latency", "status", "rate_limit", "drop", "malformed_json", "html"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

# The statuses a flaky Okta (or the gateway in front of it) answers with.
_RANDOM_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class Fault:
    """One failure for the next matching request(s).

    `after_processing` applies the request first (the user really is created or updated) and
    then fails: the case where a client must not blindly retry a create. It applies to every
    kind but `latency`, which always serves the request after the delay.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    times: int = 1
    after_processing: bool = False
    status: int = 500
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times < 1:
            raise ValueError("Fault.times must be at least 1")
        if not 400 <= self.status <= 599:
            raise ValueError("Fault.status must be an HTTP error status (400-599)")
        if self.seconds < 0:
            raise ValueError("Fault.seconds must not be negative")

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path is None or path.startswith(self.path)
        )


class FaultQueue:
    """Queued faults hit matching requests in order; random faults fill in where none is queued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[tuple[Fault, int]] = []
        self._random: tuple[random.Random, float, tuple[FaultKind, ...]] | None = None

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._queued.append((fault, fault.times))

    def inject_random(self, *, rate: float, kinds: Sequence[str], seed: int) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
        if unknown or not kinds:
            raise ValueError(f"kinds must be a non-empty subset of {FAULT_KINDS}, got {kinds!r}")
        with self._lock:
            self._random = (random.Random(seed), rate, tuple(cast(FaultKind, k) for k in kinds))

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
            self._random = None

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that hits this request, if any, counting it against its `times`."""
        with self._lock:
            for index, (fault, left) in enumerate(self._queued):
                if fault.matches(method, path):
                    if left > 1:
                        self._queued[index] = (fault, left - 1)
                    else:
                        del self._queued[index]
                    return fault
            if self._random is None:
                return None
            rng, rate, kinds = self._random
            if rng.random() >= rate:
                return None
            return Fault(
                kind=rng.choice(kinds),
                after_processing=rng.random() < 0.5,
                status=rng.choice(_RANDOM_STATUSES),
                # Short enough that a test with many random faults still runs quickly.
                seconds=round(rng.uniform(0.005, 0.05), 3),
            )
