"""A run cancelled inside the pool (the person pressed stop, the server dropped the request)
loses nothing: no client is left open outside the pool, and no lease is left held, which would
keep its client from ever being closed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from pooled_clients import ORG, connection_of, quiet_client

from langchain_okta.client import OktaClient
from langchain_okta.connection import OktaConnection
from langchain_okta.pool import ClientPool, OrgShare, PoolLimits


class SlowToClose:
    """A pooled client whose async close takes a while (its loop's connections closing)."""

    def __init__(self, inner: OktaClient, *, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.closing = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self.inner.closed

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        self.closing.set()
        await asyncio.sleep(self.seconds)
        await self.inner.aclose()


async def test_a_lease_cancelled_while_its_client_is_made_leaves_no_client_open() -> None:
    entered, go_on = threading.Event(), threading.Event()
    made: list[OktaClient] = []

    def make(connection: OktaConnection, share: OrgShare) -> OktaClient:
        entered.set()
        go_on.wait(5)
        made.append(quiet_client(connection, share))
        return made[-1]

    pool = ClientPool(make)
    leasing = asyncio.create_task(pool.alease(connection_of("alice-token-1")))
    await asyncio.to_thread(entered.wait, 5)

    leasing.cancel()
    go_on.set()
    await asyncio.gather(leasing, return_exceptions=True)
    await _until(lambda: bool(made) and made[0].closed)

    assert leasing.cancelled()
    assert pool.size == 0
    assert pool.share(ORG) is None  # nothing of the org is kept for a client never pooled
    await pool.aclose()


async def test_a_lease_cancelled_while_closing_what_it_pushed_out_gives_its_lease_back() -> None:
    made: list[Any] = []

    def make(connection: OktaConnection, share: OrgShare) -> Any:
        # Only the first person's client is slow to close: it is the one let go.
        made.append(SlowToClose(quiet_client(connection, share), seconds=0 if made else 60))
        return made[-1]

    pool = ClientPool(make, limits=PoolLimits(max_clients=1))
    first = await pool.alease(connection_of("alice-token-1"))
    await pool.arelease(first)
    second = connection_of("bob-token-2")
    # Bob's client pushes Alice's out; closing it is slow, and Bob's run is cancelled meanwhile.
    leasing = asyncio.create_task(pool.alease(second))
    await asyncio.wait_for(made[0].closing.wait(), 5)

    leasing.cancel()
    await asyncio.gather(leasing, return_exceptions=True)

    assert leasing.cancelled()
    assert made[0].closed  # closed all the same, without waiting
    bob = await pool.alease(second)
    assert bob.leases == 1  # the cancelled run's lease was given back
    await pool.arelease(bob)
    await pool.aclose()


async def test_a_release_cancelled_while_closing_what_it_let_go_still_closes_it() -> None:
    made: list[Any] = []

    def make(connection: OktaConnection, share: OrgShare) -> Any:
        # Only the first person's client is slow to close: it is the one let go.
        made.append(SlowToClose(quiet_client(connection, share), seconds=0 if made else 60))
        return made[-1]

    pool = ClientPool(make, limits=PoolLimits(max_clients=1))
    alice = await pool.alease(connection_of("alice-token-1"))
    bob = await pool.alease(connection_of("bob-token-2"))  # over the bound while Alice's is used
    releasing = asyncio.create_task(pool.arelease(alice))
    await asyncio.wait_for(made[0].closing.wait(), 5)

    releasing.cancel()
    await asyncio.gather(releasing, return_exceptions=True)

    assert made[0].closed
    await pool.arelease(bob)
    await pool.aclose()


async def _until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")
