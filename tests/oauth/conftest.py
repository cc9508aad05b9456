"""Fixtures for the OAuth 2.0 service-app tests: a sandbox org, its apps, a movable clock."""

from __future__ import annotations

import time

import pytest

from langchain_okta.sandbox import SandboxOrg


class MovableClock:
    """Wall-clock time plus an offset tests can move (both the org and the client read it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def org(clock: MovableClock) -> SandboxOrg:
    return SandboxOrg(users=8, clock=clock)
