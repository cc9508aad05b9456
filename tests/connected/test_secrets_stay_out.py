"""A person's credential stays out of everything a run persists or traces: checkpoints,
callback events, messages and artifacts, reprs, logs and errors."""

from __future__ import annotations

import logging
import pickle
from typing import Any

import pytest
from connected_runs import RunContext, agent_for, call, tool_named
from langchain_core.callbacks import BaseCallbackHandler
from langgraph.checkpoint.memory import InMemorySaver
from okta_people import Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox.scripted_model import tool_call


class EveryEvent(BaseCallbackHandler):
    """Records the repr of every argument of every callback event."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):
            events = object.__getattribute__(self, "events")

            def record(*args: Any, **kwargs: Any) -> None:
                events.append(f"{name} {args!r} {kwargs!r}")

            return record
        return object.__getattribute__(self, name)


def _script(person: Person) -> list[Any]:
    return [
        tool_call("okta_list_users", {"query": "a"}, "c1"),
        tool_call("okta_get_user", {"user_id": "me"}, "c2"),
        tool_call("okta_update_user", {"user_id": person.user_id, "first_name": "Pat"}, "c3"),
        tool_call("okta_get_user", {"user_id": "no-such-user@example.com"}, "c4"),
    ]


def _checkpointed(saver: InMemorySaver) -> bytes:
    return pickle.dumps((dict(saver.storage), dict(saver.writes), dict(saver.blobs)))


@pytest.fixture
def recorded(
    toolkit: OktaConnectedToolkit, people: list[Person], caplog: pytest.LogCaptureFixture
) -> tuple[InMemorySaver, EveryEvent, list[Any]]:
    caplog.set_level(logging.DEBUG)
    saver, events, results = InMemorySaver(), EveryEvent(), []
    for person in people:
        agent = agent_for(toolkit, _script(person), checkpointer=saver)
        config: Any = {"configurable": {"thread_id": person.name}, "callbacks": [events]}
        results.append(
            agent.invoke(
                {"messages": [("user", "rename me")]},
                config=config,
                context=RunContext(person.connection),
            )
        )
    return saver, events, results


def test_checkpoints_hold_no_credential(
    recorded: tuple[InMemorySaver, EveryEvent, list[Any]], people: list[Person]
) -> None:
    saver, _, _ = recorded
    stored = _checkpointed(saver)

    assert len(saver.storage) == len(people)
    assert b"Pat" in stored  # the runs were checkpointed
    for person in people:
        assert person.secret.encode() not in stored


def test_callback_events_hold_no_credential(
    recorded: tuple[InMemorySaver, EveryEvent, list[Any]], people: list[Person]
) -> None:
    _, events, _ = recorded
    traced = "\n".join(events.events)

    assert "on_tool_start" in traced
    assert "on_tool_end" in traced
    for person in people:
        assert person.secret not in traced


def test_messages_and_artifacts_hold_no_credential(
    recorded: tuple[InMemorySaver, EveryEvent, list[Any]], people: list[Person]
) -> None:
    _, _, results = recorded
    shown = repr(results) + "".join(
        repr(getattr(message, "artifact", None)) for r in results for message in r["messages"]
    )

    assert "not found" in shown.lower()  # the failing call is in there
    for person in people:
        assert person.secret not in shown


def test_logs_hold_no_credential(
    recorded: tuple[InMemorySaver, EveryEvent, list[Any]],
    people: list[Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    logged = "\n".join(record.getMessage() for record in caplog.records)

    for person in people:
        assert person.secret not in logged


def test_reprs_dumps_and_errors_hold_no_credential(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    for each in people:
        call(tool_named(toolkit, "okta_get_user"), each.connection, user_id="me")
    person = people[0]
    shown = [
        repr(toolkit),
        repr(toolkit.pool),
        repr(toolkit.get_tools()),
        repr(list(toolkit.pool._entries.values())),
        repr(person.connection),
        str(person.connection),
        person.connection.model_dump_json(),
        repr(person.connection.model_dump()),
    ]
    with pytest.raises(ValueError, match="exactly one credential") as invalid:
        OktaConnection(org_url="https://x.okta.com", api_token=person.secret, access_token="t")
    shown.append(str(invalid.value))
    for each in people:
        assert all(each.secret not in text for text in shown)


def test_a_connection_cannot_be_pickled(people: list[Person]) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(people[0].connection)


def test_the_checkpoint_search_would_find_a_credential_that_was_stored(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    """The search above is real: a token a person pastes into the chat is checkpointed."""
    saver, person = InMemorySaver(), people[0]
    agent = agent_for(toolkit, [], checkpointer=saver)
    config: Any = {"configurable": {"thread_id": "pasted"}}

    agent.invoke(
        {"messages": [("user", f"my token is {person.secret}")]},
        config=config,
        context=RunContext(person.connection),
    )

    assert person.secret.encode() in _checkpointed(saver)


def test_binding_approvals_keep_credentials_out_of_checkpoints_reviewer_texts_and_messages(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    from langchain.agents import create_agent
    from langgraph.types import Command

    from langchain_okta.approval_middleware import STATE_KEY
    from langchain_okta.sandbox.scripted_model import ScriptedChatModel

    saver, events, seen = InMemorySaver(), EveryEvent(), []
    for person in people:  # the reader's call is shown with why it has no preview
        target = next(u for u in person.org.users if u["id"] != person.user_id)
        rename = {"user_id": target["id"], "first_name": "P"}
        model = ScriptedChatModel(script=[tool_call("okta_update_user", rename, "c1")])
        agent = create_agent(
            model,
            toolkit.get_tools(),
            middleware=[*toolkit.approval_middleware(), toolkit.middleware()],
            checkpointer=saver,
            context_schema=RunContext,
        )
        config: Any = {"configurable": {"thread_id": person.name}, "callbacks": [events]}
        context = RunContext(person.connection)
        paused = agent.invoke(
            {"messages": [("user", "rename")]}, config, context=context, version="v2"
        )
        state = agent.get_state(config).values
        done = agent.invoke(
            Command(resume={"decisions": [{"type": "approve"}]}),
            config,
            context=context,
            version="v2",
        )
        seen += [repr(paused.interrupts), repr(state.get(STATE_KEY)), repr(done.value)]

    stored = _checkpointed(saver)
    shown = "\n".join(seen + events.events)
    assert b"okta_approvals" in stored  # the previews and bindings were checkpointed
    assert "no preview" in shown  # and the reader's refusal shown
    for person in people:
        assert person.secret.encode() not in stored
        assert person.secret not in shown
