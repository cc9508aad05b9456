"""A scripted model reads the result of a call a reviewer edited, as LangChain delivers it:
the human-in-the-loop middleware puts a note before the tool's JSON, with JSON of its own."""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import AIMessage, BaseMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, last_tool_json, tool_call

JANE = "jane.patel@example.com"
THREAD = {"configurable": {"thread_id": "edited"}}


def test_last_tool_json_reads_the_result_of_a_call_a_reviewer_edited(
    toolkit: OktaToolkit, org: SandboxOrg
) -> None:
    read: list[Any] = []

    def report(messages: list[BaseMessage]) -> AIMessage:
        result = last_tool_json(messages)
        read.append(result)
        return AIMessage(content=f"Phone is now {result['user']['mobilePhone']}.")

    agent = create_agent(
        ScriptedChatModel(
            script=[
                tool_call("okta_update_user", {"user_id": JANE, "mobile_phone": "555"}, "c1"),
                report,
            ]
        ),
        toolkit.get_tools(),
        middleware=[HumanInTheLoopMiddleware(interrupt_on=toolkit.approval_policy())],
        checkpointer=InMemorySaver(),
    )
    agent.invoke({"messages": [("user", "Fix Jane's phone.")]}, THREAD)
    edited = {"user_id": JANE, "mobile_phone": "+1-555-201-0142"}

    result = agent.invoke(
        Command(
            resume={
                "decisions": [
                    {"type": "edit", "edited_action": {"name": "okta_update_user", "args": edited}}
                ]
            }
        ),
        THREAD,
    )

    tool_text = str(result["messages"][-2].content)
    assert "a human reviewer replaced this tool call" in tool_text  # the note is there
    assert read == [{"user": read[0]["user"], "changed": ["mobilePhone"]}]
    assert result["messages"][-1].content == "Phone is now +1-555-201-0142."
