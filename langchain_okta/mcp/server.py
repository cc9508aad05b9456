"""The MCP server: the toolkit's tools listed and called over MCP, writes confirmed first.

Built on the official SDK's low-level `Server`, not its `MCPServer` (formerly FastMCP) nor the
separate FastMCP package: the tools' names, input schemas and descriptions are the
StructuredTools' own, verbatim (MCPServer derives them from a function's signature), and the
confirmation is one explicit function over both protocol eras (`confirmation.py`) rather than
resolvers the framework re-runs on every round (which would read the preview twice). The
SDK's transports, request-state sealing and DNS-rebinding protection serve either way.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.tools import BaseTool
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
from mcp.server.session import ServerSession
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, ValidationError

from langchain_okta.mcp.catalogue import WRITE_TOOLS, mcp_tool
from langchain_okta.mcp.confirmation import APPROVAL_SECONDS, BoundWrites, confirmed_write
from langchain_okta.mcp.summary_progress import SummaryProgress
from langchain_okta.toolkit import OktaToolkit
from langchain_okta.version import __version__

SERVER_NAME = "langchain-okta"
# structuredContent and outputSchema arrived in this protocol version.
_STRUCTURED_SINCE = "2025-06-18"

_INSTRUCTIONS = (
    "Okta user administration for one org: list, count, get, create and update users. "
    "Look users up before changing them."
)
_CONFIRMED = (
    " Each create or update is shown to the person with a preview and happens only if they "
    "confirm it."
)


@dataclass(frozen=True)
class ServerOptions:
    """How the server treats writes.

    `confirm_writes` False (`--no-confirm`) runs writes without asking the person, for
    clients that confirm every tool call on their side.
    """

    confirm_writes: bool = True


def build_server(toolkit: OktaToolkit, options: ServerOptions | None = None) -> Server[Any]:
    """An MCP server (the SDK's low-level `Server`) serving the toolkit's tools.

    The tools are those `toolkit.get_tools()` hands out, so the admin check, `read_only`
    and the granted scopes decide them exactly as for an agent.
    """
    confirm = (options or ServerOptions()).confirm_writes
    tools = {tool.name: tool for tool in toolkit.get_tools()}
    writes = BoundWrites(toolkit.client)

    # The listing is fixed once built (the toolkit is): made once, for clients with and
    # without structured output.
    listings = {
        structured: [mcp_tool(tool, structured=structured) for tool in tools.values()]
        for structured in (True, False)
    }
    input_schemas = {tool.name: tool.input_schema for tool in listings[True]}

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listings[_structured(ctx)])

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        tool = tools.get(params.name)
        if tool is None:
            return _unknown_tool(params.name, tools)
        structured = _structured(ctx)

        async def run(to_run: BaseTool, arguments: Mapping[str, Any]) -> types.CallToolResult:
            return await run_tool(to_run, arguments, ctx.session, structured=structured)

        arguments = params.arguments or {}
        # Arguments the tool refuses are refused without asking anyone: the tool's own
        # message tells the model how to fix them, and nothing is written.
        if confirm and params.name in WRITE_TOOLS and _accepted(tool, arguments):
            return await confirmed_write(ctx, params, tool, writes, run)
        return await run(tool, arguments)

    server: Server[Any] = Server(
        SERVER_NAME,
        version=__version__,
        title="Okta users (langchain-okta)",
        instructions=_INSTRUCTIONS + (_CONFIRMED if confirm else ""),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        # Over HTTP on 2026-07-28 the SDK checks each call's Mcp-Param headers against the
        # tool's input schema; without this it runs the whole tools/list handler per call.
        get_tool_input_schema=input_schemas.get,
    )
    # Seals the approval a 2026-07-28 client carries between its two calls (confirmation.py).
    # The key lives in this process only: a restarted server asks again.
    security = RequestStateSecurity.ephemeral(ttl=APPROVAL_SECONDS)
    server.middleware.append(RequestStateBoundary(security, default_audience=SERVER_NAME))
    return server


async def run_tool(
    tool: BaseTool, arguments: Mapping[str, Any], session: ServerSession, *, structured: bool
) -> types.CallToolResult:
    """Call the toolkit's StructuredTool itself, as an agent would, and wrap its message."""
    call = ToolCall(
        name=tool.name, args=dict(arguments), id=f"mcp-{uuid.uuid4()}", type="tool_call"
    )
    message = await tool.ainvoke(call, config={"callbacks": [SummaryProgress(session)]})
    if not isinstance(message, ToolMessage) or not isinstance(message.content, str):
        raise TypeError(f"{tool.name} returned {type(message).__name__}, not a text ToolMessage")
    failed = message.status == "error"
    return types.CallToolResult(
        content=[types.TextContent(text=message.content)],
        # The text is the view's JSON (views.py): the same object, parsed, is the
        # structured result its output schema describes.
        structured_content=json.loads(message.content) if structured and not failed else None,
        is_error=failed,
    )


def _structured(ctx: ServerRequestContext[Any, Any]) -> bool:
    return is_version_at_least(ctx.protocol_version, _STRUCTURED_SINCE)


def _accepted(tool: BaseTool, arguments: Mapping[str, Any]) -> bool:
    schema = tool.args_schema
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        return False
    try:
        schema.model_validate(arguments)
    except (ValidationError, ValueError):
        return False
    return True


def _unknown_tool(name: str, tools: Mapping[str, BaseTool]) -> types.CallToolResult:
    return types.CallToolResult(
        content=[
            types.TextContent(
                text=f"There is no tool {name!r} on this server; it has {', '.join(tools)}."
            )
        ],
        is_error=True,
    )
