"""Fixtures of the MCP server tests: one HTTP server subprocess per module, and a toolkit on a
sandbox org for the in-process server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from mcp_support import SANDBOX_USERS, HttpServer

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture(scope="module")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox() -> SandboxOrg:
    return SandboxOrg(users=SANDBOX_USERS)


@pytest.fixture
async def sandbox_toolkit(sandbox: SandboxOrg) -> AsyncIterator[OktaToolkit]:
    toolkit = await OktaToolkit.acreate(
        IN_PROCESS_URL, sandbox.token, transport=sandbox.transport()
    )
    async with toolkit:
        yield toolkit
