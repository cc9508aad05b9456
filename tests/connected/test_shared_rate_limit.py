"""The people of one org share its rate limit: their clients keep to it together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from connected_runs import call, in_threads, tool_named
from okta_people import ACME, people_of

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox import RateLimit, SandboxOrg

LIST_LIMIT = 12  # per one-second window: 3 people x 2 threads x 5 listings need 3 windows
CALLS = 5


@pytest.fixture
def limited() -> SandboxOrg:
    return SandboxOrg(
        users=8,
        seed=3,
        token="limited-admin-token-Rt55",
        rate_limit=RateLimit(endpoints={"GET /api/v1/users": LIST_LIMIT}, window_seconds=1.0),
    )


@pytest.fixture
def shared(limited: SandboxOrg) -> Iterator[OktaConnectedToolkit]:
    with OktaConnectedToolkit(transports={ACME: limited.transport()}) as toolkit:
        yield toolkit


def test_people_of_one_org_draw_no_429_from_its_shared_limit(
    shared: OktaConnectedToolkit, limited: SandboxOrg
) -> None:
    people = people_of(limited, ACME, "acme")
    listing = tool_named(shared, "okta_list_users")
    answers: list[str] = []

    def run(connection: object) -> None:
        for _ in range(CALLS):
            answers.append(call(listing, connection, limit=2))  # type: ignore[arg-type]

    in_threads([lambda p=person: run(p.connection) for person in people for _ in range(2)])

    listings = [r for r in limited.requests if r.path == "/api/v1/users"]
    assert len(listings) == len(people) * 2 * CALLS > 2 * LIST_LIMIT
    assert [r.status for r in listings].count(429) == 0
    assert all(answer.startswith("{") for answer in answers)
    assert {r.principal for r in listings} == {person.user_id for person in people}


def test_the_clients_of_one_org_share_one_tracker_and_other_orgs_have_their_own(
    toolkit: OktaConnectedToolkit, people: list
) -> None:
    listing = tool_named(toolkit, "okta_list_users")
    for person in people:
        call(listing, person.connection, limit=1)

    entries = list(toolkit.pool._entries.values())
    trackers = {entry.key.org_url: set() for entry in entries}
    for entry in entries:
        trackers[entry.key.org_url].add(id(entry.client._context.rate_limits))
    assert all(len(ids) == 1 for ids in trackers.values())
    assert len({next(iter(ids)) for ids in trackers.values()}) == 2
