"""Contract-test fixtures: Okta's spec and error catalogue, each read once per session."""

from __future__ import annotations

from typing import Any

import pytest
from spec import OktaSpec, load_error_codes, load_spec


@pytest.fixture(scope="session")
def okta_spec() -> OktaSpec:
    return load_spec()


@pytest.fixture(scope="session")
def error_codes() -> dict[str, dict[str, Any]]:
    return load_error_codes()
