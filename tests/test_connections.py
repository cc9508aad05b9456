"""Connections: turns on one bound, handed over in order, never lost, never waited for where
waiting would block the loop that holds them."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from loopback_okta import wait_until

from langchain_okta.connections import Connections, OktaClientClosedError


def no_answer(request: httpx.Request) -> httpx.Response:
    raise AssertionError("these tests take turns and send nothing")


@pytest.fixture
def connections() -> Iterator[Connections]:
    turns = Connections(
        1,
        new_sync=lambda: httpx.Client(transport=httpx.MockTransport(no_answer)),
        owns_sync=True,
        new_async=lambda _: httpx.AsyncClient(transport=httpx.MockTransport(no_answer)),
        async_transport=None,
        owns_async=True,
    )
    yield turns
    turns.close()


def wait_for_waiters(connections: Connections, count: int) -> None:
    assert wait_until(lambda: connections.waiting == count)


async def await_waiters(connections: Connections, count: int) -> None:
    await asyncio.to_thread(wait_for_waiters, connections, count)


def returns_within(seconds: float, acquire: object, fallback: Connections) -> float:
    """How long `acquire()` took; if it is still waiting after `seconds`, a turn is freed
    for it so the test fails instead of hanging."""
    rescue = threading.Timer(seconds, fallback.release)
    rescue.start()
    started = time.monotonic()
    try:
        acquire()  # type: ignore[operator]
    finally:
        rescue.cancel()
    return time.monotonic() - started


async def test_a_waiter_gets_the_turn_as_soon_as_it_is_released(
    connections: Connections,
) -> None:
    await connections.aacquire()
    waiting = asyncio.create_task(connections.aacquire())
    await await_waiters(connections, 1)
    assert not waiting.done()

    connections.release()

    await asyncio.wait_for(waiting, 1)


async def test_a_turn_handed_to_a_waiter_cancelled_meanwhile_passes_on(
    connections: Connections,
) -> None:
    await connections.aacquire()
    cancelled = asyncio.create_task(connections.aacquire())
    await await_waiters(connections, 1)

    connections.release()  # hands the turn to `cancelled`, which has not run yet
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)

    await asyncio.wait_for(connections.aacquire(), 1)


async def test_a_waiter_cancelled_before_its_turn_leaves_the_queue(
    connections: Connections,
) -> None:
    await connections.aacquire()
    cancelled = asyncio.create_task(connections.aacquire())
    await await_waiters(connections, 1)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)

    connections.release()

    await asyncio.wait_for(connections.aacquire(), 1)


def test_turns_go_in_arrival_order_across_threads_and_loops(connections: Connections) -> None:
    connections.acquire()
    order: list[str] = []

    def sync_waiter(name: str) -> None:
        connections.acquire()
        order.append(name)
        connections.release()

    def loop_waiter(name: str) -> None:
        async def wait() -> None:
            await connections.aacquire()
            order.append(name)
            connections.release()

        asyncio.run(wait())

    threads = [
        threading.Thread(target=target, args=(name,))
        for target, name in [
            (sync_waiter, "thread 1"),
            (loop_waiter, "loop 1"),
            (sync_waiter, "thread 2"),
            (loop_waiter, "loop 2"),
        ]
    ]
    for queued, thread in enumerate(threads, start=1):
        thread.start()
        wait_for_waiters(connections, queued)  # so each queues before the next starts
    connections.release()
    for thread in threads:
        thread.join(5)

    assert order == ["thread 1", "loop 1", "thread 2", "loop 2"]


async def test_a_sync_call_on_a_running_loops_thread_does_not_wait_for_that_loops_turn(
    connections: Connections,
) -> None:
    await connections.aacquire()  # the loop's own request holds the only turn

    waited = returns_within(2.0, connections.acquire, connections)

    assert waited < 1.0
    connections.release()
    connections.release()


def test_a_waiter_whose_loop_closed_does_not_keep_the_turn(connections: Connections) -> None:
    connections.acquire()
    loop = asyncio.new_event_loop()
    stranded = loop.create_task(connections.aacquire())
    # Runs the loop until the task waits for the turn; then the loop stops for good.
    loop.run_until_complete(asyncio.to_thread(wait_for_waiters, connections, 1))
    assert not stranded.done()
    loop.close()

    connections.release()

    assert returns_within(2.0, connections.acquire, connections) < 1.0
    connections.release()


def test_closing_wakes_the_waiters_with_client_closed(connections: Connections) -> None:
    connections.acquire()
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            connections.acquire()
        except OktaClientClosedError as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    wait_for_waiters(connections, 1)

    connections.close()
    waiter.join(2)

    assert [type(exc) for exc in outcome] == [OktaClientClosedError]
