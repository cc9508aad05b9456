"""Structured output only where the protocol has it (2025-06-18 on): a client that
negotiated an older version gets text alone, with no field it does not know. Checked with
plain JSON-RPC over HTTP, since the SDK's client always offers the newest version."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from mcp_support import HttpServer

ACCEPT = "application/json, text/event-stream"


class Session:
    """A handshake-era client session at one protocol version, over the streamable HTTP wire."""

    def __init__(self, server: HttpServer, client: httpx.Client, version: str) -> None:
        self._client, self._url, self._version = client, server.url, version
        self._authorization = server.headers
        self._id = 0
        self._session: str | None = None
        result = self.request(
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        )
        assert result["protocolVersion"] == version
        self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._id += 1
        response = self._post(
            {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        )
        self._session = response.headers.get("mcp-session-id", self._session)
        [message] = [
            json.loads(line.removeprefix("data: "))
            for line in response.text.splitlines()
            if line.startswith("data: ")
        ] or [response.json()]
        result: dict[str, Any] = message["result"]
        return result

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        headers = {"Accept": ACCEPT, "Content-Type": "application/json", **self._authorization}
        if self._session is not None:
            headers |= {"Mcp-Session-Id": self._session, "MCP-Protocol-Version": self._version}
        response = self._client.post(self._url, json=body, headers=headers)
        response.raise_for_status()
        return response


@pytest.fixture
def session(http_server: HttpServer, request: pytest.FixtureRequest) -> Any:
    with httpx.Client() as client:
        yield Session(http_server, client, request.param)


@pytest.mark.parametrize("session", ["2024-11-05", "2025-03-26"], indirect=True)
def test_before_2025_06_18_results_are_text_only(session: Session) -> None:
    tools = session.request("tools/list", {})["tools"]
    result = session.request(
        "tools/call", {"name": "okta_get_user", "arguments": {"user_id": "admin@example.com"}}
    )

    assert all("outputSchema" not in tool for tool in tools)
    assert "structuredContent" not in result
    assert json.loads(result["content"][0]["text"])["user"]["login"] == "admin@example.com"


@pytest.mark.parametrize("session", ["2025-06-18", "2025-11-25"], indirect=True)
def test_from_2025_06_18_results_are_also_structured(session: Session) -> None:
    tools = session.request("tools/list", {})["tools"]
    result = session.request(
        "tools/call", {"name": "okta_get_user", "arguments": {"user_id": "admin@example.com"}}
    )

    assert all("outputSchema" in tool for tool in tools)
    assert result["structuredContent"] == json.loads(result["content"][0]["text"])
