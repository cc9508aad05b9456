"""Agent runs and tool calls for the connected toolkit's tests: a scripted model per run,
the person's connection in the run's context. Imported by module name (pytest puts this
folder on sys.path)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.runnables import Runnable
from pydantic import Field

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox.scripted_model import ScriptedChatModel


@dataclass
class RunContext:
    """What the host app passes as each run's context."""

    okta_connection: OktaConnection


class OfferRecordingModel(ScriptedChatModel):
    """A scripted model that records the tool names it was offered at each call."""

    offered: list[list[str]] = Field(default_factory=list)

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self.offered.append([getattr(tool, "name", None) or tool["name"] for tool in tools])
        return self


def agent_for(toolkit: OktaConnectedToolkit, script: list[Any], **options: Any) -> Any:
    model = OfferRecordingModel(script=script)
    agent = create_agent(
        model,
        toolkit.get_tools(),
        middleware=[toolkit.middleware()],
        context_schema=RunContext,
        **options,
    )
    agent.model = model
    return agent


def tool_messages(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    return [message for message in messages if isinstance(message, ToolMessage)]


def in_threads(targets: Sequence[Callable[[], None]]) -> None:
    """Run each target on its own thread at once; re-raise the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def run(target: Callable[[], None]) -> None:
        try:
            start.wait()
            target()
        except BaseException as exc:  # re-raised below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def runtime_for(connection: OktaConnection | None, **config: Any) -> Any:
    """The runtime LangGraph injects into a tool call of a run with this context."""
    from langgraph.prebuilt import ToolRuntime

    return ToolRuntime(
        state={"messages": []},
        context=RunContext(connection) if connection is not None else None,
        config={"configurable": config},
        stream_writer=lambda _: None,
        tool_call_id="call-1",
        store=None,
    )


def call(tool: Any, connection: OktaConnection | None, **args: Any) -> str:
    """Call a connected tool as the agent's tool node would, for the person of `connection`."""
    return call_in(tool, runtime_for(connection), **args)


def call_in(tool: Any, runtime: Any, **args: Any) -> str:
    """Call a connected tool with this runtime injected."""
    call = {"type": "tool_call", "id": "call-1", "name": tool.name}
    message = tool.invoke({**call, "args": {**args, "runtime": runtime}})
    return str(message.content)


async def acall(tool: Any, connection: OktaConnection | None, **args: Any) -> str:
    message = await tool.ainvoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": tool.name,
            "args": {**args, "runtime": runtime_for(connection)},
        }
    )
    return str(message.content)


def tool_named(toolkit: OktaConnectedToolkit, name: str) -> Any:
    return next(tool for tool in toolkit.get_tools() if tool.name == name)
