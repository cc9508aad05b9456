"""One bound on requests in flight, shared by the clients of one org: a turn any of them
releases goes to the first caller waiting in any of them, and a client that closes takes
only its own callers out of the queue."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest
from loopback_okta import wait_until

from langchain_okta.connections import Connections, OktaClientClosedError
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


def test_a_turn_held_by_one_client_holds_back_another_client_of_the_bound(
    bound: InFlightLimit, alice: Connections, bob: Connections
) -> None:
    alice.acquire()
    waiting = threading.Thread(target=bob.acquire)
    waiting.start()
    assert wait_until(lambda: bound.waiting == 1)
    assert waiting.is_alive()

    alice.release()

    waiting.join(1)
    assert not waiting.is_alive()
    assert bound.held == 1


def test_a_client_that_closes_wakes_only_its_own_waiters(
    bound: InFlightLimit, alice: Connections, bob: Connections
) -> None:
    alice.acquire()
    outcomes: dict[str, str] = {}

    def wait_in(name: str, connections: Connections) -> None:
        try:
            connections.acquire()
            outcomes[name] = "turn"
        except OktaClientClosedError:
            outcomes[name] = "closed"

    threads = [
        threading.Thread(target=wait_in, args=("bob", bob)),
        threading.Thread(target=wait_in, args=("alice", alice)),
    ]
    threads[0].start()
    assert wait_until(lambda: bound.waiting == 1)
    threads[1].start()
    assert wait_until(lambda: bound.waiting == 2)

    bob.close()
    threads[0].join(1)
    assert outcomes == {"bob": "closed"}
    alice.release()
    threads[1].join(1)

    assert outcomes == {"bob": "closed", "alice": "turn"}


def test_a_closed_client_never_takes_a_turn_from_the_others(
    bound: InFlightLimit, alice: Connections, bob: Connections
) -> None:
    bob.close()

    with pytest.raises(OktaClientClosedError):
        bob.acquire()

    assert bound.held == 0
    alice.acquire()
    assert bound.held == 1


async def test_a_task_waiting_in_one_client_gets_the_turn_another_client_releases(
    bound: InFlightLimit, alice: Connections, bob: Connections
) -> None:
    await alice.aacquire()
    waiting = asyncio.create_task(bob.aacquire())
    await asyncio.to_thread(wait_until, lambda: bound.waiting == 1)
    assert not waiting.done()

    alice.release()

    await asyncio.wait_for(waiting, 1)
    bob.release()
    assert bound.held == 0


# A sync call on a running loop's thread takes a turn past the bound (it cannot wait for the
# loop's own turns): the bound must not stay raised for everyone after it.
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


def test_an_in_flight_limit_allows_at_least_one_request() -> None:
    with pytest.raises(ValueError, match="at least one"):
        InFlightLimit(0)
