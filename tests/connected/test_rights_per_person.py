"""Rights per person: a person who may only read is never offered a write tool, and a write
call from them is refused by the tool itself, before anything reaches Okta."""

from __future__ import annotations

import asyncio

from connected_runs import RunContext, agent_for, call, tool_messages, tool_named
from okta_people import ACME, Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.pool import PoolLimits
from langchain_okta.sandbox import SandboxOrg
from langchain_okta.sandbox.scripted_model import tool_call

WRITES = {"okta_create_user", "okta_update_user"}
NEW_USER = {"first_name": "Ada", "last_name": "Byron", "email": "ada.byron@example.com"}


def _writes_sent(org: SandboxOrg) -> list[str]:
    return [f"{r.method} {r.path}" for r in org.requests if r.method != "GET"]


def _offered_after(person: Person, toolkit: OktaConnectedToolkit, *, run_async: bool) -> set[str]:
    agent = agent_for(toolkit, [tool_call("okta_get_user", {"user_id": "me"}, "c1")])
    question = {"messages": [("user", "who am I")]}
    if run_async:
        asyncio.run(agent.ainvoke(question, context=RunContext(person.connection)))
    else:
        agent.invoke(question, context=RunContext(person.connection))
    return {name for offered in agent.model.offered for name in offered}


def test_a_read_only_person_is_never_offered_the_write_tools(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    for person in people:
        for run_async in (False, True):
            offered = _offered_after(person, toolkit, run_async=run_async)
            assert bool(offered & WRITES) is person.may_write, (person.name, run_async)
            assert {"okta_list_users", "okta_get_user"} <= offered


def test_a_write_from_a_read_only_person_is_refused_by_the_tool_and_sends_nothing(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    reader = next(person for person in people if not person.may_write)
    # A model that calls the write tool although it was not offered (scripted to).
    agent = agent_for(toolkit, [tool_call("okta_create_user", NEW_USER, "c1")])

    result = agent.invoke(
        {"messages": [("user", "add Ada")]}, context=RunContext(reader.connection)
    )

    (message,) = tool_messages(result["messages"])
    assert message.status == "error"
    assert "may only read" in str(message.content)
    assert "READ_ONLY_ADMIN" in str(message.content)
    assert _writes_sent(reader.org) == []
    assert reader.org.find_by_login("ada.byron@example.com") is None


def test_async_writes_are_refused_the_same_way(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    from connected_runs import acall

    reader = next(person for person in people if not person.may_write)
    update = tool_named(toolkit, "okta_update_user")

    answer = asyncio.run(acall(update, reader.connection, user_id="me", first_name="Eve"))

    assert "may only read" in answer
    assert _writes_sent(reader.org) == []


def test_a_connection_marked_read_only_by_the_app_cannot_write_whatever_its_roles(
    toolkit: OktaConnectedToolkit, acme: SandboxOrg
) -> None:
    limited = OktaConnection(org_url=ACME, api_token=acme.token, read_only=True)

    answer = call(tool_named(toolkit, "okta_create_user"), limited, **NEW_USER)

    assert "connected them read-only" in answer
    assert _writes_sent(acme) == []


def _role_checks(org: SandboxOrg) -> int:
    return sum(1 for r in org.requests if r.path.endswith("/roles"))


def test_the_admin_check_is_kept_for_the_bounded_time_then_run_again(acme: SandboxOrg) -> None:
    now = [0.0]
    limits = PoolLimits(rights_seconds=60)
    with OktaConnectedToolkit(transports={ACME: acme.transport()}, pool_limits=limits) as tk:
        tk.pool._clock = lambda: now[0]
        connection = OktaConnection(org_url=ACME, api_token=acme.token)
        get = tool_named(tk, "okta_get_user")

        call(get, connection, user_id="me")
        call(get, connection, user_id="me")
        assert _role_checks(acme) == 1
        now[0] = 61.0
        call(get, connection, user_id="me")
        assert _role_checks(acme) == 2


def test_a_role_taken_away_stops_writes_once_the_check_is_run_again(acme: SandboxOrg) -> None:
    now = [0.0]
    limits = PoolLimits(rights_seconds=60, idle_seconds=3600)
    with OktaConnectedToolkit(transports={ACME: acme.transport()}, pool_limits=limits) as tk:
        tk.pool._clock = lambda: now[0]
        connection = OktaConnection(org_url=ACME, api_token=acme.token)
        create = tool_named(tk, "okta_create_user")
        assert call(create, connection, **NEW_USER).startswith("{")

        acme.set_roles(acme.admin["id"], ["READ_ONLY_ADMIN"])
        now[0] = 61.0
        answer = call(create, connection, first_name="B", last_name="C", email="b.c@example.com")

        assert "may only read" in answer
        assert acme.find_by_login("b.c@example.com") is None


def test_a_service_app_connection_reads_and_writes_by_its_granted_scopes(
    toolkit: OktaConnectedToolkit, acme: SandboxOrg
) -> None:
    app = acme.service_app
    connection = OktaConnection(org_url=ACME, auth=app.auth())
    reader = OktaConnection(org_url=ACME, auth=app.auth(), read_only=True)

    listed = call(tool_named(toolkit, "okta_list_users"), connection, limit=2)
    created = call(tool_named(toolkit, "okta_create_user"), connection, **NEW_USER)
    refused = call(
        tool_named(toolkit, "okta_create_user"),
        reader,
        first_name="B",
        last_name="C",
        email="b.c@example.com",
    )

    assert listed.startswith("{")
    assert created.startswith("{")
    assert "may only read" in refused
    api_calls = [r for r in acme.requests if r.path.startswith("/api/v1/users")]
    assert {r.principal for r in api_calls} == {app.client_id}
    assert acme.find_by_login("b.c@example.com") is None
