"""The shared bound under pressure from its edges: a turn taken past the bound (a sync call
on a running loop's thread) must not raise the bound for everyone after it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from loopback_okta import wait_until

from langchain_okta.connections import Connections
from langchain_okta.in_flight import InFlightLimit


def no_answer(request: httpx.Request) -> httpx.Response:
    raise AssertionError("these tests take turns and send nothing")


def connections_on(bound: InFlightLimit) -> Connections:
    return Connections(
        99,  # the shared bound, not this, holds them back
        new_sync=lambda: httpx.Client(transport=httpx.MockTransport(no_answer)),
        owns_sync=True,
        new_async=lambda _: httpx.AsyncClient(transport=httpx.MockTransport(no_answer)),
        async_transport=None,
        owns_async=True,
        in_flight=bound,
    )


@pytest.fixture
def bound() -> InFlightLimit:
    return InFlightLimit(1)


@pytest.fixture
def alice(bound: InFlightLimit) -> Iterator[Connections]:
    connections = connections_on(bound)
    yield connections
    connections.close()


@pytest.fixture
def bob(bound: InFlightLimit) -> Iterator[Connections]:
    connections = connections_on(bound)
    yield connections
    connections.close()


async def test_a_turn_taken_past_the_bound_ends_with_its_holder_not_with_a_waiter(
    bound: InFlightLimit, alice: Connections, bob: Connections
) -> None:
    await alice.aacquire()  # the loop's own request holds the only turn
    alice.acquire()  # a sync call on the loop's thread: a turn past the bound
    waiting = asyncio.create_task(bob.aacquire())
    await asyncio.to_thread(wait_until, lambda: bound.waiting == 1)

    alice.release()  # the sync call ends: the bound is back to one request in flight

    assert (bound.held, bound.waiting) == (1, 1)
    alice.release()
    await asyncio.wait_for(waiting, 1)
    bob.release()
    assert bound.held == 0
