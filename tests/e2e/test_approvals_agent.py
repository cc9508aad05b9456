"""An agent whose writes wait for a person, who reads a preview of each from the org.

`create_agent` with `toolkit.approval_middleware()` (LangChain's HumanInTheLoopMiddleware and
the binding middleware), a checkpointer and a scripted model, on the sandbox org: what the
reviewer is shown, and that approve, edit and reject each do what they say, with nothing
written before the decision. The plain `toolkit.approval_policy()` is checked at the end.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from langchain_okta import OktaToolkit
from langchain_okta.approvals import describe_call
from langchain_okta.sandbox import Fault, SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, tool_call

JANE = "jane.patel@example.com"
OSCAR = "oscar.ramirez@example.com"
UPDATE = "okta_update_user"
CREATE = "okta_create_user"
NEW_PERSON = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}
THREAD = {"configurable": {"thread_id": "approvals"}}


class Session:
    """One agent conversation with a reviewer, on one sandbox org."""

    def __init__(self, toolkit: OktaToolkit, org: SandboxOrg, name: str, args: dict[str, Any]):
        self.org = org
        self.agent = create_agent(
            ScriptedChatModel(script=[tool_call(name, args, "call-1")], final_answer="Done."),
            toolkit.get_tools(),
            middleware=toolkit.approval_middleware(),
            checkpointer=InMemorySaver(),
        )
        self.start = len(org.requests)
        self.messages: list[Any] = []

    def pause(self) -> dict[str, Any]:
        """Ask the agent; returns the one write waiting for review."""
        result = self.agent.invoke({"messages": [("user", "Please do it.")]}, THREAD, version="v2")
        (pending,) = result.interrupts
        (action,) = pending.value["action_requests"]
        return action  # type: ignore[no-any-return]

    def decide(self, decision: dict[str, Any]) -> ToolMessage:
        result = self.agent.invoke(Command(resume={"decisions": [decision]}), THREAD, version="v2")
        assert not result.interrupts
        self.messages = result.value["messages"]
        (message,) = [m for m in self.messages if isinstance(m, ToolMessage)]
        return message

    def sent(self) -> list[tuple[str, str]]:
        return [(request.method, request.path) for request in self.org.requests[self.start :]]

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path in self.sent() if method != "GET"]


def user_id(org: SandboxOrg, login: str) -> str:
    found = org.find_by_login(login)
    assert found is not None
    return str(found["id"])


# -- what the reviewer is shown ----------------------------------------------------------------


def test_an_update_shows_who_each_field_now_and_after_and_what_a_login_change_means(
    toolkit: OktaToolkit, org: SandboxOrg
):
    jane_id = user_id(org, JANE)
    args = {"user_id": jane_id, "first_name": "Jane", "login": "jane.p@example.com"}

    action = Session(toolkit, org, UPDATE, args).pause()

    assert action["description"].splitlines() == [
        f'Update the Okta user "Jane Patel" (login "{JANE}", ACTIVE, id {jane_id})',
        '  first name    "Jane" (no change)',
        f'  login         "{JANE}" → "jane.p@example.com"',
        "What it means:",
        '  - Changing the login changes how "Jane Patel" signs in: with "jane.p@example.com" '
        f'instead of "{JANE}". Okta refuses the change if another user already has that login.',
    ]


def test_an_email_change_says_the_login_stays(toolkit: OktaToolkit, org: SandboxOrg):
    action = Session(toolkit, org, UPDATE, {"user_id": JANE, "email": "jane@new.example"}).pause()

    assert (
        f'The login stays "{JANE}": changing the email does not change how'
        in (action["description"])
    )


def test_a_create_with_activation_says_who_gets_the_activation_email(
    toolkit: OktaToolkit, org: SandboxOrg
):
    action = Session(toolkit, org, CREATE, NEW_PERSON).pause()

    assert action["description"].splitlines() == [
        'Create an Okta user "Grace Hopper"',
        '  first name    "Grace"',
        '  last name     "Hopper"',
        '  email         "grace.hopper@example.com"',
        '  login         "grace.hopper@example.com" (the email)',
        "What Okta will do: create the user (PROVISIONED) and email an activation link to "
        '"grace.hopper@example.com".',
        "Checked the org: no user has this login, this email or this name.",
    ]


def test_a_staged_create_says_nothing_is_sent(toolkit: OktaToolkit, org: SandboxOrg):
    action = Session(toolkit, org, CREATE, {**NEW_PERSON, "activate": False}).pause()

    assert (
        "What Okta will do: create the user as STAGED and send nothing; no email goes out "
        "until someone activates the user."
    ) in action["description"].splitlines()


def test_a_taken_login_warns_that_the_create_will_fail(toolkit: OktaToolkit, org: SandboxOrg):
    args = {**NEW_PERSON, "login": OSCAR}

    action = Session(toolkit, org, CREATE, args).pause()

    assert (
        f'  - The login "{OSCAR}" is taken by "Oscar Ramirez" (login "{OSCAR}", ACTIVE, '
        f"id {user_id(org, OSCAR)}): the create will fail."
    ) in action["description"].splitlines()


def test_a_person_with_the_same_email_is_flagged_as_a_likely_duplicate(
    toolkit: OktaToolkit, org: SandboxOrg
):
    args = {
        "first_name": "Oscar",
        "last_name": "R.",
        "email": OSCAR,
        "login": "oscar.r@example.com",
    }

    action = Session(toolkit, org, CREATE, args).pause()

    assert (
        f'  - "Oscar Ramirez" (login "{OSCAR}", ACTIVE, id {user_id(org, OSCAR)}) already has '
        f'the email "{OSCAR}": likely the same person.'
    ) in action["description"].splitlines()


def test_a_missing_user_is_described_as_missing_with_the_call(
    toolkit: OktaToolkit, org: SandboxOrg
):
    args = {"user_id": "nobody@example.com", "email": "nobody@new.example"}

    action = Session(toolkit, org, UPDATE, args).pause()

    assert action["description"].splitlines() == [
        'Update the Okta user "nobody@example.com": no such user in the org. If approved, the '
        "update fails and changes nothing.",
        'Requested: okta_update_user {"user_id":"nobody@example.com","email":"nobody@new.example"}',
    ]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(kind="status", status=503, method="GET"), "E0000010 (HTTP 503)"),
        (Fault(kind="drop", method="GET"), "no response from sandbox.okta.test"),
        (Fault(kind="rate_limit", method="GET"), "E0000047 (HTTP 429)"),
    ],
    ids=["server-error", "dropped-connection", "rate-limited"],
)
def test_a_preview_that_fails_says_so_and_shows_the_call(
    toolkit: OktaToolkit, org: SandboxOrg, fault: Fault, reason: str
):
    session = Session(toolkit, org, UPDATE, {"user_id": JANE, "last_name": "Smith"})
    org.inject(fault)

    description = session.pause()["description"]

    assert "preview unavailable, the user could not be read" in description
    assert reason in description
    assert description.endswith(
        f'Requested: okta_update_user {{"user_id":"{JANE}","last_name":"Smith"}}'
    )


def test_after_a_failed_preview_the_approved_call_runs(toolkit: OktaToolkit, org: SandboxOrg):
    session = Session(toolkit, org, UPDATE, {"user_id": JANE, "last_name": "Smith"})
    org.inject(Fault(kind="status", status=503, method="GET"))
    session.pause()

    result = session.decide({"type": "approve"})

    assert result.status == "success"
    assert org.find_by_login(JANE)["profile"]["lastName"] == "Smith"  # type: ignore[index]


# -- what each decision does -------------------------------------------------------------------


def test_nothing_is_written_before_the_decision_and_one_request_previews_the_call(
    toolkit: OktaToolkit, org: SandboxOrg
):
    jane_id = user_id(org, JANE)
    session = Session(toolkit, org, UPDATE, {"user_id": jane_id, "last_name": "Smith"})

    session.pause()
    before = session.sent()
    session.decide({"type": "approve"})

    jane = f"/api/v1/users/{jane_id}"
    assert before == [("GET", jane)]
    # The update reads the user, then writes; the resumed run did not preview again.
    assert session.sent() == [("GET", jane), ("GET", jane), ("POST", jane)]


def test_approve_runs_the_call_as_the_model_made_it(toolkit: OktaToolkit, org: SandboxOrg):
    session = Session(toolkit, org, CREATE, {**NEW_PERSON, "activate": False})
    session.pause()

    result = session.decide({"type": "approve"})

    assert result.status == "success"
    grace = org.find_by_login(NEW_PERSON["email"])
    assert grace is not None
    assert grace["status"] == "STAGED"
    assert session.writes() == [("POST", "/api/v1/users")]


def test_an_edit_is_previewed_with_the_same_schema_then_runs_as_edited(
    toolkit: OktaToolkit, org: SandboxOrg
):
    session = Session(toolkit, org, UPDATE, {"user_id": JANE, "mobile_phone": "(555) 201-0142"})
    action = session.pause()
    edited = {**action["args"], "mobile_phone": "+1-555-201-0142"}

    preview = describe_call(toolkit.client, UPDATE, edited)
    before = session.writes()
    result = session.decide({"type": "edit", "edited_action": {"name": UPDATE, "args": edited}})

    assert '  mobile phone  "+1-555-664-5924" → "+1-555-201-0142"' in preview.splitlines()
    assert before == []
    assert result.status == "success"
    assert "a human reviewer replaced this tool call" in str(result.content)
    assert org.find_by_login(JANE)["profile"]["mobilePhone"] == "+1-555-201-0142"  # type: ignore[index]


def test_an_edit_the_schema_refuses_is_described_as_invalid_and_writes_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    session = Session(toolkit, org, UPDATE, {"user_id": JANE, "email": "jane@new.example"})
    session.pause()
    edited = {"user_id": JANE, "email": "jane at new.example"}

    preview = describe_call(toolkit.client, UPDATE, edited)
    result = session.decide({"type": "edit", "edited_action": {"name": UPDATE, "args": edited}})

    assert "the arguments are invalid (email: must be an email address" in preview
    assert result.status == "error"
    assert "Invalid arguments: email: must be an email address" in str(result.content)
    assert session.writes() == []
    assert org.find_by_login(JANE)["profile"]["email"] == JANE  # type: ignore[index]


def test_reject_skips_the_call_and_tells_the_model_why(toolkit: OktaToolkit, org: SandboxOrg):
    session = Session(toolkit, org, UPDATE, {"user_id": OSCAR, "email": "oscar@gmail.com"})
    session.pause()

    result = session.decide({"type": "reject", "message": "Keep the company address."})

    assert result.status == "error"
    assert "Keep the company address." in str(result.content)
    assert session.writes() == []
    assert org.find_by_login(OSCAR)["profile"]["email"] == OSCAR  # type: ignore[index]


# -- other ways to run the same agent ----------------------------------------------------------


def test_approvals_work_in_process_and_over_loopback(served_toolkit: OktaToolkit, org: SandboxOrg):
    session = Session(served_toolkit, org, UPDATE, {"user_id": JANE, "last_name": "Smith"})

    action = session.pause()
    result = session.decide({"type": "approve"})

    assert '"Patel" → "Smith"' in action["description"]
    assert result.status == "success"


async def test_an_async_agent_pauses_with_the_preview_and_resumes(
    toolkit: OktaToolkit, org: SandboxOrg
):
    session = Session(toolkit, org, UPDATE, {"user_id": JANE, "last_name": "Smith"})

    paused = await session.agent.ainvoke(
        {"messages": [("user", "Please do it.")]}, THREAD, version="v2"
    )
    before = session.writes()
    done = await session.agent.ainvoke(
        Command(resume={"decisions": [{"type": "approve"}]}), THREAD, version="v2"
    )

    (action,) = paused.interrupts[0].value["action_requests"]
    assert '"Patel" → "Smith"' in action["description"]
    assert before == []
    assert not done.interrupts
    assert org.find_by_login(JANE)["profile"]["lastName"] == "Smith"  # type: ignore[index]


def test_approvals_work_with_one_interrupt_per_call(toolkit: OktaToolkit, org: SandboxOrg):
    jane_id = user_id(org, JANE)
    agent = create_agent(
        ScriptedChatModel(
            script=[tool_call(UPDATE, {"user_id": jane_id, "last_name": "Smith"}, "call-1")]
        ),
        toolkit.get_tools(),
        middleware=toolkit.approval_middleware(interrupt_mode="per_call"),
        checkpointer=InMemorySaver(),
    )

    paused = agent.invoke({"messages": [("user", "Please do it.")]}, THREAD, version="v2")
    (pending,) = paused.interrupts
    agent.invoke(Command(resume={pending.id: {"type": "approve"}}), THREAD, version="v2")

    assert pending.value["type"] == "tool_approval"
    assert '"Patel" → "Smith"' in pending.value["description"]
    assert org.find_by_login(JANE)["profile"]["lastName"] == "Smith"  # type: ignore[index]


def test_the_plain_policy_works_with_one_interrupt_per_call(toolkit: OktaToolkit, org: SandboxOrg):
    jane_id = user_id(org, JANE)
    agent = create_agent(
        ScriptedChatModel(
            script=[tool_call(UPDATE, {"user_id": jane_id, "last_name": "Smith"}, "call-1")]
        ),
        toolkit.get_tools(),
        middleware=[
            HumanInTheLoopMiddleware(
                interrupt_on=toolkit.approval_policy(), interrupt_mode="per_call"
            )
        ],
        checkpointer=InMemorySaver(),
    )

    paused = agent.invoke({"messages": [("user", "Please do it.")]}, THREAD, version="v2")
    (pending,) = paused.interrupts
    agent.invoke(Command(resume={pending.id: {"type": "approve"}}), THREAD, version="v2")

    assert '"Patel" → "Smith"' in pending.value["description"]
    assert org.find_by_login(JANE)["profile"]["lastName"] == "Smith"  # type: ignore[index]
