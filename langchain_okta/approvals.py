"""Approvals a person can judge: the toolkit's policy for LangChain's HumanInTheLoopMiddleware.

`approval_policy` returns the middleware's `interrupt_on` mapping: the write tools pause for a
decision, the read tools run straight away. Each paused call's `description` is a preview read
from the live org through the toolkit's own client (its connection and rate limits): one GET
of the user for an update, one search for a create. Arguments are checked with the tools' own
schemas first. A preview that cannot be read says so and shows the call; describing a call
never raises, so an approval never fails the agent run.

Timing: the middleware calls `description` synchronously, in async agents too (its
`aafter_model` calls `after_model`), so a preview holds the agent's event loop for its one
round trip: about a millisecond on the in-process sandbox, one Okta round trip in production,
at most the client's read timeout (`Timeouts.read`) when Okta hangs. Previews neither retry
nor wait out a rate-limit window. When the run resumes, LangGraph runs the middleware again,
which asks for the description again only to discard it; the policy keeps each description
until that second ask, so a pause costs one request, not two (a resume in another process
asks Okta again).

To show a reviewer what an edit would do before resuming with it, describe the edited call
with `describe_call` (or `adescribe_call`): the same schemas, the same preview.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
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
)
from langchain_okta.errors import InvalidUserIdError, OktaError
from langchain_okta.previews import CreatePreview, UpdatePreview
from langchain_okta.tools import CREATE_USER, UPDATE_USER

if TYPE_CHECKING:
    from langchain.agents.middleware import InterruptOnConfig
    from langchain_core.messages import ToolCall

logger = logging.getLogger(__name__)

Decision = Literal["approve", "edit", "reject", "respond"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
# "respond" is left out by default: it answers in the tool's place, and for a write the
# model would read that answer as the write's result.
DEFAULT_DECISIONS: tuple[Decision, ...] = ("approve", "edit", "reject")
# Descriptions kept for paused calls whose run has not resumed yet.
MEMO_SIZE = 256

_ACTIONS: dict[str, Action] = {UPDATE_USER: "update", CREATE_USER: "create"}


def approval_policy(
    client: OktaClient,
    tool_names: Iterable[str],
    *,
    allowed_decisions: Sequence[str] = DEFAULT_DECISIONS,
) -> dict[str, bool | InterruptOnConfig]:
    """`interrupt_on` for HumanInTheLoopMiddleware: writes pause, reads (False) do not."""
    decisions = _checked_decisions(allowed_decisions)
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
        self._memo = _DescriptionMemo(MEMO_SIZE)

    def __call__(self, tool_call: ToolCall, state: Any, runtime: Any) -> str:
        key = _memo_key(tool_call)
        if key is not None and (text := self._memo.take(key)) is not None:
            return text
        text = describe_call(self._client, tool_call["name"], tool_call["args"])
        if key is not None:
            self._memo.put(key, text)
        return text

    def __repr__(self) -> str:
        return f"CallDescriber({self._client!r})"


def describe_call(client: OktaClient, tool_name: str, arguments: Mapping[str, Any]) -> str:
    """What a write call would do, in words, from one request to the org; never raises."""
    checked = _checked_arguments(tool_name, arguments)
    if isinstance(checked, str):
        return checked
    try:
        preview = _preview(client, checked)
    except Exception as exc:
        return _unavailable(tool_name, arguments, exc)
    return _described(preview)


async def adescribe_call(client: OktaClient, tool_name: str, arguments: Mapping[str, Any]) -> str:
    checked = _checked_arguments(tool_name, arguments)
    if isinstance(checked, str):
        return checked
    try:
        preview = await _apreview(client, checked)
    except Exception as exc:
        return _unavailable(tool_name, arguments, exc)
    return _described(preview)


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


def _checked_decisions(allowed: Sequence[str]) -> list[Decision]:
    if isinstance(allowed, str) or not allowed or any(d not in DECISIONS for d in allowed):
        raise ValueError(
            f"allowed_decisions must be a non-empty list of {', '.join(DECISIONS)}; got {allowed!r}"
        )
    return [decision for decision in DECISIONS if decision in allowed]


def _memo_key(tool_call: ToolCall) -> tuple[str, str, str] | None:
    call_id = tool_call.get("id")
    if not call_id:
        return None
    arguments = json.dumps(tool_call["args"], sort_keys=True, default=str)
    return call_id, tool_call["name"], arguments


class _DescriptionMemo:
    """Descriptions of paused calls, each given out once more: to the resumed run.

    Invariant: an entry is the description computed when a call paused, keyed by the call's
    id, tool and arguments; taking it removes it, and past `size` entries the oldest goes.
    All access holds `_lock` (tool calls may be described from several threads).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            return self._entries.pop(key, None)

    def put(self, key: tuple[str, str, str], text: str) -> None:
        with self._lock:
            self._entries[key] = text
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
