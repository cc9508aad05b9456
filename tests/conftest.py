"""Fixtures shared across test areas: a fresh in-process sandbox org and a toolkit on it."""

from __future__ import annotations

import pytest

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg()


@pytest.fixture
def toolkit(org: SandboxOrg) -> OktaToolkit:
    return OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
