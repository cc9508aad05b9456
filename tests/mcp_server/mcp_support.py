"""Helpers for the MCP server tests: a person answering elicitations, the server as a
subprocess (stdio parameters, or HTTP on a free loopback port), and result readers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx2
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client

from langchain_okta.mcp.command import ENDPOINT_LINE
from langchain_okta.mcp.http_auth import TOKEN_VARIABLE

# The bearer token the HTTP servers of the tests require (any 32 characters or more).
HTTP_TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
# Enough people for a summary of three pages (200 users a page).
SANDBOX_USERS = 450
SERVER = [sys.executable, "-m", "langchain_okta.mcp", "--sandbox"]
# Timeouts are generous: two cores are shared with other test runs.
START_SECONDS = 60


@dataclass
class Person:
    """Answers elicitations as a person would, and keeps what they were shown."""

    action: str = "accept"
    ticked: bool = True
    shown: list[str] = field(default_factory=list)

    async def __call__(
        self, context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        assert isinstance(params, types.ElicitRequestFormParams)
        self.shown.append(params.message)
        if self.action != "accept":
            return types.ElicitResult(action=self.action)  # type: ignore[arg-type]
        return types.ElicitResult(action="accept", content={"confirm": self.ticked})


def stdio_params(*flags: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=SERVER[0], args=[*SERVER[1:], "--sandbox-users", str(SANDBOX_USERS), *flags]
    )


class HttpServer:
    """`langchain-okta-mcp --transport http --port 0` in a subprocess, and its endpoint.

    Requests must carry `headers` (the bearer token the server was given).
    """

    def __init__(self, *flags: str, token: str | None = HTTP_TOKEN) -> None:
        environment = {name: value for name, value in os.environ.items() if name != TOKEN_VARIABLE}
        if token is not None:
            environment[TOKEN_VARIABLE] = token
        self.headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                *SERVER,
                "--sandbox-users",
                str(SANDBOX_USERS),
                "--transport",
                "http",
                "--port",
                "0",
                *flags,
            ],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        self.url = self._endpoint()
        # Keep draining stderr so a chatty server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()

    def _endpoint(self) -> str:
        assert self.process.stderr is not None
        timer = threading.Timer(START_SECONDS, self.process.kill)
        timer.start()
        try:
            for line in self.process.stderr:
                self.stderr.append(line)
                if line.startswith(ENDPOINT_LINE):
                    return line.removeprefix(ENDPOINT_LINE).strip()
        finally:
            timer.cancel()
        raise RuntimeError("the server exited before serving:\n" + "".join(self.stderr))

    def _read_rest(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def client(self, **options: Any) -> Client:
        """An SDK client for this server, sending the token."""
        http = httpx2.AsyncClient(headers=self.headers, timeout=httpx2.Timeout(30, read=300))
        return Client(_AuthorizedHttp(self.url, http), **options)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._drain.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def first_user_id(result: types.CallToolResult) -> str:
    """The id of the first user of an okta_list_users page."""
    content = result.structured_content
    assert isinstance(content, dict)
    user_id = content["users"][0][0]
    assert isinstance(user_id, str)
    return user_id


def text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


class _AuthorizedHttp:
    """The SDK's streamable HTTP transport over an httpx2 client of ours, closed with it."""

    def __init__(self, url: str, http: httpx2.AsyncClient) -> None:
        self._url, self._http = url, http
        self._transport: Any = None

    async def __aenter__(self) -> Any:
        self._transport = streamable_http_client(self._url, http_client=self._http)
        return await self._transport.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self._transport.__aexit__(*exc)
        finally:
            await self._http.aclose()
