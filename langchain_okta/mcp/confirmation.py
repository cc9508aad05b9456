"""Writes the person confirms: preview, ask through MCP elicitation, run the write bound to it.

`confirmed_write` is the whole flow, for both ways a client can be asked:

- Protocol versions up to 2025-11-25: `elicitation/create` is sent in the middle of the call,
  on the call's own channel, and the call waits for the answer.
- 2026-07-28: the call returns `InputRequiredResult` carrying the question, and the
  approval (what the person was shown) in `requestState`; the client asks the person and
  calls again with the answer. The SDK's `RequestStateBoundary` seals that state: encrypted,
  bound to this tool and these exact arguments, and valid for `APPROVAL_SECONDS`, so a
  client can neither forge an approval nor replay one onto other arguments.

Either way the person sees the live preview (`client.apreview_turn`, the same text and
binding as the LangChain approval middleware's), nothing is written unless they accept, and
a client that cannot ask is refused with the reason; it is never written silently.

The approved write is bound to what the person saw (`bindings.py`): `BoundWrites.run` sends
it as the approval middleware does, an update to the previewed user id with `If-Match` on the
previewed version, a create after its lookup is repeated. If the user changed meanwhile
(another admin's edit while the person decided, or a sibling write approved with it), nothing
is written and the model is told what changed and to propose again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

import anyio
import mcp_types as types
from langchain_core.tools import BaseTool
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict

from langchain_okta.bindings import CallApproval, args_digest
from langchain_okta.client import OktaClient
from langchain_okta.tools import approved_create_tool, approved_update_tool
from langchain_okta.turns import WriteCall

logger = logging.getLogger(__name__)

ToolRun = Callable[[BaseTool, Mapping[str, Any]], Awaitable[types.CallToolResult]]

# The key of the one question in an InputRequiredResult.
CONFIRM_KEY = "confirm"
# Each MCP call is a turn of one write call, under this id.
_CALL_ID = "mcp-call"
# How long a 2026-07-28 client may take to come back with the person's answer; the SDK's
# request-state default, stated here because it is a promise to the person deciding.
APPROVAL_SECONDS = 600.0

# One checkbox: a client shows the preview above it, with Accept / Decline / Cancel.
_QUESTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        CONFIRM_KEY: {
            "type": "boolean",
            "title": "Make this change",
            "description": "Tick to make the change described above in your Okta org.",
            "default": False,
        }
    },
    "required": [CONFIRM_KEY],
}


class Approval(BaseModel):
    """What the person was shown for one write call, and what accepting it binds: the user
    id and ETag an update goes to, or the lookup a create repeats (`bindings.py`).

    In the 2026-07-28 flow it travels in the sealed request state between the two calls.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    call: CallApproval

    @property
    def tool(self) -> str:
        return self.call.tool

    @property
    def preview(self) -> str:
        return self.call.description


Answer = Literal["accept", "decline", "cancel", "unchecked"]


async def confirmed_write(
    ctx: ServerRequestContext[Any, Any],
    params: types.CallToolRequestParams,
    tool: BaseTool,
    writes: BoundWrites,
    run: ToolRun,
) -> types.CallToolResult | types.InputRequiredResult:
    """Preview the write, ask the person, and run it bound to what they approved."""
    client = writes.client
    arguments = params.arguments or {}
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        if params.request_state is not None:
            approval = Approval.model_validate_json(params.request_state)
            answer = _answer((params.input_responses or {}).get(CONFIRM_KEY))
            return await _decided(approval, answer, arguments, tool, writes, run)
        if not _can_elicit(ctx):
            return refused_without_elicitation(params.name)
        approval = await preview(client, params.name, arguments)
        return types.InputRequiredResult(
            input_requests={CONFIRM_KEY: types.ElicitRequest(params=_question(approval))},
            request_state=approval.model_dump_json(),
        )
    if not _can_elicit(ctx):
        return refused_without_elicitation(params.name)
    approval = await preview(client, params.name, arguments)
    try:
        result = await ctx.session.send_request(
            types.ElicitRequest(params=_question(approval)),
            types.ElicitResult,
            metadata=_related(ctx),
        )
    except MCPError as exc:
        return _not_done(
            f"the confirmation could not be shown to the person ({exc}). Nothing was changed. "
            "Tell the user; do not retry the same call."
        )
    return await _decided(approval, _answer(result), arguments, tool, writes, run)


async def preview(client: OktaClient, tool_name: str, arguments: Mapping[str, Any]) -> Approval:
    """The live preview the person is asked about, and its binding (one request to the org)."""
    approvals = await client.apreview_turn([WriteCall(_CALL_ID, tool_name, arguments)])
    return Approval(call=approvals.calls[_CALL_ID])


class BoundWrites:
    """Runs approved writes bound to what the person saw, one at a time.

    Invariant: no two writes approved through this server run at once; all hold `_lock`.
    An update is held to the previewed version by `If-Match` whatever else runs, but a
    create's repeated lookup is only meaningful if a sibling create approved with it (the
    same person twice) has finished first. Writes wait for a person anyway, so running them
    one at a time costs nothing anyone notices.
    """

    def __init__(self, client: OktaClient) -> None:
        self.client = client
        self._lock = anyio.Lock()

    async def run(
        self, approval: Approval, arguments: Mapping[str, Any], tool: BaseTool, write: ToolRun
    ) -> types.CallToolResult:
        call = approval.call
        if call.tool != tool.name or call.args_digest != args_digest(tool.name, arguments):
            # The sealed request state already binds the arguments; this holds without it.
            return _not_done(
                "this answer approves another call than this one, so nothing was written. "
                "Call the tool again so the person sees this call's preview."
            )
        if call.update is not None:
            bound = approved_update_tool(self.client, call.update)
        elif call.create is not None:
            bound = approved_create_tool(self.client, call.create)
        else:
            # The preview could not be read and said so: the person approved the call as
            # shown, unbound (as the approval middleware runs it).
            bound = tool
        async with self._lock:
            return await write(bound, arguments)

    def __repr__(self) -> str:
        return f"BoundWrites({self.client!r})"


def refused_without_elicitation(tool_name: str) -> types.CallToolResult:
    return _not_done(
        f"{tool_name} changes the Okta org and needs the person's confirmation, but this MCP "
        "client cannot ask for it (it does not support MCP elicitation in form mode). "
        "Nothing was changed. Tell the user to make the change in the Okta Admin Console or "
        "from an MCP client that supports elicitation; do not retry the same call."
    )


async def _decided(
    approval: Approval,
    answer: Answer,
    arguments: Mapping[str, Any],
    tool: BaseTool,
    writes: BoundWrites,
    run: ToolRun,
) -> types.CallToolResult:
    if answer == "accept":
        logger.info("the person confirmed a call of %s", approval.tool)
        return await writes.run(approval, arguments, tool, run)
    logger.info("the person did not confirm a call of %s (%s)", approval.tool, answer)
    if answer == "decline":
        return _not_done(
            "the person declined this change when asked to confirm it; nothing was changed. "
            "Do not retry it unless they ask for it again."
        )
    if answer == "unchecked":
        return _not_done(
            "the person answered without ticking 'Make this change'; nothing was changed. "
            "Ask them whether they want it."
        )
    return _not_done(
        "the person dismissed the confirmation without deciding; nothing was changed. Ask "
        "them whether they want this change."
    )


def _answer(response: object) -> Answer:
    """The person's decision; anything but an accepted, ticked box is not an acceptance."""
    if not isinstance(response, types.ElicitResult):
        return "cancel"
    if response.action != "accept":
        return response.action
    if (response.content or {}).get(CONFIRM_KEY) is not True:
        return "unchecked"
    return "accept"


def _question(approval: Approval) -> types.ElicitRequestFormParams:
    return types.ElicitRequestFormParams(
        message=f"Confirm this change to your Okta org:\n\n{approval.preview}",
        requested_schema=_QUESTION,
    )


def _can_elicit(ctx: ServerRequestContext[Any, Any]) -> bool:
    capabilities = ctx.session.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None:
        return False
    # `elicitation: {}` (2025-06-18) means form mode; a client listing only `url` has no form.
    return elicitation.form is not None or elicitation.url is None


def _related(ctx: ServerRequestContext[Any, Any]) -> ServerMessageMetadata:
    # Sent on the call's own channel (its SSE stream over HTTP), as the spec asks.
    return ServerMessageMetadata(related_request_id=ctx.request_id)


def _not_done(reason: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=f"Not done: {reason}")],
        is_error=True,
    )
