"""One client across threads and event loops: one bound on requests in flight, connections
that close with their loop, and a close that is final, from wherever it is called."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from loopback_okta import LoopbackOkta, loopback_okta, open_fds, settle, wait_until

from langchain_okta import OktaClient, OktaClientClosedError, OktaSettings, OktaToolkit

counts_fds = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts open file descriptors in /proc"
)


@pytest.fixture
def okta() -> Iterator[LoopbackOkta]:
    with loopback_okta(delay=0.01) as server:
        yield server


def new_client(okta: LoopbackOkta, *, max_concurrency: int = 10) -> OktaClient:
    settings = OktaSettings(org_url=okta.url, api_token=okta.token, max_concurrency=max_concurrency)
    return OktaClient(settings)


def get_user_tool(toolkit: OktaToolkit) -> Any:
    return next(tool for tool in toolkit.get_tools() if tool.name == "okta_get_user")


def get_call(n: int) -> dict[str, Any]:
    return {
        "type": "tool_call",
        "id": f"c{n}",
        "name": "okta_get_user",
        "args": {"user_id": "00u1"},
    }


def in_threads(*targets: Any) -> None:
    """Run each target on its own thread at once; re-raise the first failure."""
    failures: list[BaseException] = []

    def run(target: Any) -> None:
        try:
            target()
        except BaseException as exc:  # handed to the test below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def errors_in(messages: list[ToolMessage]) -> list[str]:
    return [str(message.content) for message in messages if message.status == "error"]


# -- one bound --------------------------------------------------------------------------------


def test_threads_each_running_their_own_loop_share_the_client_within_its_bound(
    okta: LoopbackOkta,
) -> None:
    toolkit = OktaToolkit(okta.url, okta.token, check_admin=False, max_concurrency=4)
    tool = get_user_tool(toolkit)
    results: list[ToolMessage] = []

    async def many_at_once() -> None:
        results.extend(await asyncio.gather(*(tool.ainvoke(get_call(n)) for n in range(40))))

    try:
        in_threads(*[lambda: asyncio.run(many_at_once())] * 3)
    finally:
        toolkit.client.close()

    assert len(results) == 120
    assert errors_in(results) == []
    assert okta.peak_in_flight == 4


def test_sync_threads_and_event_loops_together_stay_within_one_bound(
    okta: LoopbackOkta,
) -> None:
    toolkit = OktaToolkit(okta.url, okta.token, check_admin=False, max_concurrency=3)
    tool = get_user_tool(toolkit)
    results: list[ToolMessage] = []

    def one_after_another() -> None:
        results.extend(tool.invoke(get_call(n)) for n in range(15))

    async def many_at_once() -> None:
        results.extend(await asyncio.gather(*(tool.ainvoke(get_call(n)) for n in range(30))))

    try:
        in_threads(
            *[one_after_another] * 4,
            *[lambda: asyncio.run(many_at_once())] * 2,
        )
    finally:
        toolkit.client.close()

    assert len(results) == 120
    assert errors_in(results) == []
    assert okta.peak_in_flight == 3


# -- connections close with their loop ---------------------------------------------------------


@counts_fds
def test_many_asyncio_runs_leave_no_connection_open(okta: LoopbackOkta) -> None:
    client = new_client(okta)
    baseline = open_fds()

    for _ in range(20):
        asyncio.run(client.aget_user("00u1"))
        assert settle(lambda: okta.open_connections, 0) == 0

    assert settle(open_fds, baseline) == baseline
    assert okta.requests == 20
    client.close()


@counts_fds
def test_aclose_from_a_later_event_loop_closes_the_client(okta: LoopbackOkta) -> None:
    client = new_client(okta)
    baseline = open_fds()
    asyncio.run(client.aget_user("00u1"))
    asyncio.run(client.aget_user("00u1"))

    asyncio.run(client.aclose())

    assert client.closed
    assert settle(open_fds, baseline) == baseline
    with pytest.raises(OktaClientClosedError):
        asyncio.run(client.aget_user("00u1"))


@counts_fds
def test_close_from_another_thread_closes_a_running_loops_connections(
    okta: LoopbackOkta,
) -> None:
    client = new_client(okta)
    baseline = open_fds()
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever)
    runner.start()
    try:
        asyncio.run_coroutine_threadsafe(client.aget_user("00u1"), loop).result(5)
        assert okta.open_connections == 1

        client.close()

        assert settle(lambda: okta.open_connections, 0) == 0
        assert loop.is_running()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join()
        loop.close()
    assert settle(open_fds, baseline) == baseline


def test_close_inside_a_running_loop_closes_its_connections_as_the_loop_runs_on(
    okta: LoopbackOkta,
) -> None:
    client = new_client(okta)

    async def get_close_and_go_on() -> int:
        await client.aget_user("00u1")
        client.close()
        await asyncio.sleep(0.05)
        return await asyncio.to_thread(settle, lambda: okta.open_connections, 0)

    assert asyncio.run(get_close_and_go_on()) == 0


def test_close_from_an_idle_loops_thread_closes_that_loops_connections(
    okta: LoopbackOkta,
) -> None:
    client = new_client(okta)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.aget_user("00u1"))
        assert okta.open_connections == 1

        client.close()

        assert settle(lambda: okta.open_connections, 0) == 0
    finally:
        loop.close()


# -- close is final ---------------------------------------------------------------------------


def test_a_call_after_close_raises_client_closed_instead_of_reopening(okta: LoopbackOkta) -> None:
    client = new_client(okta)
    client.get_user("00u1")
    client.close()

    with pytest.raises(OktaClientClosedError, match="closed"):
        client.get_user("00u1")

    assert okta.requests == 1


async def test_an_async_call_after_aclose_raises_client_closed(okta: LoopbackOkta) -> None:
    client = new_client(okta)
    await client.aget_user("00u1")
    await client.aclose()

    with pytest.raises(OktaClientClosedError, match="closed"):
        await client.aget_user("00u1")

    assert okta.requests == 1


async def test_calls_waiting_for_a_turn_fail_as_closed_when_the_client_closes(
    okta: LoopbackOkta,
) -> None:
    okta.delay = 0.3
    client = new_client(okta, max_concurrency=1)
    calls = [asyncio.create_task(client.aget_user("00u1")) for _ in range(3)]
    # The first is in flight, the others wait for its turn.
    assert await asyncio.to_thread(wait_until, lambda: okta.requests == 1)

    await client.aclose()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    assert [type(outcome) for outcome in outcomes[1:]] == [OktaClientClosedError] * 2
    assert okta.requests == 1


def test_closing_twice_is_harmless(okta: LoopbackOkta) -> None:
    client = new_client(okta)
    client.get_user("00u1")

    client.close()
    client.close()
    asyncio.run(client.aclose())

    assert client.closed
