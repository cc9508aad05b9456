"""Approvals a person can judge: the toolkit's policy for LangChain's HumanInTheLoopMiddleware.

`approval_policy` returns the middleware's `interrupt_on` mapping: the write tools pause for a
decision, the read tools run straight away. Each paused call's `description` is a preview read
from the live org through the toolkit's own client (its connection and rate limits), made in
the light of the write calls before it in the same model message (an update of a user that an
earlier call changes is shown against the values that call leaves, and says so). Arguments are
checked with the tools' own schemas first. A preview that cannot be read says so and shows the
call; describing a call never raises, so an approval never fails the agent run.

What this policy does NOT guarantee: the preview is true when it is read, but nothing holds the
approved write to it. The pausing node runs again when the run resumes, so the write happens
on the org as it is then: if the user changed meanwhile (or a login now belongs to someone
else), the write applies to that. For writes bound to what the reviewer saw, use
`langchain_okta.approval_middleware` (`toolkit.approval_middleware()`) instead.

Timing: the middleware calls `description` synchronously, in async agents too, so a preview
holds the agent's event loop for its round trips: one request for the call and one for each
earlier write call of the same message, at most the client's read timeout (`Timeouts.read`)
each when Okta hangs. Previews neither retry nor wait out a rate-limit window. When the run
resumes, the middleware asks for the description again and discards it: that costs the same
requests again (nothing is cached, so no conversation can be shown another's preview).

To show a reviewer what an edit would do before resuming with it, describe the edited call
with `describe_call` (or `adescribe_call`): the same schemas, the same preview.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from pydantic import ValidationError

from langchain_okta.arguments import CreateUserArgs, UpdateUserArgs, validation_causes
from langchain_okta.client import OktaClient
from langchain_okta.descriptions import (
    Action,
    describe_create,
    describe_failure,
    describe_invalid,
    describe_update,
    requested,
    reviewer_text,
)
from langchain_okta.errors import InvalidUserIdError, OktaError
from langchain_okta.previews import CreatePreview, UpdatePreview
from langchain_okta.tool_names import CREATE_USER, UPDATE_USER
from langchain_okta.turns import WriteCall

if TYPE_CHECKING:
    from langchain.agents.middleware import InterruptOnConfig
    from langchain_core.messages import ToolCall

logger = logging.getLogger(__name__)

Decision = Literal["approve", "edit", "reject", "respond"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
# "respond" is left out by default: it answers in the tool's place, and for a write the
# model would read that answer as the write's result.
DEFAULT_DECISIONS: tuple[Decision, ...] = ("approve", "edit", "reject")

_ACTIONS: dict[str, Action] = {UPDATE_USER: "update", CREATE_USER: "create"}


def approval_policy(
    client: OktaClient,
    tool_names: Iterable[str],
    *,
    allowed_decisions: Sequence[str] = DEFAULT_DECISIONS,
) -> dict[str, bool | InterruptOnConfig]:
    """`interrupt_on` for HumanInTheLoopMiddleware: writes pause, reads (False) do not."""
    decisions = checked_decisions(allowed_decisions)
    describe = CallDescriber(client)
    policy: dict[str, bool | InterruptOnConfig] = {}
    for name in tool_names:
        if name in _ACTIONS:
            # A cast: checked as Python 3.10, LangChain's `typing.NotRequired` keys read
            # as required ones.
            policy[name] = cast(
                "InterruptOnConfig",
                {"allowed_decisions": list(decisions), "description": describe},
            )
        else:
            policy[name] = False
    return policy


class CallDescriber:
    """The `description` of each paused write: its preview, read from the org, in words."""

    def __init__(self, client: OktaClient) -> None:
        self._client = client

    def __call__(self, tool_call: ToolCall, state: Any, runtime: Any) -> str:
        earlier = _earlier_writes(tool_call, state)
        if not earlier:
            return describe_call(self._client, tool_call["name"], tool_call["args"])
        this = WriteCall(tool_call.get("id") or "", tool_call["name"], tool_call["args"])
        approvals = self._client.preview_turn([*earlier, this])
        return approvals.calls[this.id].description

    def __repr__(self) -> str:
        return f"CallDescriber({self._client!r})"


def _earlier_writes(tool_call: ToolCall, state: Any) -> list[WriteCall]:
    """The write calls before `tool_call` in the message that made it."""
    messages = state.get("messages") if isinstance(state, Mapping) else None
    for message in reversed(messages or []):
        calls = getattr(message, "tool_calls", None)
        if not calls:
            continue
        ids = [call.get("id") for call in calls]
        if tool_call.get("id") not in ids:
            return []
        before = calls[: ids.index(tool_call.get("id"))]
        return [
            WriteCall(call.get("id") or "", call["name"], call["args"])
            for call in before
            if call["name"] in _ACTIONS
        ]
    return []


def describe_call(client: OktaClient, tool_name: str, arguments: Mapping[str, Any]) -> str:
    """What a write call would do, in words, from one request to the org; never raises."""
    checked = _checked_arguments(tool_name, arguments)
    if isinstance(checked, str):
        return reviewer_text(checked)
    try:
        preview = _preview(client, checked)
    except Exception as exc:
        return reviewer_text(_unavailable(tool_name, arguments, exc))
    return reviewer_text(_described(preview))


async def adescribe_call(client: OktaClient, tool_name: str, arguments: Mapping[str, Any]) -> str:
    checked = _checked_arguments(tool_name, arguments)
    if isinstance(checked, str):
        return reviewer_text(checked)
    try:
        preview = await _apreview(client, checked)
    except Exception as exc:
        return reviewer_text(_unavailable(tool_name, arguments, exc))
    return reviewer_text(_described(preview))


def preview_call(
    client: OktaClient, tool_name: str, arguments: Mapping[str, Any]
) -> UpdatePreview | CreatePreview:
    """The preview of a write call as data, for an application's own approval screen.

    Raises pydantic's ValidationError for arguments the tool would refuse, the client's
    OktaError when the org cannot be read, ValueError for a tool that writes nothing.
    """
    return _preview(client, _arguments(tool_name, arguments))


async def apreview_call(
    client: OktaClient, tool_name: str, arguments: Mapping[str, Any]
) -> UpdatePreview | CreatePreview:
    return await _apreview(client, _arguments(tool_name, arguments))


def _arguments(tool_name: str, arguments: Mapping[str, Any]) -> UpdateUserArgs | CreateUserArgs:
    """The call's arguments, checked with the tool's own schema."""
    if tool_name == UPDATE_USER:
        return UpdateUserArgs.model_validate(arguments)
    if tool_name == CREATE_USER:
        return CreateUserArgs.model_validate(arguments)
    raise ValueError(f"{tool_name!r} writes nothing: only {UPDATE_USER} and {CREATE_USER} do")


def _preview(
    client: OktaClient, args: UpdateUserArgs | CreateUserArgs
) -> UpdatePreview | CreatePreview:
    if isinstance(args, UpdateUserArgs):
        return client.preview_update(args.user_id, args.profile_changes())
    return client.preview_create(args.new_profile(), activate=args.activate)


async def _apreview(
    client: OktaClient, args: UpdateUserArgs | CreateUserArgs
) -> UpdatePreview | CreatePreview:
    if isinstance(args, UpdateUserArgs):
        return await client.apreview_update(args.user_id, args.profile_changes())
    return await client.apreview_create(args.new_profile(), activate=args.activate)


def _checked_arguments(
    tool_name: str, arguments: Mapping[str, Any]
) -> UpdateUserArgs | CreateUserArgs | str:
    """The checked arguments, or the description of a call that cannot be previewed."""
    action = _ACTIONS.get(tool_name)
    if action is None:
        return f"{tool_name} has no preview.\n{requested(tool_name, arguments)}"
    try:
        return _arguments(tool_name, arguments)
    except ValidationError as exc:
        return describe_invalid(action, tool_name, arguments, "; ".join(validation_causes(exc)))
    except InvalidUserIdError as exc:
        return describe_invalid(action, tool_name, arguments, str(exc))


def _unavailable(tool_name: str, arguments: Mapping[str, Any], error: Exception) -> str:
    if not isinstance(error, OktaError):
        # Anything but Okta's own errors is a fault here; the log keeps the traceback.
        logger.exception("the preview of %s failed unexpectedly", tool_name)
    return describe_failure(_ACTIONS[tool_name], tool_name, arguments, error)


def _described(preview: UpdatePreview | CreatePreview) -> str:
    if isinstance(preview, UpdatePreview):
        return describe_update(preview)
    return describe_create(preview)


def checked_decisions(allowed: Sequence[str]) -> list[Decision]:
    """`allowed`, checked, in the usual order."""
    if isinstance(allowed, str) or not allowed or any(d not in DECISIONS for d in allowed):
        raise ValueError(
            f"allowed_decisions must be a non-empty list of {', '.join(DECISIONS)}; got {allowed!r}"
        )
    return [decision for decision in DECISIONS if decision in allowed]
