"""Approvals that bind: what a person approves is what happens, or nothing happens.

Each test changes the world between a preview and its write: another call in the same model
message, another admin's edit while the person decides, a login handed to someone else, a
resume in a fresh process, another conversation reusing the tool-call ids, a 412 between the
read and the write. `create_agent` with `toolkit.approval_middleware()`, a checkpointer and a
scripted model, on the sandbox org.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from agent_turns import calls, reviewer_texts
from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from langchain_okta import OktaToolkit, approval_middleware
from langchain_okta.approval_middleware import MISORDERED, OktaApprovalBinding
from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel

JANE = "jane.patel@example.com"
OSCAR = "oscar.ramirez@example.com"
UPDATE = "okta_update_user"
CREATE = "okta_create_user"
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}
# Characters that could forge or reorder a line of a reviewer's text.
FORGERS = "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x1b\x85"


class Review:
    """One conversation on one agent: the model's message pauses, a person decides."""

    def __init__(
        self, toolkit: OktaToolkit, message: AIMessage, *, mode: str = "batched", thread: str = "t"
    ):
        self.agent = create_agent(
            ScriptedChatModel(script=[message]),
            toolkit.get_tools(),
            middleware=toolkit.approval_middleware(interrupt_mode=mode),  # type: ignore[arg-type]
            checkpointer=InMemorySaver(),
        )
        self.config = {"configurable": {"thread_id": thread}}
        self.result: Any = None

    def pause(self) -> list[Any]:
        self.result = self.agent.invoke(
            {"messages": [("user", "Please do it.")]}, self.config, version="v2"
        )
        return list(self.result.interrupts)

    def descriptions(self) -> list[str]:
        """What the reviewer reads for each paused call, in order (either mode)."""
        return reviewer_texts(self.result.interrupts)

    def decide(self, *decisions: dict[str, Any]) -> list[Any]:
        """Answer the pause (all calls of a batched one; in call order for per-call ones)."""
        pending = self.result.interrupts
        if "action_requests" in pending[0].value:
            resume: Any = {"decisions": list(decisions)}
        else:
            # Interrupts come in no set order: answer them in the order of their calls.
            ordered = sorted(pending, key=lambda p: p.value["tool_call_id"])
            resume = {p.id: d for p, d in zip(ordered, decisions, strict=False)}
        self.result = self.agent.invoke(Command(resume=resume), self.config, version="v2")
        return list(self.result.interrupts)

    def tool_messages(self) -> dict[str, ToolMessage]:
        return {
            m.tool_call_id: m for m in self.result.value["messages"] if isinstance(m, ToolMessage)
        }


def profile(org: SandboxOrg, login: str) -> dict[str, Any]:
    user = org.find_by_login(login)
    assert user is not None
    return user["profile"]  # type: ignore[no-any-return]


def user_id(org: SandboxOrg, login: str) -> str:
    user = org.find_by_login(login)
    assert user is not None
    return str(user["id"])


def writes(org: SandboxOrg, start: int) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in org.requests[start:] if r.method != "GET"]


# -- calls of one message, each previewed after the ones before it -----------------------------


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_two_updates_of_one_user_in_one_message_are_previewed_and_run_in_order(
    toolkit: OktaToolkit, org: SandboxOrg, mode: str
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "first_name": "Oscar", "last_name": "Ramírez"}),
    )
    review = Review(toolkit, message, mode=mode)
    review.pause()

    first, second = review.descriptions()
    review.decide({"type": "approve"}, {"type": "approve"})

    assert '  first name    "Oscar" → "Oskar"' in first.splitlines()
    assert (
        "This turn: Call 1 of this turn also change(s) this user; this preview assumes it runs "
        'first (call 1 changes firstName "Oscar" → "Oskar"), and shows the values after it.'
    ) in second.splitlines()
    assert '  first name    "Oskar" → "Oscar"' in second.splitlines()
    results = review.tool_messages()
    assert [results[c].status for c in ("call-1", "call-2")] == ["success", "success"]
    assert json.loads(str(results["call-2"].content))["changed"] == ["firstName", "lastName"]
    assert (profile(org, OSCAR)["firstName"], profile(org, OSCAR)["lastName"]) == (
        "Oscar",
        "Ramírez",
    )


async def test_an_async_agent_previews_and_runs_sibling_updates_in_order(
    toolkit: OktaToolkit, org: SandboxOrg
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "first_name": "Oscar"}),
    )
    review = Review(toolkit, message)
    paused = await review.agent.ainvoke(
        {"messages": [("user", "Go.")]}, review.config, version="v2"
    )
    review.result = await review.agent.ainvoke(
        Command(resume={"decisions": [{"type": "approve"}, {"type": "approve"}]}),
        review.config,
        version="v2",
    )

    (pending,) = paused.interrupts
    second = pending.value["action_requests"][1]["description"]
    assert '  first name    "Oskar" → "Oscar"' in second.splitlines()
    assert [m.status for m in review.tool_messages().values()] == ["success", "success"]
    assert profile(org, OSCAR)["firstName"] == "Oscar"


def test_per_call_a_call_shown_again_after_the_first_ran_stays_true_and_bound(
    toolkit: OktaToolkit, org: SandboxOrg
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "first_name": "Oscar"}),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()

    (again,) = review.decide({"type": "approve"})  # only the first call is answered
    shown_again = again.value["description"]
    review.decide({"type": "approve"})

    # Shown again while (or after) the first call runs: the preview still holds, and says
    # why; approving it does what it says.
    assert '  first name    "Oskar" → "Oscar"' in shown_again.splitlines()
    assert "Call 1 of this turn also change(s) this user" in shown_again
    assert profile(org, OSCAR)["firstName"] == "Oscar"


def test_per_call_a_call_shown_again_after_another_admins_edit_says_what_changed(
    toolkit: OktaToolkit, org: SandboxOrg
):
    jane = user_id(org, JANE)
    message = calls(
        (UPDATE, {"user_id": OSCAR, "last_name": "R."}),
        (UPDATE, {"user_id": jane, "email": "j@x.io"}),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()
    toolkit.client.update_user(jane, {"email": "jane.p@example.com"})

    (again,) = review.decide({"type": "approve"})
    review.decide({"type": "approve"})

    assert (
        'Since this preview the user changed: email: "jane.patel@example.com" → '
        '"jane.p@example.com". If approved, nothing is written'
    ) in again.value["description"]
    assert review.tool_messages()["call-2"].status == "error"
    assert profile(org, JANE)["email"] == "jane.p@example.com"


def test_per_call_a_call_shown_again_after_an_edit_the_preview_does_not_show_says_so(
    toolkit: OktaToolkit, org: SandboxOrg
):
    jane = user_id(org, JANE)
    message = calls(
        (UPDATE, {"user_id": OSCAR, "last_name": "R."}),
        (UPDATE, {"user_id": jane, "first_name": "Janet"}),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()
    toolkit.client.update_user(jane, {"mobilePhone": "+1-555-0123"})  # not in the preview

    (again,) = review.decide({"type": "approve"})
    review.decide({"type": "approve"})

    # The approved write compares versions, so it writes nothing: the text says so first.
    assert (
        "Since this preview the user changed: attributes the preview does not show. If "
        "approved, nothing is written"
    ) in again.value["description"]
    assert review.tool_messages()["call-2"].status == "error"
    assert profile(org, JANE)["firstName"] == "Jane"


def test_per_call_a_call_after_one_that_changes_nothing_it_shows_is_not_said_to_have_run_it(
    toolkit: OktaToolkit, org: SandboxOrg
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "mobile_phone": "+1-555-0100"}),
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()

    _, second = review.descriptions()  # shown before anything ran

    assert "ran as it assumed" not in second
    assert "Since this preview" not in second


def test_a_call_previewed_after_a_rejected_call_writes_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "last_name": "Ramírez"}),
    )
    review = Review(toolkit, message)
    review.pause()
    start = len(org.requests)

    review.decide({"type": "reject"}, {"type": "approve"})

    result = review.tool_messages()["call-2"]
    assert result.status == "error"
    assert 'firstName: "Oskar" → "Oscar"' in str(result.content)
    assert "The preview assumed that call(s) 1 of the same turn ran first" in str(result.content)
    assert writes(org, start) == []


def test_create_then_update_of_the_new_user_in_one_message(toolkit: OktaToolkit, org: SandboxOrg):
    message = calls(
        (CREATE, GRACE),
        (UPDATE, {"user_id": GRACE["email"], "mobile_phone": "+1-555-0100"}),
    )
    review = Review(toolkit, message)
    review.pause()

    _, second = review.descriptions()
    review.decide({"type": "approve"}, {"type": "approve"})

    assert "no such user" not in second
    assert (
        "This turn: Call 1 of this turn creates this user; this preview assumes it runs first, "
        "and shows the values it creates."
    ) in second.splitlines()
    assert '  mobile phone  (none) → "+1-555-0100"' in second.splitlines()
    results = review.tool_messages()
    assert [results[c].status for c in ("call-1", "call-2")] == ["success", "success"]
    assert profile(org, GRACE["email"])["mobilePhone"] == "+1-555-0100"


def test_two_creates_of_one_person_in_one_message_warn_on_the_second(
    toolkit: OktaToolkit, org: SandboxOrg
):
    message = calls((CREATE, GRACE), (CREATE, {**GRACE, "login": "ghopper@example.com"}))
    review = Review(toolkit, message)
    review.pause()

    _, second = review.descriptions()
    review.decide({"type": "approve"}, {"type": "reject", "message": "She is already in."})

    assert (
        'This turn: Call 1 of this turn creates "Grace Hopper" (login '
        '"grace.hopper@example.com") with the same email and name: approving both makes two '
        "accounts for what is likely the same person."
    ) in second.splitlines()
    hoppers = [u for u in org.users if u["profile"]["lastName"] == "Hopper"]
    assert len(hoppers) == 1


def test_two_creates_with_one_login_say_the_second_will_fail_and_it_does(
    toolkit: OktaToolkit, org: SandboxOrg
):
    message = calls((CREATE, GRACE), (CREATE, {**GRACE, "first_name": "G."}))
    review = Review(toolkit, message)
    review.pause()

    _, second = review.descriptions()
    review.decide({"type": "approve"}, {"type": "approve"})

    assert "this create will fail, as logins are unique." in second
    results = review.tool_messages()
    assert (results["call-1"].status, results["call-2"].status) == ("success", "error")
    assert len([u for u in org.users if u["profile"]["lastName"] == "Hopper"]) == 1


# -- the org changes while the person decides ---------------------------------------------------


def test_a_login_moved_to_another_user_while_paused_writes_nowhere(
    toolkit: OktaToolkit, org: SandboxOrg
):
    jane = user_id(org, JANE)
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "email": "jane@outside.example"})))
    review.pause()
    # Meanwhile Jane's login is renamed and a new hire gets it.
    toolkit.client.update_user(jane, {"login": "jane.old@example.com"})
    toolkit.client.create_user(
        {"firstName": "Jane", "lastName": "New", "email": "jane.new@example.com", "login": JANE}
    )
    start = len(org.requests)

    review.decide({"type": "approve"})

    result = review.tool_messages()["call-1"]
    assert result.status == "error"
    assert str(result.content).startswith(
        f'Not done: user "{jane}" (login "jane.old@example.com") changed since the person '
        "approved this update"
    )
    assert f'login: "{JANE}" → "jane.old@example.com"' in str(result.content)
    assert "Propose the call again" in str(result.content)
    assert writes(org, start) == []
    assert profile(org, JANE)["email"] == "jane.new@example.com"
    assert profile(org, "jane.old@example.com")["email"] == JANE


def test_a_create_whose_person_appeared_while_paused_creates_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    review = Review(toolkit, calls((CREATE, {**GRACE, "login": "grace@example.com"})))
    review.pause()
    toolkit.client.create_user(
        {"firstName": "Grace", "lastName": "Hopper", "email": GRACE["email"]}
    )
    start = len(org.requests)

    review.decide({"type": "approve"})

    result = review.tool_messages()["call-1"]
    assert result.status == "error"
    assert "has the same email and name. Nothing was written." in str(result.content)
    assert writes(org, start) == []


class EditAfterRead(httpx.BaseTransport):
    """The sandbox, with another admin's edit landing right after a chosen GET is answered."""

    def __init__(self, org: SandboxOrg, path: str, edit: dict[str, Any]):
        self._inner = org.transport()
        self._other = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
        self._path, self._edit, self.armed = path, edit, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if self.armed and request.method == "GET" and request.url.path == self._path:
            self.armed = False
            response.read()
            self._other.client.update_user(self._path.rsplit("/", 1)[1], self._edit)
        return response

    def close(self) -> None:
        self._other.close()
        self._inner.close()


def test_a_412_between_the_read_and_the_write_writes_nothing_and_says_what_changed(
    org: SandboxOrg,
):
    jane = user_id(org, JANE)
    transport = EditAfterRead(org, f"/api/v1/users/{jane}", {"lastName": "Patel-Roe"})
    with OktaToolkit(IN_PROCESS_URL, org.token, transport=transport) as toolkit:
        review = Review(toolkit, calls((UPDATE, {"user_id": jane, "first_name": "Janet"})))
        review.pause()
        transport.armed = True  # the approved write's own read is the one followed by the edit
        start = len(org.requests)

        review.decide({"type": "approve"})

    result = review.tool_messages()["call-1"]
    assert result.status == "error"
    assert 'lastName: "Patel" → "Patel-Roe"' in str(result.content)
    # Ours: read, write (412, as the other admin's read and write came between), read again.
    sent = [(r.method, r.status) for r in org.requests[start:]]
    assert sent == [("GET", 200), ("GET", 200), ("POST", 200), ("POST", 412), ("GET", 200)]
    assert profile(org, JANE)["firstName"] == "Jane"


def test_two_threads_reusing_tool_call_ids_each_see_and_bind_their_own_preview(
    toolkit: OktaToolkit, org: SandboxOrg
):
    toolkit.client.update_user(JANE, {"mobilePhone": None})
    message = calls((UPDATE, {"user_id": JANE, "mobile_phone": ""}))
    first = Review(toolkit, message, thread="a")
    first.pause()
    toolkit.client.update_user(JANE, {"mobilePhone": "+1-555-0199"})  # set since
    second = Review(toolkit, message, thread="b")
    second.pause()

    (shown_first,), (shown_second,) = first.descriptions(), second.descriptions()
    first.decide({"type": "approve"})

    assert "Nothing changes" in shown_first
    assert 'The mobile phone number "+1-555-0199" is removed' in shown_second
    # Approving the first thread's "Nothing changes" must not clear the number set since.
    assert first.tool_messages()["call-1"].status == "error"
    assert profile(org, JANE)["mobilePhone"] == "+1-555-0199"


# -- what the approval is bound to, and what it is not ------------------------------------------


def test_an_edit_to_another_user_is_refused_and_writes_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "last_name": "Smith"})))
    review.pause()
    start = len(org.requests)

    review.decide(
        {
            "type": "edit",
            "edited_action": {"name": UPDATE, "args": {"user_id": OSCAR, "last_name": "Smith"}},
        }
    )

    result = review.tool_messages()["call-1"]
    assert result.status == "error"
    assert f'changes the user from "{JANE}" to "{OSCAR}", which no preview showed' in str(
        result.content
    )
    assert writes(org, start) == []


def test_an_edit_of_the_same_user_keeps_the_binding(toolkit: OktaToolkit, org: SandboxOrg):
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "last_name": "Smith"})))
    review.pause()
    toolkit.client.update_user(JANE, {"firstName": "Janet"})

    review.decide(
        {
            "type": "edit",
            "edited_action": {"name": UPDATE, "args": {"user_id": JANE, "last_name": "Smyth"}},
        }
    )

    assert review.tool_messages()["call-1"].status == "error"
    assert profile(org, JANE)["lastName"] == "Patel"


def test_an_edit_naming_the_user_by_the_id_the_preview_showed_runs(
    toolkit: OktaToolkit, org: SandboxOrg
):
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "last_name": "Smith"})))
    review.pause()
    edited = {"user_id": user_id(org, JANE), "last_name": "Smyth"}

    review.decide({"type": "edit", "edited_action": {"name": UPDATE, "args": edited}})

    assert review.tool_messages()["call-1"].status == "success"
    assert profile(org, JANE)["lastName"] == "Smyth"


def test_a_tool_call_id_reused_by_the_next_turn_is_bound_to_its_own_preview(
    toolkit: OktaToolkit, org: SandboxOrg
):
    first = calls((UPDATE, {"user_id": JANE, "last_name": "Smith"}))
    second = calls((UPDATE, {"user_id": JANE, "first_name": "Janet"}))  # the same id, call-1
    agent = create_agent(
        ScriptedChatModel(script=[first, second]),
        toolkit.get_tools(),
        middleware=toolkit.approval_middleware(),
        checkpointer=InMemorySaver(),
    )
    config = {"configurable": {"thread_id": "reused"}}
    agent.invoke({"messages": [("user", "Go.")]}, config, version="v2")
    paused = agent.invoke(
        Command(resume={"decisions": [{"type": "approve"}]}), config, version="v2"
    )

    (pending,) = paused.interrupts
    (action,) = pending.value["action_requests"]
    assert '  first name    "Jane" → "Janet"' in action["description"].splitlines()
    agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config, version="v2")
    assert (profile(org, JANE)["firstName"], profile(org, JANE)["lastName"]) == ("Janet", "Smith")


def test_a_binding_the_model_passes_itself_is_refused(toolkit: OktaToolkit, org: SandboxOrg):
    args = {"user_id": JANE, "last_name": "Smith", "okta_approvals": {"etag": "*"}}
    review = Review(toolkit, calls((UPDATE, args)))
    review.pause()

    review.decide({"type": "approve"})

    result = review.tool_messages()["call-1"]
    assert "okta_approvals is not an argument of this tool" in str(result.content)
    assert profile(org, JANE)["lastName"] == "Patel"


def test_middleware_in_the_wrong_order_fails_before_anyone_approves(toolkit: OktaToolkit):
    hitl, binding = toolkit.approval_middleware()
    agent = create_agent(
        ScriptedChatModel(script=[calls((UPDATE, {"user_id": JANE, "last_name": "Smith"}))]),
        toolkit.get_tools(),
        middleware=[binding, hitl],
        checkpointer=InMemorySaver(),
    )

    with pytest.raises(RuntimeError, match="in that order"):
        agent.invoke({"messages": [("user", "Go.")]}, {"configurable": {"thread_id": "w"}})
    assert "toolkit.approval_middleware()" in MISORDERED


def test_a_write_call_that_was_never_previewed_is_not_run(toolkit: OktaToolkit, org: SandboxOrg):
    binding = OktaApprovalBinding(toolkit.client)
    agent = create_agent(
        ScriptedChatModel(script=[calls((UPDATE, {"user_id": JANE, "last_name": "Smith"}))]),
        toolkit.get_tools(),
        # The saved previews are dropped by a middleware that wraps the binding's.
        middleware=[_Forgetful(), binding],
    )

    result = agent.invoke({"messages": [("user", "Go.")]})

    (message,) = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert message.status == "error"
    assert "no preview of it was shown" in str(message.content)
    assert profile(org, JANE)["lastName"] == "Patel"


class _Forgetful(AgentMiddleware[Any, Any, Any]):
    """Drops the saved previews before the tools run."""

    def wrap_tool_call(self, request: Any, handler: Any) -> Any:
        return handler(request.override(state={**request.state, "okta_approvals": None}))


# -- a resume in a fresh process, from a real checkpointer -------------------------------------

_RESUME = textwrap.dedent(
    """
    import json, sys
    from langchain.agents import create_agent
    from langchain_core.messages import ToolMessage
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.types import Command
    from langchain_okta import OktaToolkit
    from langchain_okta.sandbox.scripted_model import ScriptedChatModel

    base_url, token, path, mode = sys.argv[1:5]
    config = {"configurable": {"thread_id": "sqlite"}}
    with OktaToolkit(base_url, token) as toolkit, SqliteSaver.from_conn_string(path) as saver:
        agent = create_agent(
            ScriptedChatModel(script=[]),
            toolkit.get_tools(),
            middleware=toolkit.approval_middleware(interrupt_mode=mode),
            checkpointer=saver,
        )
        if mode == "per_call":
            pending = agent.get_state(config).interrupts
            resume = {p.id: {"type": "approve"} for p in pending}
        else:
            resume = {"decisions": [{"type": "approve"}]}
        result = agent.invoke(Command(resume=resume), config, version="v2")
    (message,) = [m for m in result.value["messages"] if isinstance(m, ToolMessage)]
    print(json.dumps({"status": message.status, "content": str(message.content)}))
    """
)


def pause_then_resume_elsewhere(
    org: SandboxOrg,
    tmp_path: Path,
    args: dict[str, Any],
    meanwhile: dict[str, Any] | None,
    mode: str = "batched",
) -> dict[str, Any]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = str(tmp_path / "checkpoints.sqlite")
    with org.serve() as base_url:
        with (
            OktaToolkit(base_url, org.token) as toolkit,
            SqliteSaver.from_conn_string(path) as saver,
        ):
            agent = create_agent(
                ScriptedChatModel(script=[calls((UPDATE, args))]),
                toolkit.get_tools(),
                middleware=toolkit.approval_middleware(interrupt_mode=mode),  # type: ignore[arg-type]
                checkpointer=saver,
            )
            paused = agent.invoke(
                {"messages": [("user", "Go.")]},
                {"configurable": {"thread_id": "sqlite"}},
                version="v2",
            )
            assert paused.interrupts
            if meanwhile:
                toolkit.client.update_user(args["user_id"], meanwhile)
        env = {**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"}
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _RESUME, base_url, org.token, path, mode],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_a_resume_in_a_fresh_process_keeps_the_binding(org: SandboxOrg, tmp_path: Path, mode: str):
    jane = user_id(org, JANE)
    args = {"user_id": jane, "email": "jane@outside.example"}

    result = pause_then_resume_elsewhere(org, tmp_path, args, {"lastName": "Patel-Roe"}, mode)

    assert result["status"] == "error"
    assert 'lastName: "Patel" → "Patel-Roe"' in result["content"]
    assert profile(org, JANE)["email"] == JANE


def test_a_resume_in_a_fresh_process_runs_the_approved_write(org: SandboxOrg, tmp_path: Path):
    args = {"user_id": user_id(org, JANE), "last_name": "Smith"}

    result = pause_then_resume_elsewhere(org, tmp_path, args, None)

    assert result["status"] == "success"
    assert profile(org, JANE)["lastName"] == "Smith"


# -- nothing a reviewer reads can forge a line ---------------------------------------------------


def forged(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if ch in FORGERS]


def test_no_reviewer_text_carries_separators_or_bidi_controls(
    toolkit: OktaToolkit, org: SandboxOrg
):
    # The org holds such names (set through another tool); the model sends some too.
    toolkit.client.update_user(
        OSCAR, {"firstName": "Oscar\u2028Approved: yes\u202e", "lastName": "R\x85"}
    )
    message = calls(
        (UPDATE, {"user_id": OSCAR, "last_name": "Ramirez"}),  # the org's values
        (UPDATE, {"user_id": OSCAR, "first_name": "Os\u2028car"}),  # refused: the fallback
        (UPDATE, {"user_id": "nobody\u202e@example.com", "last_name": "X"}),  # no such user
        (
            CREATE,
            {
                **GRACE,
                "first_name": "Oscar\u2028Approved: yes\u202e",
                "last_name": "R\x85",
                "email": "oscar.r@example.com",
            },
        ),  # refused by the schema
        (
            CREATE,
            {
                "first_name": "Oscar",
                "last_name": "Ramirez",
                "email": OSCAR,
                "login": "o.r@example.com",
            },
        ),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()
    toolkit.client.update_user(OSCAR, {"lastName": "\u2066R\u2069"})  # for the "since" note

    texts = review.descriptions()
    review.decide(*[{"type": "approve"}] * len(texts))
    results = [str(m.content) for m in review.tool_messages().values()]

    assert len(texts) == 5
    assert "\\u2028" in texts[0]
    assert "\\u202e" in texts[0]
    assert "\\u2028" in texts[1]  # the "Requested:" fallback
    assert any("changed since the person approved" in r for r in results)
    assert [forged(text) for text in [*texts, *results]] == [[]] * (len(texts) + len(results))


# -- seams found in review ----------------------------------------------------------------------

NEW_JANE = {"first_name": "Jane", "last_name": "New", "email": "jane.new@example.com"}


def test_a_create_of_a_login_an_earlier_call_frees_is_previewed_free_and_runs(
    toolkit: OktaToolkit, org: SandboxOrg
):
    message = calls(
        (UPDATE, {"user_id": JANE, "login": "jane.old@example.com"}),
        (CREATE, {**NEW_JANE, "login": JANE}),
    )
    review = Review(toolkit, message)
    review.pause()

    _, second = review.descriptions()
    review.decide({"type": "approve"}, {"type": "approve"})

    jane = user_id(org, "jane.old@example.com")
    assert "the create will fail" not in second
    assert (
        f'This turn: Call 1 of this turn changes "Jane Patel" (id "{jane}"), who has the same '
        "login now; this preview assumes it runs first, and checks the org as it leaves them."
    ) in second.splitlines()
    results = review.tool_messages()
    assert [results[c].status for c in ("call-1", "call-2")] == ["success", "success"]
    assert profile(org, JANE)["lastName"] == "New"


def test_a_create_previewed_after_an_earlier_call_that_was_rejected_creates_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    # Call 1 moves Jane's email away; call 2 gives it to a new person, shown as free.
    message = calls(
        (UPDATE, {"user_id": JANE, "email": "jane.old@example.com"}),
        (CREATE, {**NEW_JANE, "email": JANE, "login": "jane.new@example.com"}),
    )
    review = Review(toolkit, message)
    review.pause()
    start = len(org.requests)

    review.decide({"type": "reject"}, {"type": "approve"})

    result = review.tool_messages()["call-2"]
    assert result.status == "error"
    assert '"Jane Patel" (login "jane.patel@example.com"' in str(result.content)
    assert writes(org, start) == []


def test_an_error_that_echoes_the_requested_login_reaches_the_model_escaped(
    toolkit: OktaToolkit, org: SandboxOrg
):
    # The preview cannot read the org, so the approved call runs unbound; Okta's 404 then
    # names the login it was asked for ("Resource not found: ... (User)").
    login = "nobody\u202e\u2028@example.com"
    org.inject(Fault(kind="status", status=503, method="GET", path="/api/v1/users/nobody"))
    review = Review(toolkit, calls((UPDATE, {"user_id": login, "last_name": "X"})))
    review.pause()

    review.decide({"type": "approve"})

    result = str(review.tool_messages()["call-1"].content)
    assert "Resource not found: nobody\\u202e\\u2028@example.com (User)" in result
    assert forged(result) == []


def test_a_call_whose_preview_failed_tells_the_reviewer_it_runs_unbound(
    toolkit: OktaToolkit, org: SandboxOrg
):
    org.inject(Fault(kind="status", status=503, method="GET"))
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "last_name": "Smith"})))
    review.pause()

    (text,) = review.descriptions()

    assert (
        "nothing binds this call to what you check, so if approved it updates whichever user "
        "has this id or login when it runs, as that user is then."
    ) in text


class Waits:
    """The binding's clock and sleep: records each wait for an earlier call, and ends it."""

    def __init__(self) -> None:
        self.now, self.waits = 0.0, 0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits += 1
        self.now += 3600.0

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.mark.parametrize(
    "first",
    [
        {"type": "reject"},
        {  # an edit to another user, which the binding refuses
            "type": "edit",
            "edited_action": {"name": UPDATE, "args": {"user_id": JANE, "first_name": "Oskar"}},
        },
    ],
    ids=["rejected", "refused"],
)
def test_per_call_a_call_after_an_earlier_call_that_did_not_run_does_not_wait_for_it(
    toolkit: OktaToolkit, org: SandboxOrg, monkeypatch: pytest.MonkeyPatch, first: dict[str, Any]
):
    clock = Waits()
    monkeypatch.setattr(approval_middleware, "time", clock)
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "last_name": "Ramírez"}),
    )
    review = Review(toolkit, message, mode="per_call")
    review.pause()
    review.decide(first)  # the first call alone: it ends without writing
    start = len(org.requests)

    review.decide({"type": "approve"})

    assert clock.waits == 0
    assert review.tool_messages()["call-2"].status == "error"
    assert writes(org, start) == []


@pytest.mark.parametrize("mode", ["batched", "per_call"])
def test_calls_sharing_one_id_are_shown_as_such_and_write_nothing(
    toolkit: OktaToolkit, org: SandboxOrg, mode: str
):
    # Some models number their calls per message, or repeat one id: a preview saved by id
    # cannot be told to be one call's rather than the other's.
    message = calls(
        (UPDATE, {"user_id": JANE, "last_name": "Smith"}),
        (UPDATE, {"user_id": OSCAR, "last_name": "Evil"}),
    )
    for call in message.tool_calls:
        call["id"] = "call-1"
    review = Review(toolkit, message, mode=mode)
    review.pause()
    start = len(org.requests)

    texts = review.descriptions()
    review.decide({"type": "approve"}, {"type": "approve"})

    assert len(texts) == 2
    assert all(
        text.startswith("No preview: the model gave this call the same id") for text in texts
    )
    assert "same id as another call" in str(review.tool_messages()["call-1"].content)
    assert writes(org, start) == []


async def test_per_call_an_async_agent_does_not_wait_for_a_rejected_earlier_call(
    toolkit: OktaToolkit, org: SandboxOrg, monkeypatch: pytest.MonkeyPatch
):
    clock = Waits()
    monkeypatch.setattr(approval_middleware, "time", clock)
    monkeypatch.setattr(approval_middleware, "asyncio", SimpleNamespace(sleep=clock.asleep))
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "last_name": "Ramírez"}),
    )
    review = Review(toolkit, message, mode="per_call")
    paused = await review.agent.ainvoke(
        {"messages": [("user", "Go.")]}, review.config, version="v2"
    )
    first, _ = sorted(paused.interrupts, key=lambda p: p.value["tool_call_id"])
    again = await review.agent.ainvoke(
        Command(resume={first.id: {"type": "reject"}}), review.config, version="v2"
    )
    (second,) = again.interrupts

    review.result = await review.agent.ainvoke(
        Command(resume={second.id: {"type": "approve"}}), review.config, version="v2"
    )

    assert clock.waits == 0
    assert review.tool_messages()["call-2"].status == "error"
    assert profile(org, OSCAR)["lastName"] == "Ramirez"


def test_a_lost_answer_after_a_write_that_applied_is_neither_repeated_nor_called_stale(
    toolkit: OktaToolkit, org: SandboxOrg
):
    oscar = user_id(org, OSCAR)
    message = calls(
        (UPDATE, {"user_id": oscar, "first_name": "Oskar"}),
        (UPDATE, {"user_id": oscar, "last_name": "Ramírez"}),  # bound to the values call 1 leaves
    )
    review = Review(toolkit, message)
    review.pause()
    # Call 2's write applies, then its connection drops before the answer: the retry (with
    # If-Match on the version before it) meets a 412. Call 1's write is served as usual.
    path = f"/api/v1/users/{oscar}"
    org.inject(Fault(kind="latency", method="POST", path=path, seconds=0.0))
    org.inject(Fault(kind="drop", method="POST", path=path, after_processing=True))
    start = len(org.requests)

    review.decide({"type": "approve"}, {"type": "approve"})

    results = review.tool_messages()
    assert [results[c].status for c in ("call-1", "call-2")] == ["success", "success"]
    assert json.loads(str(results["call-2"].content))["changed"] == ["lastName"]
    assert [r.status for r in org.requests[start:] if r.method == "POST"] == [200, None, 412]
    assert (profile(org, OSCAR)["firstName"], profile(org, OSCAR)["lastName"]) == (
        "Oskar",
        "Ramírez",
    )


def test_an_edit_that_turns_an_update_into_a_create_writes_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    review = Review(toolkit, calls((UPDATE, {"user_id": JANE, "last_name": "Smith"})))
    review.pause()
    start = len(org.requests)

    review.decide({"type": "edit", "edited_action": {"name": CREATE, "args": GRACE}})

    assert review.tool_messages()["call-1"].status == "error"
    assert "nothing was written" in str(review.tool_messages()["call-1"].content)
    assert writes(org, start) == []


def test_the_checkpoint_holds_the_binding_and_no_secret(
    toolkit: OktaToolkit, org: SandboxOrg, tmp_path: Path
):
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = tmp_path / "checkpoints.sqlite"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        agent = create_agent(
            ScriptedChatModel(script=[calls((UPDATE, {"user_id": JANE, "last_name": "Smith"}))]),
            toolkit.get_tools(),
            middleware=toolkit.approval_middleware(),
            checkpointer=saver,
        )
        config = {"configurable": {"thread_id": "secrets"}}
        agent.invoke({"messages": [("user", "Go.")]}, config, version="v2")
        saved = agent.get_state(config).values["okta_approvals"]

    stored = path.read_bytes()
    assert saved["calls"]["call-1"]["update"]["etag"].encode() in stored
    assert org.token.encode() not in stored
