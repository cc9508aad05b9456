"""The pool's seams under pressure: runs of one person sharing one admin check (one of them
cancelled, or a sync call on the thread of the loop running it), a run interrupted while it
closes what it let go, a client forgotten or a pool closed while runs hold or wait for the
org's one bound, and the org's rate-limit slots of a run dismissed from that bound."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from email.utils import formatdate
from functools import partial
from typing import Any

import httpx
import pytest
from loopback_okta import wait_until
from okta_responses import okta_error
from pooled_clients import ORG, connection_of, quiet_client

from langchain_okta import pool as pool_module
from langchain_okta.client import OktaClient
from langchain_okta.connection import OktaConnection
from langchain_okta.connections import OktaClientClosedError
from langchain_okta.errors import OktaError
from langchain_okta.pool import ClientPool, OrgShare, PooledClient, PoolLimits
from langchain_okta.rights import Rights

ANN = Rights(who="ann@acme.test", can_write=True)


class GatedCheck:
    """An admin check that answers only when the test says so."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.answer = asyncio.Event()
        self.runs = 0

    async def __call__(self, client: OktaClient, connection: OktaConnection) -> Rights:
        self.runs += 1
        self.started.set()
        await self.answer.wait()
        return ANN


@pytest.fixture
def check(monkeypatch: pytest.MonkeyPatch) -> GatedCheck:
    gated = GatedCheck()
    monkeypatch.setattr(pool_module, "acheck_rights", gated)
    return gated


@pytest.fixture
async def leased() -> AsyncIterator[tuple[ClientPool, PooledClient]]:
    pool = ClientPool(quiet_client)
    entry = await pool.alease(connection_of())
    yield pool, entry
    await pool.arelease(entry)
    await pool.aclose()


async def _started_waiting(task: asyncio.Task[Rights]) -> None:
    # Two passes of the loop: the task starts, reaches its wait, and suspends there.
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not task.done()


async def test_a_run_cancelled_while_waiting_for_anothers_admin_check_leaves_that_check_standing(
    check: GatedCheck, leased: tuple[ClientPool, PooledClient]
) -> None:
    pool, entry = leased
    checking = asyncio.create_task(pool.arights(entry, connection_of()))
    await check.started.wait()
    waiting = asyncio.create_task(pool.arights(entry, connection_of()))
    await _started_waiting(waiting)

    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    check.answer.set()

    assert await checking == ANN
    assert check.runs == 1


async def test_a_run_waiting_for_a_check_whose_waiter_was_cancelled_gets_its_answer(
    check: GatedCheck, leased: tuple[ClientPool, PooledClient]
) -> None:
    pool, entry = leased
    checking = asyncio.create_task(pool.arights(entry, connection_of()))
    await check.started.wait()
    cancelled = asyncio.create_task(pool.arights(entry, connection_of()))
    patient = asyncio.create_task(pool.arights(entry, connection_of()))
    await _started_waiting(patient)

    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)
    check.answer.set()

    assert await patient == ANN
    await asyncio.gather(checking, return_exceptions=True)
    assert check.runs == 1


async def test_a_sync_call_on_the_loop_running_the_admin_check_does_not_wait_for_it(
    check: GatedCheck, leased: tuple[ClientPool, PooledClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    own_check = Rights(who="ann@acme.test (checked by the sync call)", can_write=True)
    monkeypatch.setattr(pool_module, "check_rights", lambda client, connection: own_check)
    pool, entry = leased
    checking = asyncio.create_task(pool.arights(entry, connection_of()))
    await check.started.wait()
    pending = entry.checking
    assert pending is not None
    # The check cannot end while this thread blocks its loop: if the sync call waits for it,
    # it is answered by this instead, and the test fails rather than hangs.
    rescue = threading.Timer(5.0, pending.set_result, args=(ANN,))
    rescue.start()
    try:
        found = pool.rights(entry, connection_of())  # e.g. a sync tool invoked inside the loop
    finally:
        rescue.cancel()

    assert found == own_check
    check.answer.set()
    assert await checking == ANN


class InterruptedClose:
    """A pooled client whose close is interrupted (Ctrl-C while it waits for another event
    loop to close its connections), once, after its own connections are closed."""

    def __init__(self, inner: OktaClient, *, interrupt: bool) -> None:
        self.inner = inner
        self.interrupt = interrupt

    @property
    def closed(self) -> bool:
        return self.inner.closed

    def close(self) -> None:
        self.inner.close()
        if self.interrupt:
            self.interrupt = False
            raise KeyboardInterrupt

    async def aclose(self) -> None:
        self.close()


def test_a_lease_interrupted_while_closing_what_it_pushed_out_gives_its_lease_back() -> None:
    made: list[Any] = []

    def make(connection: OktaConnection, share: OrgShare) -> Any:
        made.append(InterruptedClose(quiet_client(connection, share), interrupt=not made))
        return made[-1]

    pool = ClientPool(make, limits=PoolLimits(max_clients=1))
    pool.release(pool.lease(connection_of("alice-token-1")))
    bob = connection_of("bob-token-2")

    with pytest.raises(KeyboardInterrupt):
        pool.lease(bob)  # Bob's client pushes Alice's out; closing it is interrupted

    entry = pool.lease(bob)
    assert entry.leases == 1  # the interrupted run's lease was given back
    pool.release(entry)
    pool.close()
    assert all(client.closed for client in made)


def test_an_interrupt_while_closing_one_client_still_closes_the_others() -> None:
    made: list[Any] = []

    def make(connection: OktaConnection, share: OrgShare) -> Any:
        made.append(InterruptedClose(quiet_client(connection, share), interrupt=not made))
        return made[-1]

    pool = ClientPool(make)
    for token in ("alice-token-1", "bob-token-2", "carol-token-3"):
        pool.release(pool.lease(connection_of(token)))

    with pytest.raises(KeyboardInterrupt):
        pool.close()  # the first client's close is interrupted

    assert [client.closed for client in made] == [True, True, True]


async def test_a_forgotten_client_still_in_use_keeps_its_orgs_bound_for_the_new_client() -> None:
    pool = ClientPool(quiet_client, org_concurrency=1)
    refused = await pool.alease(connection_of())
    share = pool.share(ORG)
    await refused.client._connections.aacquire()  # its run's request is still in flight
    pool.forget(refused)  # Okta refused the credential; the person reconnects at once

    renewed = await pool.alease(connection_of())

    assert renewed is not refused
    assert pool.share(ORG) is share  # one bound for the org, not a second one beside it
    waiting = asyncio.create_task(renewed.client._connections.aacquire())
    await asyncio.to_thread(wait_until, lambda: share is not None and share.in_flight.waiting == 1)
    refused.client._connections.release()
    await asyncio.wait_for(waiting, 1)
    renewed.client._connections.release()
    await pool.arelease(refused)
    await pool.arelease(renewed)
    await pool.aclose()


async def test_closing_the_pool_while_a_run_waits_for_its_orgs_bound_leaves_no_turn_held() -> None:
    pool = ClientPool(quiet_client, org_concurrency=1)
    alice = await pool.alease(connection_of("alice-token-1"))
    bob = await pool.alease(connection_of("bob-token-2"))
    share = pool.share(ORG)
    assert share is not None
    await alice.client._connections.aacquire()
    waiting = asyncio.create_task(bob.client._connections.aacquire())
    await asyncio.to_thread(wait_until, lambda: share.in_flight.waiting == 1)

    await pool.aclose()
    alice.client._connections.release()  # her request ends after the close

    with pytest.raises(OktaClientClosedError):
        await waiting
    assert (share.in_flight.held, share.in_flight.waiting) == (0, 0)
    await pool.arelease(alice)
    await pool.arelease(bob)


async def test_a_run_dismissed_from_the_orgs_bound_gives_back_its_rate_limit_slot() -> None:
    answer, answering = asyncio.Event(), asyncio.Event()
    answer.set()
    now = time.time()
    window = {
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "599",
        "X-Rate-Limit-Reset": str(int(now) + 60),
        "Date": formatdate(now, usegmt=True),
    }

    async def okta(request: httpx.Request) -> httpx.Response:
        answering.set()
        await answer.wait()
        return okta_error(404, "E0000007", "Not found: Resource not found: x (User)", **window)

    pool = ClientPool(partial(quiet_client, answer=okta), org_concurrency=1)
    alice = await pool.alease(connection_of("alice-token-1"))
    bob = await pool.alease(connection_of("bob-token-2"))
    share = pool.share(ORG)
    assert share is not None
    with pytest.raises(OktaError):
        await alice.client.aget_user("00u1")  # the org's window is known from here on
    answer.clear()
    answering.clear()
    alices = asyncio.create_task(alice.client.aget_user("00u2"))
    await answering.wait()  # her request holds the org's only turn
    bobs = asyncio.create_task(bob.client.aget_user("00u3"))
    await asyncio.to_thread(wait_until, lambda: share.in_flight.waiting == 1)

    pool.forget(bob)  # Okta refused Bob's credential meanwhile: his client closes
    await pool.arelease(bob)

    with pytest.raises(OktaClientClosedError):
        await bobs
    seen = share.rate_limits.window("GET /api/v1/users/{id}", time.monotonic())
    assert seen is not None
    assert seen.spare == 599 - 1  # Alice's request alone is in flight
    answer.set()
    with pytest.raises(OktaError):
        await alices
    await pool.arelease(alice)
    await pool.aclose()


async def test_a_sync_call_on_a_running_loops_thread_does_not_wait_for_rate_limit_slots_it_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer, answering = asyncio.Event(), asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        answering.set()
        await answer.wait()
        return okta_error(404, "E0000007", "Not found: Resource not found: x (User)")

    def quick(request: httpx.Request) -> httpx.Response:
        return okta_error(404, "E0000007", "Not found: Resource not found: x (User)")

    def make(connection: OktaConnection, share: OrgShare) -> OktaClient:
        return OktaClient(
            connection.settings(),
            transport=httpx.MockTransport(quick),
            async_transport=httpx.MockTransport(slow),
            rate_limits=share.rate_limits,
            in_flight=share.in_flight,
        )

    pool = ClientPool(make, org_concurrency=1)
    alice = await pool.alease(connection_of("alice-token-1"))
    bob = await pool.alease(connection_of("bob-token-2"))
    # This loop's own request holds the endpoint's only slot while Okta has reported no
    # window yet: it cannot answer while the loop's thread sleeps.
    alices = asyncio.create_task(alice.client.aget_user("00u1"))
    await answering.wait()

    def slept(seconds: float) -> None:
        raise AssertionError(f"the loop's thread slept {seconds} s for its own loop's slots")

    monkeypatch.setattr(time, "sleep", slept)
    with pytest.raises(OktaError, match="Not found"):
        bob.client.get_user("00u2")  # e.g. a sync tool invoked inside the loop: sent at once
    monkeypatch.undo()

    answer.set()
    with pytest.raises(OktaError):
        await alices
    await pool.arelease(alice)
    await pool.arelease(bob)
    await pool.aclose()
