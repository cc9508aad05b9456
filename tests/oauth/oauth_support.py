"""Helpers shared by the OAuth tests (imported by module name, as reliability_support is)."""

from __future__ import annotations

import time


class MovableClock:
    """Wall-clock time plus an offset tests can move (both the org and the client read it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
