"""How the agent walkthrough prints a conversation: one line per message, then each write that
waits for a reviewer, as the reviewer is shown it."""

from __future__ import annotations

import json
from typing import Any, Protocol

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

# LangChain's human-in-the-loop middleware puts a note before the result of a call that a
# reviewer edited; the tool's own JSON follows this line.
EDITED_RESULT_MARK = "Tool response:\n"


class Agent(Protocol):
    """What a conversation needs of an agent built by `create_agent` with a checkpointer."""

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any: ...

    def get_state(self, config: RunnableConfig) -> Any: ...


class Conversation:
    """One thread of an agent whose writes wait for review, printed as it goes."""

    def __init__(self, agent: Agent, thread_id: str) -> None:
        self.agent = agent
        self.config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        self._printed = 0  # messages of the thread printed so far

    def ask(self, request: str) -> None:
        """Send a request and print what followed, up to the answer or a write to review."""
        request_input = {"messages": [HumanMessage(request)]}
        self._show(self.agent.invoke(request_input, self.config, version="v2"))

    def pending(self) -> list[dict[str, Any]]:
        """The tool calls waiting for review, each with its `name`, `args` and `description`."""
        return [
            action
            for interrupt in self.agent.get_state(self.config).interrupts
            for action in interrupt.value["action_requests"]
        ]

    def tool_messages(self) -> list[ToolMessage]:
        """The thread's tool results so far, oldest first, as the model read them."""
        messages = self.agent.get_state(self.config).values["messages"]
        return [message for message in messages if isinstance(message, ToolMessage)]

    def resume(self, decisions: list[dict[str, Any]]) -> None:
        """Send the reviewer's decisions, one per pending call, and print what followed."""
        if not decisions:
            print("Nothing is waiting for review on this thread.")
            return
        for decision in decisions:
            print("reviewer >", json.dumps(decision))
        command: Command[Any] = Command(resume={"decisions": decisions})
        self._show(self.agent.invoke(command, self.config, version="v2"))

    def _show(self, result: Any) -> None:
        messages = result.value["messages"]
        for message in messages[self._printed :]:
            print(message_line(message))
        self._printed = len(messages)
        for action in self.pending():
            print()
            print(review_request(action))


def message_line(message: BaseMessage) -> str:
    """A message as `who > what`: a request, the model's tool calls or answer, a tool result."""
    if isinstance(message, HumanMessage):
        return f"user     > {message.content}"
    if isinstance(message, AIMessage):
        calls = [
            f"model    > calls {c['name']}({json.dumps(c['args'])})" for c in message.tool_calls
        ]
        return "\n".join(calls or [f"model    > {message.content}"])
    if isinstance(message, ToolMessage):
        return f"tool     < {tool_summary(message)}"
    return f"{message.type:<8} > {message.content}"


def tool_summary(message: ToolMessage) -> str:
    """One line for a tool result: who it found or changed, or the error the model read."""
    text = str(message.content)
    if message.status != "success":
        return "error: " + text
    note = "(as edited by the reviewer) " if EDITED_RESULT_MARK in text else ""
    result = json.loads(text.rsplit(EDITED_RESULT_MARK, 1)[-1])
    if "users" in result:
        rows = [dict(zip(result["columns"], row, strict=True)) for row in result["users"]]
        people = [f"{_name(user)} [{user['status']}]" for user in rows]
        return note + f"{len(people)} found: " + (", ".join(people) or "nobody")
    user = result["user"]
    changed = (
        f"changed {', '.join(result['changed']) or 'nothing'}: " if "changed" in result else ""
    )
    return note + changed + f"{_name(user)} <{user['login']}> [{user['status']}]"


def review_request(action: dict[str, Any]) -> str:
    """A write waiting for review, with the description the middleware shows the reviewer
    (with `toolkit.approval_middleware()`, a preview read from the org before the pause)."""
    description = action.get("description") or json.dumps(action["args"])
    return f"** waiting for review: {action['name']}\n{description}"


def _name(user: dict[str, Any]) -> str:
    return " ".join(filter(None, [user.get("firstName"), user.get("lastName")]))
