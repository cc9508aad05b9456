"""The toolkit the agent tests run on, reached in process and over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture(params=["in-process", "loopback"])
def served_toolkit(request: pytest.FixtureRequest, org: SandboxOrg) -> Iterator[OktaToolkit]:
    if request.param == "in-process":
        with OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport()) as toolkit:
            yield toolkit
        return
    with org.serve() as base_url, OktaToolkit(base_url, org.token) as toolkit:
        yield toolkit
