"""The approval policy works unchanged with per-person connections: each paused write is
previewed, and then applied, with its own person's credential."""

from __future__ import annotations

from typing import Any

from connected_runs import RunContext, in_threads
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from okta_people import Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, tool_call


def _session(toolkit: OktaConnectedToolkit, person: Person) -> Any:
    args = {"user_id": person.user_id, "first_name": f"Renamed-{person.name}"}
    return create_agent(
        ScriptedChatModel(script=[tool_call("okta_update_user", args, "c1")]),
        toolkit.get_tools(),
        middleware=[
            toolkit.middleware(),
            HumanInTheLoopMiddleware(interrupt_on=toolkit.approval_policy()),
        ],
        checkpointer=InMemorySaver(),
        context_schema=RunContext,
    )


def test_each_persons_write_is_previewed_and_applied_with_their_own_credential(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    writers = [person for person in people if person.may_write]
    previews: dict[str, str] = {}

    def review(person: Person) -> None:
        agent, context = _session(toolkit, person), RunContext(person.connection)
        thread: Any = {"configurable": {"thread_id": person.name}}
        paused = agent.invoke(
            {"messages": [("user", "rename me")]}, thread, context=context, version="v2"
        )
        (pending,) = paused.interrupts
        (action,) = pending.value["action_requests"]
        previews[person.name] = action["description"]
        done = agent.invoke(
            Command(resume={"decisions": [{"type": "approve"}]}),
            thread,
            context=context,
            version="v2",
        )
        assert not done.interrupts

    in_threads([lambda p=person: review(p) for person in writers])

    for person in writers:
        assert f"Renamed-{person.name}" in previews[person.name]
        changed = [
            r for r in person.org.requests if r.method == "POST" and person.user_id in r.path
        ]
        assert [r.principal for r in changed] == [person.user_id]
        reads = [r for r in person.org.requests if r.path == f"/api/v1/users/{person.user_id}"]
        assert {r.principal for r in reads} == {person.user_id}
        user = next(u for u in person.org.users if u["id"] == person.user_id)
        assert user["profile"]["firstName"] == f"Renamed-{person.name}"
