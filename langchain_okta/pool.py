"""`ClientPool`: one OktaClient per (org, credential), shared by that person's runs, bounded.

A deployed agent serves many people, each with their own credential. Building a client per
run would pay for a connection pool and the admin check on every run, and keeping every
client ever made would grow without end. The pool makes a client on a connection's first
use, hands it to every concurrent run of that connection, and closes it when it has been
idle for `idle_seconds` or when `max_clients` newer ones push it out (least recently used
first). Every client of one org shares one rate-limit tracker and one bound on requests in
flight (`OrgShare`), so the people of one org keep to Okta's per-org budget and concurrent
limit together rather than each spending all of it.

Nothing runs in the background: idle clients are closed by the next lease or release.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from langchain_okta.client import OktaClient
from langchain_okta.connection import ConnectionKey, OktaConnection
from langchain_okta.connection_errors import OktaReconnectError
from langchain_okta.connections import OktaClientClosedError, running_loop
from langchain_okta.errors import OktaAuthenticationError
from langchain_okta.in_flight import InFlightLimit
from langchain_okta.rate_limits import RateLimitTracker
from langchain_okta.rights import Rights, acheck_rights, check_rights, reconnect_error


class PoolLimits(BaseModel):
    """How many clients the pool keeps, and for how long it trusts what it learned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Each idle client holds its HTTP connection pools; see bench/ for their memory.
    max_clients: int = Field(default=100, ge=1, le=100_000)
    idle_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # How long a credential's admin check stands before it is run again.
    rights_seconds: float = Field(default=300.0, gt=0, le=86_400)


@dataclass(frozen=True, eq=False)
class OrgShare:
    """What every client of one org shares: Okta's limits are the org's, not a person's."""

    rate_limits: RateLimitTracker
    in_flight: InFlightLimit

    def __repr__(self) -> str:
        return f"OrgShare({self.in_flight!r})"


MakeClient = Callable[[OktaConnection, OrgShare], OktaClient]


@dataclass(eq=False)
class PooledClient:
    """A pooled client and what the pool knows about its credential."""

    key: ConnectionKey
    client: OktaClient
    last_used: float
    leases: int = 0
    rights: Rights | None = None
    checked_at: float = -math.inf
    # Out of the pool (evicted, refused, or the pool closed): closed once no run leases it.
    retired: bool = False
    # The admin check in progress, which runs arriving meanwhile wait for.
    checking: concurrent.futures.Future[Rights] | None = None
    # What the connected toolkit builds once per client (its tools), kept with it.
    extras: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"PooledClient({self.key!r}, leases={self.leases})"


class ClientPool:
    """Clients by connection, at most `limits.max_clients` of them, each closed when let go.

    `lease(connection)` (or `await alease(...)`) returns the connection's client, made on
    first use; every lease is followed by one `release()`. `forget()` takes a client whose
    credential Okta refused out of the pool. `close()` / `aclose()` close every client.

    Invariant, whenever `_lock` is free:
    - `_entries` holds the pool's live clients by key, least recently used first; none of
      them is `retired`, and each is open.
    - `len(_entries) <= max_clients`, except while the entries past the bound are all
      leased: a client in use is never closed under a run; the first release sheds them.
    - An entry out of `_entries` is `retired`; it has been closed, or is closed by whoever
      drops its last lease.
    - `_shares[org]` exists while some unretired or leased client of that org does
      (`_clients_of[org]` counts them), and every client of that org was made with it.
    - Once `_closed`, nothing enters `_entries` again.
    """

    def __init__(
        self,
        make_client: MakeClient,
        *,
        limits: PoolLimits | None = None,
        org_concurrency: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make_client = make_client
        self.limits = limits or PoolLimits()
        self._org_concurrency = org_concurrency
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[ConnectionKey, PooledClient] = OrderedDict()
        self._shares: dict[str, OrgShare] = {}
        self._clients_of: dict[str, int] = {}
        self._closed = False

    def __repr__(self) -> str:
        return f"ClientPool(clients={len(self._entries)}, limits={self.limits!r})"

    @property
    def size(self) -> int:
        """How many clients the pool holds."""
        with self._lock:
            return len(self._entries)

    def share(self, org_url: str) -> OrgShare | None:
        """What the clients of `org_url` share (its rate limits and its bound on requests in
        flight), while any of them is open."""
        with self._lock:
            return self._shares.get(org_url)

    # -- leases -----------------------------------------------------------------------------

    def lease(self, connection: OktaConnection) -> PooledClient:
        entry, dropped = self._take_lease(connection)
        if dropped:
            self._close_dropped(dropped, entry)
        if entry is not None:
            return entry
        made = self._new_client(connection)
        entry, dropped = self._add(connection.key, made)
        self._close_dropped(dropped, entry)
        return entry

    async def alease(self, connection: OktaConnection) -> PooledClient:
        entry, dropped = self._take_lease(connection)
        if dropped:  # most leases close nothing: no coroutine made for it
            await self._aclose_dropped(dropped, entry)
        if entry is not None:
            return entry
        # Making a client without a given transport loads the CA certificates (tens of
        # milliseconds): off the event loop, once per person. The thread runs on if this run
        # is cancelled meanwhile; the client it makes is then closed, never pooled.
        making = asyncio.ensure_future(asyncio.to_thread(self._new_client, connection))
        try:
            made = await asyncio.shield(making)
        except asyncio.CancelledError:
            making.add_done_callback(partial(self._discard, connection.org_url))
            raise
        entry, dropped = self._add(connection.key, made)
        await self._aclose_dropped(dropped, entry)
        return entry

    def release(self, entry: PooledClient) -> None:
        dropped = self._release(entry)
        if dropped:
            _close_all(dropped)

    async def arelease(self, entry: PooledClient) -> None:
        dropped = self._release(entry)
        if dropped:
            await self._aclose_dropped(dropped, None)

    def _discard(self, org: str, making: asyncio.Future[OktaClient]) -> None:
        """Close a client made for a run cancelled meanwhile; its org counts it no more."""
        if making.cancelled() or making.exception() is not None:
            return  # nothing was made, and _new_client counted nothing
        with self._lock:
            self._uncount(org)
        making.result().close()

    def _close_dropped(self, dropped: list[OktaClient], leased: PooledClient | None) -> None:
        """Close the clients a lease let go. A run interrupted meanwhile gives back the lease
        it was handed, which would otherwise keep that client from ever being closed."""
        try:
            _close_all(dropped)
        except BaseException:
            if leased is not None:
                self.release(leased)
            raise

    async def _aclose_dropped(self, dropped: list[OktaClient], leased: PooledClient | None) -> None:
        """Close the clients a lease or release let go. A run cancelled meanwhile closes the
        rest without waiting (closing twice is harmless) and gives back the lease it was
        handed, which would otherwise keep that client from ever being closed."""
        try:
            for client in dropped:
                await client.aclose()
        except BaseException:
            _close_all(dropped)
            if leased is not None:
                self.release(leased)
            raise

    def refused(
        self, entry: PooledClient, error: BaseException | None
    ) -> OktaReconnectError | None:
        """When `error` says Okta refused `entry`'s credential (a 401 that means so, or the
        reconnect error made of one), the error that asks the person to reconnect, and the
        client leaves the pool; None for any other error."""
        if isinstance(error, OktaReconnectError):
            refused: OktaReconnectError | None = error
        elif isinstance(error, OktaAuthenticationError):
            refused = reconnect_error(entry.key.org_url, error)
        else:
            refused = None
        if refused is not None:
            self.forget(entry)
        return refused

    def forget(self, entry: PooledClient) -> None:
        """Take a client out of the pool (Okta refused its credential); closed once unleased."""
        with self._lock:
            if self._entries.get(entry.key) is entry:
                del self._entries[entry.key]
                entry.retired = True

    # -- rights -----------------------------------------------------------------------------

    def rights(self, entry: PooledClient, connection: OktaConnection) -> Rights:
        """The credential's rights, checked with Okta when unknown or older than the bound.

        One check at a time per credential: runs arriving meanwhile wait for its answer,
        except a sync call on a thread whose event loop is running, which checks for itself:
        the check it would wait for may be that very loop's, which cannot run while it blocks.
        """
        known, pending, owner = self._rights_or_turn(entry)
        if known is not None:
            return known
        assert pending is not None
        if not owner:
            if running_loop() is not None:
                return check_rights(entry.client, connection)
            try:
                return pending.result()
            except concurrent.futures.CancelledError:  # its run was cancelled: check anew
                return self.rights(entry, connection)
        try:
            found = check_rights(entry.client, connection)
        except BaseException as exc:
            self._failed(entry, pending, exc)
            raise
        return self._kept(entry, pending, found)

    def known_rights(self, entry: PooledClient) -> Rights | None:
        """The credential's rights while they stand, else None (nothing is checked)."""
        with self._lock:
            if self._clock() - entry.checked_at < self.limits.rights_seconds:
                return entry.rights
            return None

    async def arights(self, entry: PooledClient, connection: OktaConnection) -> Rights:
        known, pending, owner = self._rights_or_turn(entry)
        if known is not None:
            return known
        assert pending is not None
        if not owner:
            try:
                # Shielded: a waiter cancelled would otherwise cancel the check it shares.
                return await asyncio.shield(asyncio.wrap_future(pending))
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this run itself was cancelled
                return await self.arights(entry, connection)
        try:
            found = await acheck_rights(entry.client, connection)
        except BaseException as exc:
            self._failed(entry, pending, exc)
            raise
        return self._kept(entry, pending, found)

    def _rights_or_turn(
        self, entry: PooledClient
    ) -> tuple[Rights | None, concurrent.futures.Future[Rights] | None, bool]:
        """Fresh rights; else the check in progress, and whether this caller is to run it."""
        with self._lock:
            if self._clock() - entry.checked_at < self.limits.rights_seconds:
                assert entry.rights is not None
                return entry.rights, None, False
            if entry.checking is not None:
                return None, entry.checking, False
            entry.checking = concurrent.futures.Future()
            return None, entry.checking, True

    def _kept(
        self, entry: PooledClient, pending: concurrent.futures.Future[Rights], rights: Rights
    ) -> Rights:
        with self._lock:
            entry.checking = None
            entry.rights, entry.checked_at = rights, self._clock()
        pending.set_result(rights)
        return rights

    def _failed(
        self, entry: PooledClient, pending: concurrent.futures.Future[Rights], error: BaseException
    ) -> None:
        with self._lock:
            entry.checking = None
        # Waiting runs fail as this one did; a cancelled check cancels their wait too.
        if isinstance(error, Exception):
            pending.set_exception(error)
        else:
            pending.cancel()

    # -- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close every client for good (runs still using one see it closed)."""
        _close_all(self._take_all())

    async def aclose(self) -> None:
        await self._aclose_dropped(self._take_all(), None)

    # -- under the lock ---------------------------------------------------------------------

    def _take_lease(
        self, connection: OktaConnection
    ) -> tuple[PooledClient | None, list[OktaClient]]:
        key = connection.key
        with self._lock:
            if self._closed:
                raise OktaClientClosedError()
            now = self._clock()
            # The least recently used client tells whether any is idle, without a walk.
            dropped = self._take_idle(now) if self._idle_at(now) else []
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                entry.leases += 1
                entry.last_used = now
            return entry, dropped

    def _new_client(self, connection: OktaConnection) -> OktaClient:
        org = connection.org_url
        with self._lock:
            if self._closed:
                raise OktaClientClosedError()
            share = self._shares.get(org)
            if share is None:
                concurrency = self._org_concurrency
                # With no window known yet, the tracker lets through as many as may be in
                # flight: the bound, not the tracker, holds a burst back.
                share = self._shares[org] = OrgShare(
                    RateLimitTracker(unknown_window_requests=concurrency),
                    InFlightLimit(concurrency),
                )
            # Counted now, so the share outlives a client made while the last other one of
            # the org is evicted.
            self._clients_of[org] = self._clients_of.get(org, 0) + 1
        try:
            return self._make_client(connection, share)
        except BaseException:
            with self._lock:
                self._uncount(org)
            raise

    def _add(self, key: ConnectionKey, client: OktaClient) -> tuple[PooledClient, list[OktaClient]]:
        with self._lock:
            existing = self._entries.get(key) if not self._closed else None
            if existing is None and not self._closed:
                entry = self._entries[key] = PooledClient(key, client, self._clock(), leases=1)
                return entry, self._take_over_bound()
            # Closed meanwhile, or another run made this connection's client first.
            self._uncount(key.org_url)
            if existing is not None:
                self._entries.move_to_end(key)
                existing.leases += 1
                existing.last_used = self._clock()
        client.close()
        if existing is None:
            raise OktaClientClosedError()
        return existing, []

    def _release(self, entry: PooledClient) -> list[OktaClient]:
        with self._lock:
            entry.leases -= 1
            now = entry.last_used = self._clock()
            if entry.retired:
                if entry.leases == 0:
                    self._uncount(entry.key.org_url)
                    return [entry.client]
                return []
            self._entries.move_to_end(entry.key)
            if len(self._entries) <= self.limits.max_clients and not self._idle_at(now):
                return []
            return self._take_over_bound() + self._take_idle(now)

    def _idle_at(self, now: float) -> bool:
        """Whether the least recently used client has been idle too long (under the lock)."""
        oldest = next(iter(self._entries.values()), None)
        return oldest is not None and now - oldest.last_used >= self.limits.idle_seconds

    def _take_idle(self, now: float) -> list[OktaClient]:
        idle = []
        for entry in self._entries.values():
            if now - entry.last_used < self.limits.idle_seconds:
                break  # least recently used first: the rest are younger
            if entry.leases == 0:
                idle.append(entry)
        return [self._retire(entry) for entry in idle]

    def _take_over_bound(self) -> list[OktaClient]:
        excess = len(self._entries) - self.limits.max_clients
        if excess <= 0:
            return []
        unused = [entry for entry in self._entries.values() if entry.leases == 0][:excess]
        return [self._retire(entry) for entry in unused]

    def _retire(self, entry: PooledClient) -> OktaClient:
        del self._entries[entry.key]
        entry.retired = True
        self._uncount(entry.key.org_url)
        return entry.client

    def _take_all(self) -> list[OktaClient]:
        with self._lock:
            self._closed = True
            taken = list(self._entries.values())
            self._entries.clear()
            for entry in taken:
                entry.retired = True
            # Leased ones are closed now too: the pool is going away, and their runs see a
            # closed client rather than a connection left open.
            self._shares.clear()
            self._clients_of.clear()
        return [entry.client for entry in taken]

    def _uncount(self, org: str) -> None:
        left = self._clients_of.get(org, 0) - 1
        if left > 0:
            self._clients_of[org] = left
        else:
            self._clients_of.pop(org, None)
            self._shares.pop(org, None)


def _close_all(clients: list[OktaClient]) -> None:
    """Close each; one whose close fails or is interrupted leaves none of the rest open."""
    for index, client in enumerate(clients):
        try:
            client.close()
        except BaseException:
            _close_all(clients[index + 1 :])
            raise
