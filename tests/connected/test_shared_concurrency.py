"""The people of one org share its concurrent-request limit: `max_concurrency` bounds the
requests in flight to one org across all its people's clients, not each client alone.

Okta limits the requests one org answers at once (35 to 75, by org type) and answers any past
it with a 429 (`E0000047`, Limit 0). Three people each running `max_concurrency` calls at once
would reach three times the bound if each client kept it alone.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from connected_runs import acall, call, in_threads, tool_named
from loopback_okta import wait_until
from okta_people import ACME, GLOBEX, Person, people_of

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox import Fault, RateLimit, SandboxOrg

ORG_CONCURRENT = 4
CALLS_EACH = 4  # as many as each person's client alone would let through at once
SLOW_SECONDS = 0.05  # long enough that every call of a burst is in flight together
SLOW_HOLD_SECONDS = 2.0  # far longer than a call to another org takes


@pytest.fixture
def busy() -> SandboxOrg:
    return SandboxOrg(
        users=8,
        seed=5,
        token="busy-admin-token-Cc41",
        rate_limit=RateLimit(concurrent=ORG_CONCURRENT),
    )


@pytest.fixture
def busy_people(busy: SandboxOrg) -> list[Person]:
    return people_of(busy, ACME, "busy")


@pytest.fixture
def capped(busy: SandboxOrg, busy_people: list[Person]) -> Iterator[OktaConnectedToolkit]:
    with OktaConnectedToolkit(
        transports={ACME: busy.transport()}, max_concurrency=ORG_CONCURRENT
    ) as toolkit:
        reading = tool_named(toolkit, "okta_get_user")
        for person in busy_people:  # each person's client made and rights checked: warm
            call(reading, person.connection, user_id="me")
        busy.inject(Fault("latency", path="/api/v1/users/", seconds=SLOW_SECONDS, times=100))
        yield toolkit


def _concurrency_refusals(org: SandboxOrg) -> int:
    return sum(1 for request in org.requests if request.status == 429)


def test_async_runs_of_three_people_stay_within_the_orgs_concurrent_limit(
    capped: OktaConnectedToolkit, busy: SandboxOrg, busy_people: list[Person]
) -> None:
    reading = tool_named(capped, "okta_get_user")

    async def burst() -> list[str]:
        calls = [
            acall(reading, person.connection, user_id=person.user_id)
            for person in busy_people
            for _ in range(CALLS_EACH)
        ]
        return await asyncio.gather(*calls)

    answers = asyncio.run(burst())

    assert _concurrency_refusals(busy) == 0
    assert all(answer.startswith("{") for answer in answers)


def test_threads_of_three_people_stay_within_the_orgs_concurrent_limit(
    capped: OktaConnectedToolkit, busy: SandboxOrg, busy_people: list[Person]
) -> None:
    reading = tool_named(capped, "okta_get_user")
    answers: list[str] = []

    def run(person: Person) -> None:
        answers.append(call(reading, person.connection, user_id=person.user_id))

    in_threads([lambda p=person: run(p) for person in busy_people for _ in range(CALLS_EACH)])

    assert _concurrency_refusals(busy) == 0
    assert len(answers) == len(busy_people) * CALLS_EACH
    assert all(answer.startswith("{") for answer in answers)


def test_one_orgs_full_bound_does_not_hold_back_another_orgs_call(busy: SandboxOrg) -> None:
    other = SandboxOrg(users=8, seed=6, token="other-admin-token-Hh52")
    mine, theirs = people_of(busy, ACME, "busy")[0], people_of(other, GLOBEX, "other")[0]
    with OktaConnectedToolkit(
        transports={ACME: busy.transport(), GLOBEX: other.transport()}, max_concurrency=1
    ) as toolkit:
        reading = tool_named(toolkit, "okta_get_user")
        for person in (mine, theirs):
            call(reading, person.connection, user_id="me")
        busy.inject(Fault("latency", path="/api/v1/users/", seconds=SLOW_HOLD_SECONDS))
        holding = threading.Thread(
            target=call, args=(reading, mine.connection), kwargs={"user_id": mine.user_id}
        )
        holding.start()
        assert wait_until(lambda: busy.in_flight == 1)

        answer = call(reading, theirs.connection, user_id=theirs.user_id)

        still_holding = holding.is_alive()
        holding.join()
    assert answer.startswith("{")
    assert still_holding


def test_the_clients_of_one_org_share_one_bound_and_other_orgs_have_their_own(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    reading = tool_named(toolkit, "okta_get_user")
    for person in people:
        call(reading, person.connection, user_id="me")

    bounds: dict[str, set[int]] = {}
    for entry in toolkit.pool._entries.values():
        bounds.setdefault(entry.key.org_url, set()).add(id(entry.client._connections._turns))
    share = toolkit.pool.share(ACME)

    assert all(len(ids) == 1 for ids in bounds.values())
    assert len({next(iter(ids)) for ids in bounds.values()}) == 2
    assert share is not None
    assert id(share.in_flight) in bounds[ACME]
