"""Approvals for the connected toolkit: each paused write is previewed with its person's own
connection.

The policy is the toolkit's (`langchain_okta.approvals`): writes pause for a decision, reads do
not, and each paused call's description is a preview read from the org. Here the preview is
read through the pooled client of the run's person, so a reviewer sees that person's org, and
the preview request carries that person's credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from langchain_okta.approvals import DEFAULT_DECISIONS, CallDescriber, checked_decisions
from langchain_okta.connections import OktaClientClosedError
from langchain_okta.errors import OktaError
from langchain_okta.tool_names import CREATE_USER, GET_USER, LIST_USERS, UPDATE_USER

if TYPE_CHECKING:
    from langchain.agents.middleware import InterruptOnConfig
    from langchain_core.messages import ToolCall

    from langchain_okta.connected import OktaConnectedToolkit

_DESCRIBER = "describer"


def connected_approval_policy(
    toolkit: OktaConnectedToolkit, *, allowed_decisions: Sequence[str] = DEFAULT_DECISIONS
) -> dict[str, bool | InterruptOnConfig]:
    decisions = checked_decisions(allowed_decisions)
    describe = PersonDescriber(toolkit)
    policy: dict[str, bool | InterruptOnConfig] = {LIST_USERS: False, GET_USER: False}
    for name in (CREATE_USER, UPDATE_USER):
        policy[name] = cast(
            "InterruptOnConfig", {"allowed_decisions": list(decisions), "description": describe}
        )
    return policy


class PersonDescriber:
    """The `description` of a paused write, previewed with the run's person's connection."""

    def __init__(self, toolkit: OktaConnectedToolkit) -> None:
        self._toolkit = toolkit

    def __repr__(self) -> str:
        return "PersonDescriber()"

    def __call__(self, tool_call: ToolCall, state: Any, runtime: Any) -> str:
        from langchain_okta.rights_middleware import tool_runtime_of

        pool = self._toolkit.pool
        try:
            connection = self._toolkit.connection(tool_runtime_of(state, runtime))
            entry = pool.lease(connection)
        except OktaError as exc:
            return _unavailable(tool_call, exc.for_agent())
        except OktaClientClosedError:
            return _unavailable(tool_call, "the app's Okta connections are closed")
        try:
            # One describer per person's client: its memo spares the resumed run a second
            # preview, as the toolkit's own policy does.
            describer = entry.extras.get(_DESCRIBER)
            if describer is None:
                describer = entry.extras[_DESCRIBER] = CallDescriber(entry.client)
            return cast("str", describer(tool_call, state, runtime))
        finally:
            pool.release(entry)


def _unavailable(tool_call: ToolCall, why: str) -> str:
    return (
        f"{tool_call['name']} with {tool_call['args']!r}: no preview ({why}). Approving runs the "
        "call, which will report the same problem."
    )
