"""A LangChain agent, driven by a scripted model, manages users through the four tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain.agents import create_agent
from langchain_core.messages import BaseMessage, ToolMessage

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, last_tool_result, tool_call
from langchain_okta.views import listed_users

NEW_USER = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}


def _first_listed_id(messages: Sequence[BaseMessage]) -> str:
    return str(listed_users(last_tool_result(messages))[0]["id"])


def _created_id(messages: Sequence[BaseMessage]) -> str:
    return str(json.loads(last_tool_result(messages))["user"]["id"])


def _admin_session() -> ScriptedChatModel:
    return ScriptedChatModel(
        script=[
            tool_call(
                "okta_list_users",
                {"search": 'profile.department eq "Sales"', "status": "STAGED"},
                "call-list",
            ),
            lambda messages: tool_call(
                "okta_get_user", {"user_id": _first_listed_id(messages)}, "call-get"
            ),
            tool_call("okta_create_user", NEW_USER, "call-create"),
            lambda messages: tool_call(
                "okta_update_user",
                {"user_id": _created_id(messages), "mobile_phone": "+1 555 0199"},
                "call-update",
            ),
        ],
        final_answer="Grace Hopper has an account and her mobile number is set.",
    )


def _tool_messages(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    return [message for message in messages if isinstance(message, ToolMessage)]


def test_agent_lists_gets_creates_and_updates_users(served_toolkit: OktaToolkit, org: SandboxOrg):
    agent = create_agent(_admin_session(), served_toolkit.get_tools())

    result = agent.invoke({"messages": [("user", "Onboard Grace Hopper, mobile +1 555 0199")]})

    tool_messages = _tool_messages(result["messages"])
    assert [message.name for message in tool_messages] == [
        "okta_list_users",
        "okta_get_user",
        "okta_create_user",
        "okta_update_user",
    ]
    assert all(message.status == "success" for message in tool_messages)
    staged_sales = listed_users(str(tool_messages[0].content))
    assert staged_sales
    assert all(user["status"] == "STAGED" for user in staged_sales)
    grace = org.find_by_login("grace.hopper@example.com")
    assert grace is not None
    assert grace["profile"]["mobilePhone"] == "+1 555 0199"
    assert grace["profile"]["firstName"] == "Grace"
    assert result["messages"][-1].content.startswith("Grace Hopper has an account")


async def test_agent_runs_the_same_session_on_the_async_path(org: SandboxOrg):
    toolkit = await OktaToolkit.acreate(IN_PROCESS_URL, org.token, transport=org.transport())
    agent = create_agent(_admin_session(), toolkit.get_tools())

    result = await agent.ainvoke({"messages": [("user", "Onboard Grace Hopper")]})

    assert all(message.status == "success" for message in _tool_messages(result["messages"]))
    assert org.find_by_login("grace.hopper@example.com") is not None


def test_agent_recovers_from_a_tool_error_without_crashing(org: SandboxOrg):
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
    model = ScriptedChatModel(
        script=[
            tool_call("okta_get_user", {"user_id": "nobody@example.com"}, "call-missing"),
            tool_call("okta_list_users", {"query": "nobody"}, "call-list"),
        ],
        final_answer="There is no such user.",
    )
    agent = create_agent(model, toolkit.get_tools())

    result = agent.invoke({"messages": [("user", "Show me nobody@example.com")]})

    missing, listed = _tool_messages(result["messages"])
    assert missing.status == "error"
    assert "okta_list_users" in str(missing.content)
    assert listed.status == "success"
