"""Two orgs, three people each, many runs at once on threads and event loops: every request
carries the credential of the person whose run sent it, as the orgs themselves record."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from connected_runs import RunContext, acall, agent_for, call, in_threads, tool_messages, tool_named
from okta_people import Person

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox import Fault
from langchain_okta.sandbox.scripted_model import tool_call

QUESTION = {"messages": [("user", "who am I")]}
RUNS_PER_PERSON = 4  # two sync runs on threads, two async runs on event loops of their own


def _script(person: Person, run: int) -> list[Any]:
    # The query names the person and the run, so each request can be traced to its run.
    marker = f"{person.name}-{run}"
    return [
        tool_call("okta_list_users", {"query": marker}, f"list-{marker}"),
        tool_call("okta_get_user", {"user_id": "me"}, f"me-{marker}"),
    ]


def _runs(toolkit: OktaConnectedToolkit, people: list[Person], results: dict[str, Any]) -> list:
    targets = []
    for person in people:
        for run in range(RUNS_PER_PERSON):
            agent = agent_for(toolkit, _script(person, run))
            context = RunContext(person.connection)
            key = f"{person.name}-{run}"
            if run % 2 == 0:

                def sync_run(agent: Any = agent, context: Any = context, key: str = key) -> None:
                    results[key] = agent.invoke(
                        {"messages": [("user", "who am I")]}, context=context
                    )

                targets.append(sync_run)
            else:

                def async_run(agent: Any = agent, context: Any = context, key: str = key) -> None:
                    results[key] = asyncio.run(agent.ainvoke(QUESTION, context=context))

                targets.append(async_run)
    return targets


def test_every_request_carries_the_credential_of_the_person_whose_run_sent_it(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    results: dict[str, Any] = {}

    in_threads(_runs(toolkit, people, results))

    for person in people:
        for run in range(RUNS_PER_PERSON):
            marker = f"{person.name}-{run}"
            listing = [
                request
                for request in person.org.requests
                if any(marker in value for _, value in request.query)
            ]
            assert [request.principal for request in listing] == [person.user_id]
            me = tool_messages(results[marker]["messages"])[1]
            assert person.user_id in str(me.content)
    for org in {person.org for person in people}:
        senders = {request.principal for request in org.requests}
        assert senders == {person.user_id for person in people if person.org is org}


def test_each_person_has_one_pooled_client_shared_by_their_runs(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    in_threads(_runs(toolkit, people, {}))

    assert toolkit.pool.size == len(people)


def test_each_credential_is_checked_once_for_all_its_runs(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    in_threads(_runs(toolkit, people, {}))

    for person in people:
        checks = [
            request
            for request in person.org.requests
            if request.path.endswith("/roles") and request.principal == person.user_id
        ]
        assert len(checks) == 1


def test_runs_starting_while_a_slow_check_is_under_way_wait_for_it_rather_than_repeat_it(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    person = people[1]
    # The check's first request takes a while: every other run arrives during it.
    person.org.inject(Fault("latency", path="/api/v1/users/me", seconds=0.3))
    get = tool_named(toolkit, "okta_get_user")

    def sync_call() -> None:
        assert call(get, person.connection, user_id="me").startswith("{")

    def async_call() -> None:
        assert asyncio.run(acall(get, person.connection, user_id="me")).startswith("{")

    in_threads([sync_call, async_call] * 3)

    checks = [r for r in person.org.requests if r.path.endswith("/roles")]
    assert len(checks) == 1


def test_a_run_waiting_for_a_check_whose_run_was_cancelled_checks_anew(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    person = people[0]
    person.org.inject(Fault("latency", path="/api/v1/users/me", seconds=0.5))
    get = tool_named(toolkit, "okta_get_user")
    started = threading.Event()
    answers: list[str] = []

    async def cancelled_owner() -> None:
        task = asyncio.ensure_future(acall(get, person.connection, user_id="me"))
        await asyncio.sleep(0.1)  # the check's first request is under way
        started.set()
        await asyncio.sleep(0.1)  # the waiter is waiting
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def waiter() -> None:
        started.wait()
        answers.append(call(get, person.connection, user_id="me"))

    in_threads([lambda: asyncio.run(cancelled_owner()), waiter])

    assert answers[0].startswith("{")
