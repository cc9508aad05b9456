"""Helpers for the MCP server tests: a person answering elicitations, the server as a
subprocess (stdio parameters, or HTTP on a free loopback port), and result readers."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import dataclass, field

import mcp_types as types
from mcp import StdioServerParameters
from mcp.client.session import ClientRequestContext

from langchain_okta.mcp.command import ENDPOINT_LINE

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
    """`langchain-okta-mcp --transport http --port 0` in a subprocess, and its endpoint."""

    def __init__(self, *flags: str) -> None:
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
