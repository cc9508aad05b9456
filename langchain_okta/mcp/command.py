"""`langchain-okta-mcp`: serve the toolkit's tools over MCP, on stdio or streamable HTTP.

    langchain-okta-mcp                          # stdio, credentials from the environment
    langchain-okta-mcp --sandbox                # an in-memory sandbox org, no Okta needed
    langchain-okta-mcp --transport http --port 8000

Credentials are the toolkit's: OKTA_ORG_URL with OKTA_API_TOKEN, or a service app
(OKTA_CLIENT_ID with OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_PATH, OKTA_KEY_ID, OKTA_SCOPES).
Over HTTP every request must carry `Authorization: Bearer $LANGCHAIN_OKTA_MCP_TOKEN` (the
sandbox on loopback may go without). Logs go to stderr only: on stdio, stdout carries the
protocol.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any

import anyio
from mcp.server.lowlevel import Server

from langchain_okta.errors import OktaConfigurationError, OktaError
from langchain_okta.mcp.http_auth import MIN_TOKEN_LENGTH, TOKEN_VARIABLE, BearerToken
from langchain_okta.mcp.server import ServerOptions, build_server
from langchain_okta.sandbox.__main__ import EXPOSE_FLAG
from langchain_okta.sandbox.org import IN_PROCESS_URL, SandboxOrg, is_loopback_host
from langchain_okta.toolkit import OktaToolkit

logger = logging.getLogger("langchain_okta.mcp")

# Printed on stderr once the HTTP socket listens: how to reach the server (and, with
# --port 0, which port was picked).
ENDPOINT_LINE = "MCP endpoint: "


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    exposed = args.transport == "http" and not is_loopback_host(args.host)
    if exposed and not args.expose_writable_admin_api:
        parser.error(
            f"--host {args.host} is not loopback: it would serve Okta admin tools to the "
            f"network. Pass {EXPOSE_FLAG} if that is what you mean."
        )
    args.http_token = _http_token(parser, args) if args.transport == "http" else None
    # stderr only: on stdio, stdout carries the protocol. The server's own messages at
    # INFO; the libraries' (httpx logs every request URL) at WARNING.
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("langchain_okta").setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        anyio.run(_serve, args)
    except (OktaError, OktaConfigurationError) as exc:
        # A configuration or credentials problem: one clear line, no traceback.
        print(f"langchain-okta-mcp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _http_token(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The bearer token HTTP requests must carry; None only for the sandbox, on loopback."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        if args.sandbox and is_loopback_host(args.host):
            return None
        parser.error(
            f"streamable HTTP needs a token in {TOKEN_VARIABLE}: any process or user on this "
            "machine can reach loopback, and the server holds Okta admin credentials. Set it "
            f"to at least {MIN_TOKEN_LENGTH} random characters and have the client send "
            "'Authorization: Bearer <token>'."
        )
    if len(token) < MIN_TOKEN_LENGTH:
        parser.error(f"{TOKEN_VARIABLE} must be at least {MIN_TOKEN_LENGTH} characters")
    return token


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langchain-okta-mcp",
        description="Serve the langchain-okta tools (list, get, create, update Okta users) "
        "over MCP.",
    )
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help=f"HTTP: loopback, unless {EXPOSE_FLAG}")
    parser.add_argument("--port", type=int, default=8000, help="HTTP: 0 picks a free port")
    parser.add_argument(
        "--read-only", action="store_true", help="serve the read tools only (list and get)"
    )
    parser.add_argument(
        "--no-confirm",
        action="store_true",
        help="run writes without asking the person through MCP elicitation; only for clients "
        "that confirm every tool call themselves",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="serve an in-memory sandbox org in this process instead of a real one",
    )
    parser.add_argument("--sandbox-users", type=int, default=40, help="people in the sandbox")
    parser.add_argument(
        EXPOSE_FLAG,
        action="store_true",
        help="allow an HTTP --host that is not loopback: anyone who can reach it can use the "
        "admin tools with this server's Okta credentials",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        toolkit = await _toolkit(args, stack)
        stack.push_async_callback(toolkit.aclose)
        server = build_server(toolkit, ServerOptions(confirm_writes=not args.no_confirm))
        _announce(toolkit, args)
        if args.transport == "stdio":
            from mcp.server.stdio import stdio_server

            async with stdio_server() as (read, write):
                await server.run(read, write, server.create_initialization_options())
        else:
            await _serve_http(server, args)


async def _toolkit(args: argparse.Namespace, stack: AsyncExitStack) -> OktaToolkit:
    read_only = True if args.read_only else None
    if not args.sandbox:
        return await OktaToolkit.acreate(read_only=read_only)
    org = SandboxOrg(users=args.sandbox_users)
    return await OktaToolkit.acreate(
        IN_PROCESS_URL, org.token, transport=org.transport(), read_only=read_only
    )


def _announce(toolkit: OktaToolkit, args: argparse.Namespace) -> None:
    names = ", ".join(tool.name for tool in toolkit.get_tools())
    where = "a sandbox org in this process" if args.sandbox else toolkit.client.settings.org_url
    logger.info("serving %s on %s: %s", where, args.transport, names)
    if args.transport == "http" and args.http_token is None:
        logger.warning("HTTP without a token: any local process can use this sandbox org")
    if toolkit.read_only:
        logger.info("read-only: no tool can change the org")
    elif args.no_confirm:
        logger.warning(
            "--no-confirm: creates and updates run WITHOUT asking the person; the MCP client "
            "must confirm each tool call itself"
        )
    else:
        logger.info("creates and updates run only when the person confirms them (elicitation)")


async def _serve_http(server: Server[Any], args: argparse.Namespace) -> None:
    import uvicorn

    # The SDK turns DNS-rebinding protection on for the loopback names it knows (bare).
    app: Any = server.streamable_http_app(host=args.host.strip("[]"))
    if args.http_token is not None:
        app = BearerToken(app, args.http_token)
    sock = listening_socket(args.host, args.port)
    try:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"{ENDPOINT_LINE}http://{shown}:{port}/mcp", file=sys.stderr, flush=True)
        config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="on")
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host:port` and listening, for uvicorn to serve on.

    Listening before uvicorn starts, so a client that read the endpoint line may connect.
    IPPROTO_TCP is named because asyncio sets TCP_NODELAY only on sockets that say they are
    TCP: without it each kept-alive request waited ~40 ms (Nagle's algorithm against delayed
    ACKs) for the second half of a response written in two parts.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock
