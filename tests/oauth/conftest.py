"""Fixtures for the OAuth 2.0 service-app tests: a sandbox org and a movable clock."""

from __future__ import annotations

import pytest
from oauth_support import MovableClock

from langchain_okta.sandbox import SandboxOrg


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def org(clock: MovableClock) -> SandboxOrg:
    return SandboxOrg(users=8, clock=clock)
