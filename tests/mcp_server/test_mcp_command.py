"""`langchain-okta-mcp` at start-up: loopback unless told otherwise, clear configuration
errors, what it says about confirmations, and nothing but the protocol on stdout."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp_support import HTTP_TOKEN, SERVER, HttpServer

from langchain_okta.mcp.command import _parser, listening_socket, main
from langchain_okta.mcp.http_auth import TOKEN_VARIABLE
from langchain_okta.oauth.config import (
    CLIENT_ID_VARIABLES,
    KEY_ID_VARIABLES,
    PRIVATE_KEY_PATH_VARIABLE,
    PRIVATE_KEY_VARIABLES,
    SCOPES_VARIABLES,
)
from langchain_okta.settings import API_TOKEN_VARIABLES, ORG_URL_VARIABLES

CREDENTIALS = (
    *ORG_URL_VARIABLES,
    *API_TOKEN_VARIABLES,
    *CLIENT_ID_VARIABLES,
    *PRIVATE_KEY_VARIABLES,
    PRIVATE_KEY_PATH_VARIABLE,
    *KEY_ID_VARIABLES,
    *SCOPES_VARIABLES,
    "OKTA_CLIENT_AUTHORIZATIONMODE",
)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])  # noqa: S104
def test_http_on_a_host_that_is_not_loopback_needs_the_explicit_flag(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--sandbox", "--transport", "http", "--host", host])

    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"--host {host} is not loopback" in err
    assert "Pass --expose-writable-admin-api if that is what you mean" in err


def test_without_credentials_it_says_what_is_missing_and_exits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)

    assert main([]) == 2

    err = capsys.readouterr().err
    assert err.startswith("langchain-okta-mcp: ")
    assert "OKTA_ORG_URL" in err
    assert "Traceback" not in err


def _started(*flags: str) -> tuple[str, str]:
    """Start the stdio server, let it read end of input, and return its stdout and stderr."""
    finished = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [*SERVER, *flags],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return finished.stdout, finished.stderr


def test_on_stdio_it_logs_to_stderr_only() -> None:
    stdout, stderr = _started()

    assert stdout == ""
    assert "serving a sandbox org in this process on stdio" in stderr
    assert "run only when the person confirms them" in stderr


def test_no_confirm_is_announced_at_start_up() -> None:
    _, stderr = _started("--no-confirm")

    assert "--no-confirm: creates and updates run WITHOUT asking the person" in stderr


def test_read_only_is_announced_at_start_up() -> None:
    _, stderr = _started("--read-only")

    assert "okta_list_users, okta_get_user\n" in stderr
    assert "read-only: no tool can change the org" in stderr


def test_http_refuses_a_request_naming_another_host(http_server: HttpServer) -> None:
    """DNS rebinding: a web page's script reaching the loopback port under its own name."""
    refused = httpx.post(
        http_server.url,
        headers={
            **http_server.headers,
            "Host": "attacker.example",
            "Content-Type": "application/json",
        },
        json={"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}},
    )

    assert refused.status_code == 421


def test_python_dash_m_and_the_console_script_are_one_command() -> None:
    [script] = entry_points(group="console_scripts", name="langchain-okta-mcp")

    assert script.value == "langchain_okta.mcp.command:main"


def _readme_json_snippets() -> list[dict[str, Any]]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## MCP server\n", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.DOTALL)]


def test_the_readmes_client_configurations_start_this_command_with_real_flags() -> None:
    snippets = _readme_json_snippets()
    servers = [
        server
        for snippet in snippets
        for server in {**snippet.get("mcpServers", {}), **snippet.get("servers", {})}.values()
    ]
    flags = {action for action in _parser()._option_string_actions}

    assert len(snippets) == 2
    assert {server["command"] for server in servers} == {"langchain-okta-mcp"}
    assert all(arg in flags for server in servers for arg in server.get("args", []))


async def test_http_connections_send_without_waiting_for_acks() -> None:
    """TCP_NODELAY on every accepted connection: without it, a kept-alive client waited
    ~40 ms per response (Nagle's algorithm against delayed ACKs)."""
    listening = listening_socket("127.0.0.1", 0)
    nodelay: list[int] = []
    seen = asyncio.Event()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = writer.get_extra_info("socket")
        nodelay.append(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        seen.set()
        writer.close()

    server = await asyncio.start_server(accepted, sock=listening)
    async with server:
        _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        writer.close()
        await writer.wait_closed()
        await asyncio.wait_for(seen.wait(), timeout=10)

    assert nodelay == [1]


def test_http_on_ipv6_loopback_refuses_a_request_naming_another_host() -> None:
    server = HttpServer("--host", "[::1]")
    try:
        refused = httpx.post(
            server.url,
            headers={
                **server.headers,
                "Host": "attacker.example",
                "Content-Type": "application/json",
            },
            json={"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}},
        )
    finally:
        server.stop()

    assert server.url.startswith("http://[::1]:")
    assert refused.status_code == 421


DISCOVER = {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}}
JSON = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token-0123456789abcdefghijklmnop", f"Basic {HTTP_TOKEN}", HTTP_TOKEN],
    ids=["none", "wrong", "basic", "bare"],
)
def test_http_refuses_a_request_without_the_token(
    http_server: HttpServer, authorization: str | None
) -> None:
    headers = {**JSON, **({"Authorization": authorization} if authorization else {})}

    refused = httpx.post(http_server.url, headers=headers, json=DISCOVER)

    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")


def test_http_answers_a_request_with_the_token(http_server: HttpServer) -> None:
    version = "2026-07-28"
    meta = {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    answered = httpx.post(
        http_server.url,
        headers={
            **JSON,
            **http_server.headers,
            "MCP-Protocol-Version": version,
            "Mcp-Method": "tools/list",
        },
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}},
    )

    assert answered.status_code == 200
    assert len(answered.json()["result"]["tools"]) == 4


def test_http_on_a_real_org_needs_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)

    with pytest.raises(SystemExit) as stopped:
        main(["--transport", "http"])

    assert stopped.value.code == 2
    assert f"streamable HTTP needs a token in {TOKEN_VARIABLE}" in capsys.readouterr().err


def test_http_refuses_a_short_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "short")

    with pytest.raises(SystemExit) as stopped:
        main(["--sandbox", "--transport", "http"])

    assert stopped.value.code == 2
    assert "must be at least 32 characters" in capsys.readouterr().err


def test_the_sandbox_over_http_without_a_token_says_so_at_start_up() -> None:
    server = HttpServer(token=None)
    try:
        listed = httpx.post(
            server.url,
            headers={**JSON, "MCP-Protocol-Version": "2025-11-25"},
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            },
        )
    finally:
        server.stop()

    assert listed.status_code == 200
    assert "HTTP without a token: any local process can use this sandbox org" in "".join(
        server.stderr
    )
