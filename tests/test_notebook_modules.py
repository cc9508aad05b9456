"""The notebooks' own modules: how tool results and conversations print, and the walkthrough's
scripted model turns."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import SandboxOrg, ScriptedChatModel, tool_call

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _load(name: str) -> ModuleType:
    """A module of notebooks/, imported by the name the notebooks use (as their kernel does)."""
    spec = importlib.util.spec_from_file_location(name, NOTEBOOKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


conversation = _load("conversation")
tool_output = _load("tool_output")
walkthrough_script = _load("walkthrough_script")

COLUMNS = ["id", "status", "login", "email", "firstName", "lastName", "mobilePhone"]
ADA_ROW = ["00u1", "STAGED", "ada@example.com", "ada@example.com", "Ada", "Lovelace", None]
GRACE_ROW = ["00u2", "ACTIVE", "grace@example.com", "grace@example.com", "Grace", "Hopper", "+1-5"]
ADA = {
    "id": "00u1",
    "status": "STAGED",
    "login": "ada@example.com",
    "firstName": "Ada",
    "lastName": "Lovelace",
}


def _listing(*rows: list[Any], next_cursor: str | None = None) -> str:
    return json.dumps({"columns": COLUMNS, "users": list(rows), "next_cursor": next_cursor})


def _result(content: str, status: str = "success") -> ToolMessage:
    return ToolMessage(content, tool_call_id="call-1", status=status)


# tool_output


def test_a_table_pads_each_column_to_its_widest_value(capsys: pytest.CaptureFixture[str]) -> None:
    tool_output.print_table([["ACTIVE", 27], ["STAGED", 3]], ["status", "users"])

    assert capsys.readouterr().out.splitlines() == [
        "status  users",
        "------  -----",
        "ACTIVE  27",
        "STAGED  3",
    ]


def test_a_listing_prints_one_row_per_user_then_the_count_and_cursor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tool_output.show_users(_result(_listing(ADA_ROW, GRACE_ROW, next_cursor="00u2")))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "status", "login", "name", "mobilePhone"]
    assert lines[2].split() == ["00u1", "STAGED", "ada@example.com", "Ada", "Lovelace"]
    assert lines[3].split() == ["00u2", "ACTIVE", "grace@example.com", "Grace", "Hopper", "+1-5"]
    assert lines[-1] == "2 users, next_cursor: 00u2"


def test_a_listing_of_one_says_user(capsys: pytest.CaptureFixture[str]) -> None:
    tool_output.show_users(_result(_listing(ADA_ROW)))

    assert capsys.readouterr().out.splitlines()[-1] == "1 user, next_cursor: None"


def test_a_result_prints_as_indented_json(capsys: pytest.CaptureFixture[str]) -> None:
    tool_output.show_json(_result('{"user":{"firstName":"Zoë"}}'))

    assert capsys.readouterr().out == '{\n  "user": {\n    "firstName": "Zoë"\n  }\n}\n'


def test_an_error_prints_its_status_then_the_message_wrapped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = "No such user: check the id or login. " * 6

    tool_output.show_error(_result(message, status="error"))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "status: error"
    assert all(len(line) <= tool_output.ERROR_WIDTH for line in lines)
    assert " ".join(lines[1:]) == message.strip()


# conversation: one line per message


def test_a_request_is_a_user_line() -> None:
    assert conversation.message_line(HumanMessage("Who is STAGED?")) == "user     > Who is STAGED?"


def test_each_tool_call_of_the_model_is_a_line() -> None:
    message = AIMessage(
        "",
        tool_calls=[
            {"name": "okta_get_user", "args": {"user_id": "00u1"}, "id": "1"},
            {"name": "okta_get_user", "args": {"user_id": "00u2"}, "id": "2"},
        ],
    )

    assert conversation.message_line(message).splitlines() == [
        'model    > calls okta_get_user({"user_id": "00u1"})',
        'model    > calls okta_get_user({"user_id": "00u2"})',
    ]


def test_an_answer_is_a_model_line() -> None:
    assert conversation.message_line(AIMessage("Done.")) == "model    > Done."


def test_a_listing_is_summed_up_as_who_was_found() -> None:
    summary = conversation.tool_summary(_result(_listing(ADA_ROW, GRACE_ROW)))

    assert summary == "2 found: Ada Lovelace [STAGED], Grace Hopper [ACTIVE]"


def test_an_empty_listing_finds_nobody() -> None:
    assert conversation.tool_summary(_result(_listing())) == "0 found: nobody"


def test_an_update_says_what_changed_on_whom() -> None:
    content = json.dumps({"user": ADA, "changed": ["mobilePhone"]})

    summary = conversation.tool_summary(_result(content))

    assert summary == "changed mobilePhone: Ada Lovelace <ada@example.com> [STAGED]"


def test_a_result_of_an_edited_call_says_so_and_reads_the_json_after_the_note() -> None:
    content = (
        "User edited the tool call; the arguments were changed.\nTool response:\n"
        + json.dumps({"user": ADA, "changed": []})
    )

    summary = conversation.tool_summary(_result(content))

    edited = "(as edited by the reviewer) changed nothing: Ada Lovelace <ada@example.com> [STAGED]"
    assert summary == edited


def test_an_error_result_is_shown_as_the_model_read_it() -> None:
    summary = conversation.tool_summary(_result("No such user.", status="error"))

    assert summary == "error: No such user."


def test_a_pending_write_is_shown_with_the_reviewers_description() -> None:
    action = {
        "name": "okta_create_user",
        "args": {"first_name": "Ada"},
        "description": 'Create an Okta user "Ada Lovelace"\n  first name    "Ada"',
    }

    assert conversation.review_request(action).splitlines() == [
        "** waiting for review: okta_create_user",
        'Create an Okta user "Ada Lovelace"',
        '  first name    "Ada"',
    ]


def test_a_pending_write_without_a_description_shows_its_arguments() -> None:
    action = {"name": "okta_create_user", "args": {"first_name": "Ada", "activate": False}}

    assert conversation.review_request(action).splitlines() == [
        "** waiting for review: okta_create_user",
        '{"first_name": "Ada", "activate": false}',
    ]


# conversation: a thread of an agent whose writes wait for review


@pytest.fixture
def reviewed_agent(toolkit: OktaToolkit) -> Any:
    grace = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace.hopper@example.com",
        "activate": False,
    }
    model = ScriptedChatModel(
        script=[tool_call("okta_create_user", grace, "create-1")], final_answer="Created."
    )
    return create_agent(
        model,
        toolkit.get_tools(),
        middleware=[HumanInTheLoopMiddleware(interrupt_on={"okta_create_user": True})],
        checkpointer=InMemorySaver(),
    )


def test_a_write_waits_for_review_and_nothing_reaches_okta(
    reviewed_agent: Any, org: SandboxOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = conversation.Conversation(reviewed_agent, "grace")

    thread.ask("Create Grace Hopper")

    printed = capsys.readouterr().out
    assert "model    > calls okta_create_user(" in printed
    assert "** waiting for review: okta_create_user" in printed
    assert [action["name"] for action in thread.pending()] == ["okta_create_user"]
    assert org.find_by_login("grace.hopper@example.com") is None


def test_an_approved_write_runs_and_the_model_answers(
    reviewed_agent: Any, org: SandboxOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = conversation.Conversation(reviewed_agent, "grace")
    thread.ask("Create Grace Hopper")
    capsys.readouterr()

    thread.resume([{"type": "approve"}])

    assert capsys.readouterr().out.splitlines() == [
        'reviewer > {"type": "approve"}',
        "tool     < Grace Hopper <grace.hopper@example.com> [STAGED]",
        "model    > Created.",
    ]
    assert thread.pending() == []
    assert org.find_by_login("grace.hopper@example.com") is not None
    assert [message.name for message in thread.tool_messages()] == ["okta_create_user"]


def test_resuming_with_no_decision_sends_nothing(
    reviewed_agent: Any, org: SandboxOrg, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = conversation.Conversation(reviewed_agent, "grace")
    thread.ask("Create Grace Hopper")
    capsys.readouterr()

    thread.resume([])

    assert capsys.readouterr().out == "Nothing is waiting for review on this thread.\n"
    assert len(thread.pending()) == 1


# walkthrough_script


def test_the_script_reads_the_first_listed_id() -> None:
    messages = [HumanMessage("Fix Jane"), _result(_listing(GRACE_ROW, ADA_ROW))]

    assert walkthrough_script.first_user_id(messages) == "00u2"


def test_an_answer_is_written_from_the_last_tool_result() -> None:
    turn = walkthrough_script.say(lambda result: f"Hello {result['user']['firstName']}.")
    messages = [HumanMessage("Hi"), _result(json.dumps({"user": ADA}))]

    assert turn(messages).content == "Hello Ada."


def test_an_answer_after_an_error_is_written_from_the_error_text() -> None:
    turn = walkthrough_script.say(lambda result: f"Sorry: {result}")
    messages = [HumanMessage("Hi"), _result("rejected", status="error")]

    assert turn(messages).content == "Sorry: rejected"
