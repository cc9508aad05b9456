"""Fixtures for the reliability tests: sandbox orgs on loopback with fast retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reliability_support import FAST_RETRIES, SHORT_TIMEOUTS, Served, small_org, tools_by_name

from langchain_okta import OktaToolkit


@pytest.fixture
def served() -> Iterator[Served]:
    org = small_org()
    with org.serve() as base_url:
        toolkit = OktaToolkit(
            base_url,
            org.token,
            check_admin=False,
            retries=FAST_RETRIES,
            timeouts=SHORT_TIMEOUTS,
        )
        try:
            yield Served(org, base_url, toolkit, tools_by_name(toolkit))
        finally:
            toolkit.client.close()
