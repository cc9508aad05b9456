"""Errors that say whose problem it is: the app passed no connection, the person's credential
expired or was revoked, or the app does not serve that org."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from connected_runs import (
    RunContext,
    acall,
    agent_for,
    call,
    call_in,
    runtime_for,
    tool_messages,
    tool_named,
)
from langchain_core.messages import AIMessage
from okta_people import ACME, GLOBEX, Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox import SandboxOrg
from langchain_okta.sandbox.scripted_model import tool_call


def test_a_run_without_a_connection_tells_the_model_the_app_has_not_connected_okta(
    toolkit: OktaConnectedToolkit,
) -> None:
    agent = agent_for(toolkit, [tool_call("okta_get_user", {"user_id": "me"}, "c1")])

    result = agent.invoke({"messages": [("user", "who am I")]})

    (message,) = tool_messages(result["messages"])
    assert message.status == "error"
    assert "no Okta connection for this run" in str(message.content)
    assert "connect their Okta account in the app" in str(message.content)


def test_a_tool_called_outside_an_agent_run_says_so(toolkit: OktaConnectedToolkit) -> None:
    answer = tool_named(toolkit, "okta_get_user").invoke({"user_id": "me"})

    assert "outside an agent run" in answer


def test_a_revoked_credential_asks_the_person_to_reconnect_and_drops_its_client(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    helper = people[1]
    get = tool_named(toolkit, "okta_get_user")
    assert call(get, helper.connection, user_id="me").startswith("{")
    (entry,) = toolkit.pool._entries.values()

    helper.org.revoke_api_token(helper.secret)
    answer = call(get, helper.connection, user_id="me")

    assert "reconnect Okta" in answer
    assert "expired or was revoked" in answer
    assert toolkit.pool.size == 0
    assert entry.client.closed


def test_a_credential_refused_at_its_first_check_asks_to_reconnect(
    toolkit: OktaConnectedToolkit, acme: SandboxOrg
) -> None:
    stale = OktaConnection(org_url=ACME, access_token="an-expired-access-token")

    answer = asyncio.run(acall(tool_named(toolkit, "okta_list_users"), stale))

    assert "reconnect Okta" in answer
    assert toolkit.pool.size == 0


@pytest.fixture
def acme_only(acme: SandboxOrg, globex: SandboxOrg) -> Iterator[OktaConnectedToolkit]:
    transports = {ACME: acme.transport(), GLOBEX: globex.transport()}
    with OktaConnectedToolkit(transports=transports, allowed_orgs=[ACME + "/"]) as toolkit:
        yield toolkit


def test_an_org_the_app_does_not_allow_is_refused_before_any_request(
    acme_only: OktaConnectedToolkit, people: list[Person], globex: SandboxOrg
) -> None:
    outsider = next(person for person in people if person.org_url == GLOBEX)

    answer = call(tool_named(acme_only, "okta_get_user"), outsider.connection, user_id="me")

    assert f"does not allow the Okta org {GLOBEX}" in answer
    assert globex.requests == []
    insider = call(tool_named(acme_only, "okta_get_user"), people[0].connection, user_id="me")
    assert insider.startswith("{")


def test_an_app_resolver_finds_the_person_by_their_langgraph_user(
    acme: SandboxOrg, globex: SandboxOrg, people: list[Person]
) -> None:
    store = {person.name: person.connection for person in people}

    def resolve(runtime: Any) -> OktaConnection | None:
        user = runtime.config["configurable"].get("langgraph_auth_user")
        return store.get(user) if user else None

    transports = {ACME: acme.transport(), GLOBEX: globex.transport()}
    with OktaConnectedToolkit(transports=transports, resolve=resolve) as toolkit:
        get = tool_named(toolkit, "okta_get_user")
        for person in people:
            runtime = runtime_for(None, langgraph_auth_user=person.name)
            assert person.user_id in call_in(get, runtime, user_id="me")
        unknown = call_in(get, runtime_for(None, langgraph_auth_user="x"), user_id="me")
        assert "resolver found none" in unknown


def test_an_async_resolver_serves_async_and_sync_runs(
    acme: SandboxOrg, people: list[Person]
) -> None:
    person = people[0]

    async def aresolve(runtime: Any) -> OktaConnection | None:
        await asyncio.sleep(0)
        return person.connection

    with OktaConnectedToolkit(transports={ACME: acme.transport()}, aresolve=aresolve) as toolkit:
        agent = agent_for(toolkit, [tool_call("okta_get_user", {"user_id": "me"}, "c1")])
        sync = agent.invoke({"messages": [("user", "me")]})
        agent = agent_for(toolkit, [tool_call("okta_get_user", {"user_id": "me"}, "c1")])
        run_async = asyncio.run(agent.ainvoke({"messages": [("user", "me")]}))

    for result in (sync, run_async):
        (message,) = tool_messages(result["messages"])
        assert person.user_id in str(message.content)


def test_the_context_may_be_a_dict_or_the_connection_itself(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    person = people[4]
    get = tool_named(toolkit, "okta_get_user")
    for context in ({"okta_connection": person.connection}, person.connection):
        runtime = runtime_for(person.connection)
        object.__setattr__(runtime, "context", context)
        assert person.user_id in call_in(get, runtime, user_id="me")


def test_a_resolver_that_fails_is_reported_as_the_apps_problem_and_logged(
    acme: SandboxOrg, caplog: pytest.LogCaptureFixture
) -> None:
    def resolve(runtime: Any) -> OktaConnection | None:
        raise ConnectionError("credential store unreachable")

    with OktaConnectedToolkit(transports={ACME: acme.transport()}, resolve=resolve) as toolkit:
        answer = call(tool_named(toolkit, "okta_get_user"), None, user_id="me")

    assert "could not look it up (ConnectionError)" in answer
    assert "try again later" in answer
    assert "credential store unreachable" in caplog.text
    assert acme.requests == []


def test_a_run_after_the_toolkit_is_closed_is_told_so_rather_than_failing_in_the_middleware(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    toolkit.close()
    agent = agent_for(toolkit, [tool_call("okta_get_user", {"user_id": "me"}, "c1")])

    result = agent.invoke(
        {"messages": [("user", "who am I")]}, context=RunContext(people[0].connection)
    )

    (answer,) = tool_messages(result["messages"])
    assert "closed" in str(answer.content)
    offered = {name for names in agent.model.offered for name in names}
    assert not offered & {"okta_create_user", "okta_update_user"}


def test_a_credential_refused_at_the_model_calls_rights_check_leaves_the_pool(
    toolkit: OktaConnectedToolkit,
) -> None:
    stale = OktaConnection(org_url=ACME, access_token="an-expired-access-token")
    agent = agent_for(toolkit, [AIMessage("I cannot reach Okta for you right now.")])

    agent.invoke({"messages": [("user", "add Ada")]}, context=RunContext(stale))

    offered = {name for names in agent.model.offered for name in names}
    assert not offered & {"okta_create_user", "okta_update_user"}
    assert toolkit.pool.size == 0


def test_a_credential_refused_at_an_async_model_calls_rights_check_leaves_the_pool(
    toolkit: OktaConnectedToolkit,
) -> None:
    stale = OktaConnection(org_url=ACME, access_token="an-expired-access-token")
    agent = agent_for(toolkit, [AIMessage("I cannot reach Okta for you right now.")])

    asyncio.run(agent.ainvoke({"messages": [("user", "add Ada")]}, context=RunContext(stale)))

    assert toolkit.pool.size == 0
