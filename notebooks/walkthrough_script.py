"""The turns the scripted stand-in model plays in agent_walkthrough.ipynb, in order.

A turn is a fixed tool call, or a function of the conversation so far: that is how the script
picks up the ids the tools returned and words its answers from their results, as a model would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from conversation import EDITED_RESULT_MARK
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from langchain_okta.sandbox import Turn, tool_call
from langchain_okta.views import listed_users


def tool_result(messages: Sequence[BaseMessage]) -> Any:
    """The last tool result: its JSON when the call worked, else the error text."""
    last = next(message for message in reversed(messages) if isinstance(message, ToolMessage))
    text = str(last.content)
    if last.status != "success":
        return text
    return json.loads(text.rsplit(EDITED_RESULT_MARK, 1)[-1])


def first_user_id(messages: Sequence[BaseMessage]) -> str:
    """The id of the first user the last listing found."""
    last = next(message for message in reversed(messages) if isinstance(message, ToolMessage))
    return str(listed_users(str(last.content))[0]["id"])


def say(write: Callable[[Any], str]) -> Turn:
    """A final answer, written from the last tool result."""
    return lambda messages: AIMessage(content=write(tool_result(messages)))


def _staged(result: dict[str, Any]) -> str:
    users = [dict(zip(result["columns"], row, strict=True)) for row in result["users"]]
    people = ", ".join(f"{u['firstName']} {u['lastName']} ({u['login']})" for u in users)
    return f"{len(users)} people in Sales are still STAGED (never activated): {people}."


SCRIPT: list[Turn] = [
    # 1. Who in Sales is still STAGED?
    tool_call(
        "okta_list_users", {"search": 'profile.department eq "Sales"', "status": "STAGED"}, "list-1"
    ),
    say(_staged),
    # 2. Create an account for Ada Lovelace: check she has none, then create her, STAGED.
    tool_call("okta_list_users", {"query": "ada.lovelace@"}, "list-2"),
    tool_call(
        "okta_create_user",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada.lovelace@example.com",
            "activate": False,
        },
        "create-1",
    ),
    say(
        lambda result: (
            f"Created {result['user']['login']} (id {result['user']['id']}). It is "
            f"{result['user']['status']}, so no activation email went out; activate it when she "
            "starts."
        )
    ),
    # 3. Fix Jane's mobile number: find Jane, then update her, with the number as typed.
    tool_call("okta_list_users", {"query": "Jane"}, "list-3"),
    lambda messages: tool_call(
        "okta_update_user",
        {"user_id": first_user_id(messages), "mobile_phone": "(555) 201-0142"},
        "update-1",
    ),
    say(
        lambda result: (
            f"Done: {result['user']['firstName']} {result['user']['lastName']}'s "
            f"mobile number is now {result['user']['mobilePhone']}."
        )
    ),
    # 4. Change Oscar Ramirez's email: the reviewer rejects it, with a reason.
    tool_call("okta_list_users", {"query": "Oscar"}, "list-4"),
    lambda messages: tool_call(
        "okta_update_user",
        {"user_id": first_user_id(messages), "email": "oscar.ramirez@gmail.com"},
        "update-2",
    ),
    say(lambda result: f"I did not change Oscar Ramirez's email. {result.split('reason: ')[-1]}"),
    # 5. The read-only agent is asked to create an account: it tries, and the tool is not there.
    tool_call(
        "okta_create_user",
        {"first_name": "Alan", "last_name": "Turing", "email": "alan.turing@example.com"},
        "create-2",
    ),
    say(lambda result: "I can't create accounts: I only have tools to look users up."),
]
