"""Approvals that bind: what a person approves is what happens, or nothing happens.

`approval_middleware` returns the two middleware to pass to `create_agent(middleware=...)`,
in that order:

- LangChain's `HumanInTheLoopMiddleware` (as `OrderedReview`, which also marks the calls it
  rejects as ended), which pauses each write call for a decision and shows the reviewer the
  call's preview;
- `OktaApprovalBinding`, which makes those previews and enforces them.

Why two: when a paused run resumes, LangGraph runs the node that paused again from its
start, maybe hours later and in another process, so anything that node computed before the
pause is computed anew and is not what the person saw. So the previews are made by a node
that has completed before the pause: `OktaApprovalBinding.after_model` previews every write
call of the model's message, each in the light of the calls before it (`turns.py`), and
saves each call's text and binding (`bindings.py`) in the agent's state, which the
checkpointer saves with the thread and which is never sent to the model. The pausing node
only reads the text from there. When an approved call runs, `OktaApprovalBinding` hands the
tool node a one-off tool that writes only as the binding allows (`approved_writes.py`):

- an update goes to the user id the preview showed, with `If-Match` on the version it read
  (or, after earlier calls of the same message, on a fresh read that must hold exactly the
  values the preview assumed); otherwise nothing is written, and the model is told what
  changed and to propose the call again;
- a create first repeats its preview's lookup: anyone new with the login, email or name
  makes it write nothing;
- a call the reviewer edited keeps its binding only while it targets the same user; a write
  call with no preview in the state is not run at all.

In `per_call` mode a call shown again (after other calls of the message have run) is also
checked against the live org, and its text says what changed since the preview.

Every preview, re-check and approved write goes through the client of the run
(`client_sources.py`): `OktaToolkit`'s one client, or, for `OktaConnectedToolkit`, the run's
person's pooled client, borrowed for that step only. When none can be had for the run (no
connection, a person who may only read...), its calls are shown with why, bind nothing, and
approving them writes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal, NotRequired, cast

from langchain.agents.middleware import HumanInTheLoopMiddleware, InterruptOnConfig
from langchain.agents.middleware.types import (
    AgentMiddleware,
    AgentState,
    PrivateStateAttr,
    ToolCallRequest,
)
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import ValidationError

from langchain_okta.approvals import DEFAULT_DECISIONS, checked_decisions
from langchain_okta.approved_writes import describe_differences
from langchain_okta.arguments import CreateUserArgs
from langchain_okta.bindings import (
    IDENTITY,
    CallApproval,
    TurnApprovals,
    args_digest,
    differences,
)
from langchain_okta.call_order import CallKey, CallOrder
from langchain_okta.client import OktaClient
from langchain_okta.client_sources import CallClient, ClientSource, source_of
from langchain_okta.connections import OktaClientClosedError
from langchain_okta.descriptions import quoted, requested, reviewer_text
from langchain_okta.errors import InvalidUserIdError, OktaError
from langchain_okta.tool_names import CREATE_USER, UPDATE_USER
from langchain_okta.tools import (
    approved_create_tool,
    approved_update_tool,
    unpreviewed_write_tool,
)
from langchain_okta.turns import WriteCall, new_profile, unavailable_turn

STATE_KEY = "okta_approvals"
# How long a call waits for an earlier call of its message that its preview assumed runs
# first; past it, the call runs its checks anyway (and writes nothing if they fail).
WAIT_FOR_EARLIER_SECONDS = 10.0
_POLL_SECONDS = 0.005
_WRITES = (UPDATE_USER, CREATE_USER)

MISORDERED = (
    "No Okta preview was made for this write call before the pause. Pass the middleware "
    "exactly as toolkit.approval_middleware() returns it, in that order (the preview must be "
    "made by a node that runs before the one that pauses)."
)

SHARED_ID = (
    "No preview: the model gave this call the same id as another call of its message, so "
    "they cannot be told apart. If approved, nothing is written, and the model is asked to "
    "propose the calls again."
)

ToolResult = ToolMessage | Command[Any]


class ApprovalState(AgentState[Any]):
    """The agent state, with the previews of the current message's write calls."""

    okta_approvals: NotRequired[Annotated[dict[str, Any] | None, PrivateStateAttr]]


def approval_middleware(
    client: OktaClient | ClientSource,
    tool_names: Sequence[str],
    *,
    allowed_decisions: Sequence[str] = DEFAULT_DECISIONS,
    interrupt_mode: Literal["batched", "per_call"] = "batched",
) -> list[AgentMiddleware[Any, Any, Any]]:
    """The middleware that pause `tool_names`' writes for a person, with binding previews.

    Pass the list as it is (or first in a longer list): `create_agent(model, tools,
    middleware=approval_middleware(...), checkpointer=...)`. `client` is the one client of
    every run, or a `ClientSource` that lends each run its own.
    """
    decisions = checked_decisions(allowed_decisions)
    source = source_of(client)
    describe = StoredDescription(source, live_check=interrupt_mode == "per_call")
    policy: dict[str, bool | InterruptOnConfig] = {}
    for name in tool_names:
        if name in _WRITES:
            policy[name] = cast(
                "InterruptOnConfig", {"allowed_decisions": list(decisions), "description": describe}
            )
        else:
            policy[name] = False
    order = CallOrder()
    return [
        OrderedReview(order, interrupt_on=policy, interrupt_mode=interrupt_mode),
        OktaApprovalBinding(source, order=order),
    ]


class OrderedReview(HumanInTheLoopMiddleware):
    """LangChain's middleware, which also marks the calls it answers itself as ended.

    In `per_call` mode a rejected call is answered here and never reaches
    `OktaApprovalBinding`: a later call of its message that waits for it would wait in vain.
    A pause raises, so a call still waiting for its decision is not marked.
    """

    def __init__(self, order: CallOrder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._order = order

    @property
    def name(self) -> str:
        # The graph's nodes are named after it: a run paused under LangChain's own name
        # resumes in a graph built with this one.
        return HumanInTheLoopMiddleware.__name__

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolResult]
    ) -> ToolResult:
        result = super().wrap_tool_call(request, handler)
        _end(self._order, request)
        return result

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolResult]],
    ) -> ToolResult:
        result = await super().awrap_tool_call(request, handler)
        _end(self._order, request)
        return result


class StoredDescription:
    """The `description` of a paused write: the preview saved in the state before the pause."""

    def __init__(self, client: OktaClient | ClientSource, *, live_check: bool) -> None:
        self._source = source_of(client)
        self._live_check = live_check

    def __call__(self, tool_call: Any, state: Any, runtime: Any) -> str:
        approvals = _approvals(state)
        approval = approvals.calls.get(tool_call.get("id") or "") if approvals else None
        if approval is not None and approval.shared_id:
            return reviewer_text(f"{SHARED_ID}\n{requested(tool_call['name'], tool_call['args'])}")
        # Saved for this very call of this very message: not a call of an earlier turn that
        # reused the id (as when the middleware run in the wrong order).
        if (
            approvals is None
            or approval is None
            or approvals.message_id != _last_message_id(state)
            or approval.args_digest != args_digest(tool_call["name"], tool_call["args"])
        ):
            raise RuntimeError(MISORDERED)
        if not self._live_check:
            return approval.description
        return reviewer_text(approval.description + self._since(approval, state, runtime))

    def _since(self, approval: CallApproval, state: Any, runtime: Any) -> str:
        """What changed in the org since the preview, when the call is shown again."""
        binding = approval.update
        if binding is None or binding.user_id is None:
            return ""
        try:
            with self._source.client_for(state, runtime) as client:
                user, etag = client.read_user_version(binding.user_id)
        except (OktaError, OktaClientClosedError) as exc:
            why = _why_no_client(exc)
            return f"\nSince this preview: the user could not be read again ({why})."
        if binding.etag is not None and etag == binding.etag:
            return ""
        # Another version of the user: the approved write compares ETags, not only the values
        # shown (see `update_approved`), so it would write nothing.
        stale_version = binding.etag is not None and etag is not None
        if binding.after_calls and not differences(binding.seen, user):
            # As read for the preview: the earlier calls have not run yet (or changed nothing
            # this preview shows), so nothing tells that they ran.
            return ""
        if not stale_version and not differences(binding.expected, user):
            if not binding.after_calls:
                return ""
            calls = ", ".join(str(n) for n in binding.after_calls)
            return f"\nSince this preview: call(s) {calls} of this turn ran as it assumed."
        changed = differences(binding.seen if binding.etag else binding.expected, user)
        what = describe_differences(changed) if changed else "attributes the preview does not show"
        return (
            f"\nSince this preview the user changed: {what}. If approved, nothing is written "
            "and the model is asked to propose the call again."
        )

    def __repr__(self) -> str:
        return f"StoredDescription({self._source!r})"


class OktaApprovalBinding(AgentMiddleware[ApprovalState, Any, Any]):
    """Previews each write call before the pause, and holds the approved write to it."""

    state_schema = ApprovalState

    def __init__(
        self,
        client: OktaClient | ClientSource,
        *,
        wait_seconds: float = WAIT_FOR_EARLIER_SECONDS,
        order: CallOrder | None = None,
    ):
        super().__init__()
        self._source = source_of(client)
        self._wait_seconds = wait_seconds
        self._order = order or CallOrder()

    def __repr__(self) -> str:
        return f"OktaApprovalBinding({self._source!r})"

    # -- before the pause: the previews -------------------------------------------------------

    def after_model(self, state: ApprovalState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        found = _write_calls(state)
        if found is None:
            return {STATE_KEY: None} if state.get(STATE_KEY) else None
        message_id, calls = found
        try:
            # The client is borrowed to write: a person who may only read is told so now.
            with self._source.client_for(state, runtime, write=True) as client:
                approvals = client.preview_turn(calls, message_id)
        except (OktaError, OktaClientClosedError) as exc:
            approvals = unavailable_turn(calls, message_id, _why_no_client(exc))
        return {STATE_KEY: approvals.model_dump(mode="json")}

    async def aafter_model(
        self, state: ApprovalState, runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        found = _write_calls(state)
        if found is None:
            return {STATE_KEY: None} if state.get(STATE_KEY) else None
        message_id, calls = found
        try:
            async with self._source.aclient_for(state, runtime, write=True) as client:
                approvals = await client.apreview_turn(calls, message_id)
        except (OktaError, OktaClientClosedError) as exc:
            approvals = unavailable_turn(calls, message_id, _why_no_client(exc))
        return {STATE_KEY: approvals.model_dump(mode="json")}

    # -- after the decision: the bound write ----------------------------------------------------

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolResult]
    ) -> ToolResult:
        prepared = self._prepare(request)
        if isinstance(prepared, ToolMessage):
            return prepared
        to_run, key, earlier = prepared
        deadline = time.monotonic() + self._wait_seconds
        while earlier and not self._order.all_ended(earlier) and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
        try:
            return handler(to_run)
        finally:
            if key is not None:
                self._order.end(key)

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolResult]],
    ) -> ToolResult:
        prepared = self._prepare(request)
        if isinstance(prepared, ToolMessage):
            return prepared
        to_run, key, earlier = prepared
        deadline = time.monotonic() + self._wait_seconds
        # A bounded poll: the calls it waits for may run on other threads or loops.
        while earlier and not self._order.all_ended(earlier) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(_POLL_SECONDS)
        try:
            return await handler(to_run)
        finally:
            if key is not None:
                self._order.end(key)

    def _prepare(
        self, request: ToolCallRequest
    ) -> tuple[ToolCallRequest, CallKey | None, list[CallKey]] | ToolMessage:
        """The request to run (with the bound tool), its key, and the calls to wait for."""
        tool_call = request.tool_call
        name = tool_call["name"]
        if name not in _WRITES:
            return request, None, []
        call_id = tool_call.get("id") or ""
        approvals = _approvals(request.state)
        approval = approvals.calls.get(call_id) if approvals else None
        if (
            approvals is None
            or approval is None
            or approval.tool != name
            or approvals.message_id != _last_message_id(request.state)
        ):
            _end(self._order, request)
            return _refused(
                request,
                "This write was not run, and nothing was written: no preview of it was shown "
                "to the person who approves writes. Call the tool again so they see one.",
            )
        if approval.shared_id:
            _end(self._order, request)
            return _refused(
                request,
                "Nothing was written: this call has the same id as another call of the same "
                "message, so no preview could be shown as its own. Call the tools again, giving "
                "each call its own id.",
            )
        # The write borrows the client of its own run, only while it writes.
        client = CallClient(self._source, request.state, request.runtime)
        if approval.unavailable is not None:
            _end(self._order, request)  # it binds nothing, so no later call assumed it
            tool = unpreviewed_write_tool(client, name, approval.unavailable)
            return request.override(tool=self._source.node_tool(tool)), None, []
        args = tool_call["args"]
        edited = args_digest(name, args) != approval.args_digest
        bound = _binding_after_edit(approval, args) if edited else approval
        if isinstance(bound, str):
            _end(self._order, request)  # the later calls that assumed it need not wait
            return _refused(request, bound)
        if bound.update is not None:
            tool = approved_update_tool(client, bound.update)
            to_run = request.override(tool=self._source.node_tool(tool))
        elif bound.create is not None:
            tool = approved_create_tool(client, bound.create)
            to_run = request.override(tool=self._source.node_tool(tool))
        else:
            # The preview could not be read, and said so: the person approved the call as
            # shown, unbound.
            to_run = request
        thread, message, _ = key = _call_key(request, approvals)
        binding = bound.update or bound.create
        assumed = binding.after_calls if binding is not None else []
        answered = _answered_calls(request.state)
        earlier = [
            (thread, message, other_id)
            for other_id, other in approvals.calls.items()
            if other.position in assumed and other_id not in answered
        ]
        return to_run, key, earlier


def _call_key(request: ToolCallRequest, approvals: TurnApprovals) -> CallKey:
    thread = str((request.runtime.config.get("configurable") or {}).get("thread_id"))
    return thread, approvals.message_id or "", request.tool_call.get("id") or ""


def _end(order: CallOrder, request: ToolCallRequest) -> None:
    """Mark a write call of the previewed message as ended, whether it ran or not."""
    if request.tool_call["name"] not in _WRITES:
        return
    approvals = _approvals(request.state)
    if approvals is not None:
        order.end(_call_key(request, approvals))


def _binding_after_edit(approval: CallApproval, args: dict[str, Any]) -> CallApproval | str:
    """The approval of a call a reviewer edited, or why the edit cannot run."""
    if approval.update is not None:
        target = args.get("user_id")
        # The same user: as previewed (a login in any case), or by the id the preview showed.
        same = {_user_key(approval.target), _user_key(approval.update.user_id)} - {None}
        if _user_key(target) not in same:
            return (
                f"Nothing was written: the reviewer's edit changes the user from "
                f"{quoted(approval.target)} to {quoted(str(target))}, which no preview showed "
                "them. Propose the call for that user again so they see its preview."
            )
        return approval
    if approval.create is not None:
        try:
            profile = new_profile(CreateUserArgs.model_validate(args).new_profile())
        except (ValidationError, InvalidUserIdError):
            return approval  # the tool refuses the arguments and says why
        identity = {name: profile.get(name) for name in IDENTITY}
        if identity == approval.create.identity:
            return approval
        # Someone else than the preview looked up: anyone with that login, email or name
        # now makes the create write nothing.
        fresh = approval.create.model_copy(
            update={"identity": identity, "known_matches": [], "sibling_logins": []}
        )
        return approval.model_copy(update={"create": fresh})
    return (
        "Nothing was written: the reviewer edited a call whose preview could not be made, so "
        "no preview showed them what it does. Propose the call again so they see one."
    )


def _why_no_client(exc: OktaError | OktaClientClosedError) -> str:
    if isinstance(exc, OktaClientClosedError):
        return "the app's Okta connections are closed"
    return str(exc)


def _user_key(value: object) -> str | None:
    return value.strip().casefold() if isinstance(value, str) else None


def _refused(request: ToolCallRequest, text: str) -> ToolMessage:
    return ToolMessage(
        content=reviewer_text(text),
        name=request.tool_call["name"],
        tool_call_id=request.tool_call.get("id") or "",
        status="error",
    )


def _approvals(state: Any) -> TurnApprovals | None:
    raw = state.get(STATE_KEY) if isinstance(state, dict) else getattr(state, STATE_KEY, None)
    return TurnApprovals.model_validate(raw) if raw else None


def _write_calls(state: Any) -> tuple[str | None, list[WriteCall]] | None:
    messages = state.get("messages") or []
    if not messages or not isinstance(messages[-1], AIMessage):
        return None
    message = messages[-1]
    calls = [
        WriteCall(id=call.get("id") or "", name=call["name"], args=call["args"])
        for call in message.tool_calls
        if call["name"] in _WRITES
    ]
    return (message.id, calls) if calls else None


def _last_message_id(state: Any) -> str | None:
    messages = state.get("messages") if isinstance(state, dict) else None
    for message in reversed(messages or []):
        if isinstance(message, AIMessage):
            return message.id
    return None


def _answered_calls(state: Any) -> set[str]:
    """Tool calls of the last model message that already have an answer (a rejection...)."""
    messages = state.get("messages") if isinstance(state, dict) else None
    answered: set[str] = set()
    for message in reversed(messages or []):
        if isinstance(message, AIMessage):
            break
        if isinstance(message, ToolMessage):
            answered.add(message.tool_call_id)
    return answered
