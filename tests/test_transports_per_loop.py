"""A transport passed in, across event loops: a factory gives each loop its own, closed with
that loop; an instance with connections serves one loop at a time and refuses the others
clearly, rather than hanging them or breaking their calls when the first loop ends."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import threading
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from loopback_okta import LoopbackOkta, loopback_okta, settle, wait_until

from langchain_okta import OktaClient, OktaSettings, OktaToolkit, TransportInUseError
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


class CountedTransport(httpx.AsyncHTTPTransport):
    """httpx's own async transport, remembering every one made and whether it was closed."""

    made: ClassVar[list[CountedTransport]] = []

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        CountedTransport.made.append(self)

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()


@pytest.fixture
def okta() -> Iterator[LoopbackOkta]:
    with loopback_okta(delay=0.01) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_count() -> None:
    CountedTransport.made = []


def client_over(okta: LoopbackOkta, transport: Any) -> OktaClient:
    settings = OktaSettings(org_url=okta.url, api_token=okta.token)
    return OktaClient(settings, transport=transport)


class LoopThread:
    """An event loop running in a thread of its own, as a notebook or a server runs one."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever)
        self._thread.start()

    def submit(self, coroutine: Any) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def end(self) -> None:
        """Shut the loop down as asyncio.run does: async generators first, then close."""
        self.submit(self.loop.shutdown_asyncgens()).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


def test_a_transport_factory_gives_each_event_loop_a_transport_closed_with_it(
    okta: LoopbackOkta,
) -> None:
    client = client_over(okta, CountedTransport)

    asyncio.run(client.aget_user("00u1"))
    asyncio.run(client.aget_user("00u2"))

    assert len(CountedTransport.made) == 2
    assert [transport.closed for transport in CountedTransport.made] == [True, True]
    assert settle(lambda: okta.open_connections, 0) == 0
    client.close()


def test_a_loop_ending_mid_call_leaves_another_loops_call_unharmed_with_a_factory(
    okta: LoopbackOkta,
) -> None:
    okta.delay = 0.4
    client = client_over(okta, CountedTransport)
    other = LoopThread()
    try:
        in_flight = other.submit(client.aget_user("00u2"))
        assert wait_until(lambda: okta.in_flight == 1)

        async def cut_short() -> None:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.aget_user("00u1"), 0.1)

        asyncio.run(cut_short())  # this loop ends mid-call, and closes its transport

        assert in_flight.result(5).id == "00u2"
        assert CountedTransport.made[1].closed
        assert not CountedTransport.made[0].closed  # the other loop's, still in use
    finally:
        other.end()
        client.close()
    assert all(transport.closed for transport in CountedTransport.made)


def test_an_async_transport_instance_is_refused_in_a_second_live_loop_with_a_clear_message(
    okta: LoopbackOkta,
) -> None:
    okta.delay = 0.3
    client = client_over(okta, httpx.AsyncHTTPTransport())
    first = LoopThread()
    try:
        in_flight = first.submit(client.aget_user("00u1"))
        assert wait_until(lambda: okta.in_flight == 1)

        with pytest.raises(TransportInUseError, match="transport factory"):
            asyncio.run(client.aget_user("00u2"))

        assert in_flight.result(5).id == "00u1"
        assert okta.requests == 1
    finally:
        first.end()
        client.close()


def test_an_async_transport_instance_passes_to_the_next_loop_once_the_first_has_ended(
    okta: LoopbackOkta,
) -> None:
    transport = CountedTransport()
    client = client_over(okta, transport)

    asyncio.run(client.aget_user("00u1"))
    assert transport.closed  # its connections closed with the loop that opened them
    assert settle(lambda: okta.open_connections, 0) == 0
    assert asyncio.run(client.aget_user("00u2")).id == "00u2"

    client.close()


def test_an_async_transport_instance_passes_on_after_its_loop_ends_mid_call_in_another_thread(
    okta: LoopbackOkta,
) -> None:
    okta.delay = 0.4
    transport = CountedTransport()
    client = client_over(okta, transport)

    async def cut_short() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.aget_user("00u1"), 0.1)

    elsewhere = threading.Thread(target=lambda: asyncio.run(cut_short()))
    elsewhere.start()
    elsewhere.join()

    assert transport.closed  # with the loop that opened its connection, mid-call
    okta.delay = 0.01
    assert asyncio.run(client.aget_user("00u2")).id == "00u2"
    client.close()


def test_an_async_transport_instance_left_in_a_loop_closed_without_shutdown_is_refused(
    okta: LoopbackOkta,
) -> None:
    client = client_over(okta, httpx.AsyncHTTPTransport())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(client.aget_user("00u1"))
    loop.close()  # no shutdown_asyncgens(): the connection it opened stays in the transport

    with pytest.raises(TransportInUseError, match="shutdown_asyncgens"):
        asyncio.run(client.aget_user("00u2"))

    client.close()
    # That connection is out of everyone's reach now (which is the point): let it go quietly.
    del client, loop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_the_sandbox_transport_serves_several_event_loops_at_once() -> None:
    org = SandboxOrg(users=3)
    user_id = org.users[0]["id"]
    client = OktaClient(
        OktaSettings(org_url=IN_PROCESS_URL, api_token=org.token), transport=org.transport()
    )
    first = LoopThread()
    try:
        assert first.submit(client.aget_user(user_id)).result(5).id == user_id
        assert asyncio.run(client.aget_user(user_id)).id == user_id
    finally:
        first.end()
        client.close()


def test_the_toolkit_takes_a_transport_factory_for_its_async_calls(okta: LoopbackOkta) -> None:
    toolkit = OktaToolkit(okta.url, okta.token, check_admin=False, transport=CountedTransport)
    get_user = next(tool for tool in toolkit.get_tools() if tool.name == "okta_get_user")

    with toolkit:
        result = asyncio.run(get_user.ainvoke({"user_id": "00u1"}))

    assert '"00u1"' in result
    assert len(CountedTransport.made) == 1


def test_a_factory_that_makes_no_async_transport_is_refused(okta: LoopbackOkta) -> None:
    client = client_over(okta, lambda: "not a transport")

    with pytest.raises(TypeError, match="must return an httpx async transport"):
        asyncio.run(client.aget_user("00u1"))
    client.close()
