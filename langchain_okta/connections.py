"""What an OktaClient's calls share besides Okta's state: its HTTP clients and one bound.

An `httpx.AsyncClient`'s connections belong to the event loop that opened them, and a client
may be called from several threads and several event loops at once (agents run sync tools on
worker threads; notebooks and servers run loops of their own). `Connections` keeps one async
client per loop, closes each when its loop shuts down, bounds the requests in flight across
all of them together, and closes everything, once and for good, from any thread or loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import threading
from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from langchain_okta.in_flight import InFlightLimit

# How long a close waits for an event loop running in another thread to close its connections;
# if that loop is busy for longer, it closes them when it gets to it.
_CLOSE_WAIT_SECONDS = 5.0

_CLOSED_MESSAGE = (
    "this Okta client is closed; create a new OktaClient or OktaToolkit to send requests"
)


class OktaClientClosedError(RuntimeError):
    """The client (or the toolkit that made it) was closed: it sends no more requests."""

    # The message is an argument so that unpickling, which passes `args` back, rebuilds it.
    def __init__(self, message: str = _CLOSED_MESSAGE) -> None:
        super().__init__(message)


_Closer = Callable[[], Coroutine[Any, Any, None]]

AsyncTransportFactory = Callable[[], httpx.AsyncBaseTransport]
"""Makes the async transport for one event loop, e.g. `httpx_aiohttp.AiohttpTransport` (the
class itself) or `lambda: httpx.AsyncHTTPTransport(retries=1)`."""


_LEFT_OPEN = (
    "the event loop that used the async transport passed to this Okta client was closed "
    "without `loop.shutdown_asyncgens()` (which asyncio.run and asyncio.Runner call), so the "
    "connections it opened are still in the transport and no other loop can use them; pass a "
    "transport factory instead (the transport's class, or a function that makes one): each "
    "event loop then gets a transport of its own, closed with that loop"
)


class TransportInUseError(RuntimeError):
    """An async transport instance passed in is serving another event loop: nothing was sent."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "the async transport passed to this Okta client is in use by another event loop, "
            "and a transport's connections belong to the loop that opened them; pass a "
            "transport factory instead (the transport's class, or a function that makes one, "
            "e.g. transport=AiohttpTransport or transport=lambda: "
            "httpx.AsyncHTTPTransport(...)): each event loop then gets a transport of its own, "
            "closed with that loop"
        )


@dataclass(eq=False)
class _LoopClient:
    """One event loop's async client, what closes the connections that loop opened, and the
    generator that does so when the loop shuts down."""

    http: httpx.AsyncClient
    close: _Closer
    keeper: AsyncGenerator[None, None] | None = None


@dataclass
class _Taken:
    """What a close took out of `Connections`, to be closed (and let go) outside the lock."""

    sync: httpx.Client | None = None
    loops: list[tuple[asyncio.AbstractEventLoop, _LoopClient]] = field(default_factory=list)


class Connections:
    """The HTTP clients one OktaClient sends through, and the bound on its requests in flight.

    `acquire()` / `aacquire()` wait for a turn and return the client to send with; every
    acquire is followed by one `release()`. The turns are an `InFlightLimit` of `limit`, or
    the one given as `in_flight`, shared with the other clients of the same org.

    The async side is one of four. Without `async_transport`, or with a factory, one
    `httpx.AsyncClient` per event loop (over a transport of its own from the factory), each
    closed, transport and all, when its loop shuts down. With an `async_transport` instance
    (passed by the caller, and owned from then on), one client over it, serving one event
    loop at a time: a call from another loop while that one lives is refused with
    TransportInUseError, since the transport's pooled connections belong to their loop; when
    that loop shuts down, the transport is closed and the next loop may take it. A transport
    that holds no connections (`httpx.MockTransport`, or one whose `serves_any_event_loop`
    is true, such as the sandbox's) serves every loop at once. With `owns_async=False`, the
    caller's own client, used as it is and never closed here.

    Sync calls made on a thread whose event loop is running take a turn without waiting:
    the turns they would wait for may be held by that very loop, which cannot run while they
    block.

    Invariant, whenever `_lock` is free:
    - `_loops` maps each live event loop that has sent (when the async side is owned) to its
      client and what closes its connections. `_transport_loop` is the loop a loop-bound
      transport instance serves, from its first call there until its connections are
      closed; every other loop is refused meanwhile. Each entry has a keeper async generator
      registered with its loop, whose `finally` closes them when the loop shuts down
      (`asyncio.run`, `asyncio.Runner`, pytest-asyncio and Jupyter all call
      `loop.shutdown_asyncgens()`).
    - Once `_closed`, nothing is created or handed out again, none of this client's callers
      waits for a turn, and the connections taken out have been closed, or are being closed
      in their own loop.
    """

    def __init__(
        self,
        limit: int,
        *,
        new_sync: Callable[[], httpx.Client],
        owns_sync: bool,
        new_async: Callable[[httpx.AsyncBaseTransport | None], httpx.AsyncClient],
        async_transport: httpx.AsyncBaseTransport | AsyncTransportFactory | None,
        owns_async: bool,
        in_flight: InFlightLimit | None = None,
    ) -> None:
        self._turns = in_flight or InFlightLimit(limit)
        self._new_sync = new_sync
        self._owns_sync = owns_sync
        self._new_async = new_async
        self._async_transport = async_transport
        self._owns_async = owns_async
        self._lock = threading.Lock()
        self._closed = False
        self._sync: httpx.Client | None = None
        self._shared_async: httpx.AsyncClient | None = None
        self._loops: dict[asyncio.AbstractEventLoop, _LoopClient] = {}
        self._transport_loop: asyncio.AbstractEventLoop | None = None
        # Closes scheduled in the caller's own loop by a sync close(): kept until done.
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def waiting(self) -> int:
        """How many callers are waiting for a turn (of every client sharing the bound)."""
        return self._turns.waiting

    # -- turns ------------------------------------------------------------------------------

    def acquire(self) -> httpx.Client:
        """Wait for a turn (blocking this thread) and return the sync client."""
        with self._lock:
            self._refuse_if_closed()
            if self._sync is None:
                self._sync = self._new_sync()
            http = self._sync
        if not self._turns.take(self, wait=running_loop() is None):
            raise OktaClientClosedError()
        return http

    async def aacquire(self) -> httpx.AsyncClient:
        """Wait for a turn (without blocking the loop) and return this loop's async client."""
        loop = asyncio.get_running_loop()
        with self._lock:
            self._refuse_if_closed()
            http = self._async_client(loop)
        if http is None:
            http = await self._open_for(loop)
        if not await self._turns.atake(self):
            raise OktaClientClosedError()
        return http

    def release(self) -> None:
        """End a turn: it passes to the first caller waiting for one."""
        self._turns.give_back()

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise OktaClientClosedError()

    # -- async clients ----------------------------------------------------------------------

    def _async_client(self, loop: asyncio.AbstractEventLoop) -> httpx.AsyncClient | None:
        """This loop's client (under the lock); None when this loop has not sent yet."""
        if not self._owns_async:
            if self._shared_async is None:
                self._shared_async = self._new_async(None)
            return self._shared_async
        entry = self._loops.get(loop)
        return entry.http if entry is not None else None

    async def _open_for(self, loop: asyncio.AbstractEventLoop) -> httpx.AsyncClient:
        # No other task of this loop can open one meanwhile: nothing here suspends (the
        # keeper's first step runs straight to its yield).
        entry = self._new_loop_client(loop)
        keeper = self._closes_with_loop(loop, entry)
        # The first step registers the generator with this loop's shutdown_asyncgens().
        await keeper.__anext__()
        entry.keeper = keeper
        with self._lock:
            if self._closed:
                raise OktaClientClosedError()  # the keeper closes what was opened, with the loop
            stale = self._take_closed_loops()
            self._loops[loop] = entry
        del stale  # let go only now: see _take_closed_loops
        return entry.http

    def _new_loop_client(self, loop: asyncio.AbstractEventLoop) -> _LoopClient:
        transport = self._async_transport
        if not isinstance(transport, httpx.AsyncBaseTransport):
            # A client of this loop's own, over a transport of its own: closed with it.
            http = self._new_async(None if transport is None else _made_by(transport))
            return _LoopClient(http, http.aclose)
        with self._lock:
            if holds_no_connections(transport):
                close: _Closer = transport.aclose
            else:
                holder = self._transport_loop
                if holder is not None and holder is not loop:
                    raise TransportInUseError(_LEFT_OPEN if holder.is_closed() else "")
                self._transport_loop = loop
                close = partial(self._close_shared_transport, loop, transport)
            if self._shared_async is None:
                self._shared_async = self._new_async(transport)
            return _LoopClient(self._shared_async, close)

    async def _close_shared_transport(
        self, loop: asyncio.AbstractEventLoop, transport: httpx.AsyncBaseTransport
    ) -> None:
        """Close the connections `loop` opened; only then may another loop take the transport."""
        try:
            await transport.aclose()
        finally:
            with self._lock:
                if self._transport_loop is loop:
                    self._transport_loop = None

    async def _closes_with_loop(
        self, loop: asyncio.AbstractEventLoop, entry: _LoopClient
    ) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                if self._loops.get(loop) is entry:
                    del self._loops[loop]
            # Also when a close took the entry out: closing twice is harmless, and this
            # covers a close that could not reach the loop before it stopped.
            await entry.close()

    def _take_closed_loops(self) -> list[_LoopClient]:
        """Take out the clients of loops closed without `shutdown_asyncgens()` (under the lock).

        Their connections cannot be closed any more (closing needs the loop); dropping them
        at least keeps `_loops` from growing with every such loop. The caller lets them go
        after the lock, as it does all entries: a keeper's finalizer must not run under it.
        """
        return [self._loops.pop(loop) for loop in list(self._loops) if loop.is_closed()]

    # -- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close for good, from any thread, inside or outside an event loop.

        Inside a running loop, that loop's connections are closed by a task it runs next; the
        connections of loops running in other threads are closed there, waited for here.
        """
        taken = self._take_all()
        if taken.sync is not None:
            taken.sync.close()
        here = running_loop()
        elsewhere = []
        for loop, entry in taken.loops:
            if loop is here:
                self._close_soon(loop, entry.close())
            else:
                elsewhere.append((loop, entry.close))
        if not elsewhere:
            return
        if here is None:
            _close_in_their_loops(elsewhere)
        else:
            # Another loop cannot be run, nor waited for with run_until_complete, from this
            # thread while its own loop runs.
            closer = threading.Thread(target=_close_in_their_loops, args=(elsewhere,))
            closer.start()
            closer.join()

    async def aclose(self) -> None:
        """Close for good from inside an event loop, waiting until everything is closed."""
        taken = self._take_all()
        if taken.sync is not None:
            taken.sync.close()
        here = asyncio.get_running_loop()
        elsewhere = [(loop, entry.close) for loop, entry in taken.loops if loop is not here]
        for loop, entry in taken.loops:
            if loop is here:
                await entry.close()
        if elsewhere:
            await asyncio.to_thread(_close_in_their_loops, elsewhere)

    def _take_all(self) -> _Taken:
        taken = _Taken()
        with self._lock:
            self._closed = True
            if self._owns_sync:
                taken.sync = self._sync
            taken.loops = list(self._loops.items())
            self._sync = self._shared_async = None
            self._loops.clear()
        # After `_closed` is set: a caller that has not joined the queue yet sees it closed.
        self._turns.dismiss(self)
        return taken

    def _close_soon(
        self, loop: asyncio.AbstractEventLoop, closing: Coroutine[Any, Any, None]
    ) -> None:
        task = loop.create_task(closing)
        with self._lock:
            self._closing.add(task)
        task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        with self._lock:
            self._closing.discard(task)


def _close_in_their_loops(closers: Sequence[tuple[asyncio.AbstractEventLoop, _Closer]]) -> None:
    """Close each loop's connections in that loop; the calling thread must run no loop."""
    for loop, close in closers:
        if loop.is_closed():
            continue  # closed without shutdown_asyncgens(): its connections are out of reach
        closing = close()
        if not loop.is_running():
            try:
                loop.run_until_complete(closing)
                continue
            except RuntimeError:  # its thread started it meanwhile: ask it as below
                closing.close()
                closing = close()
        try:
            done = asyncio.run_coroutine_threadsafe(closing, loop)
        except RuntimeError:  # closed meanwhile
            closing.close()
            continue
        # If the loop is busy for longer, the task closes the connections when it runs.
        with contextlib.suppress(concurrent.futures.TimeoutError):
            done.result(_CLOSE_WAIT_SECONDS)


def _made_by(factory: AsyncTransportFactory) -> httpx.AsyncBaseTransport:
    transport = factory()
    if not isinstance(transport, httpx.AsyncBaseTransport):
        raise TypeError(
            "the transport factory passed to this Okta client must return an httpx async "
            f"transport (httpx.AsyncBaseTransport), not {type(transport).__name__}"
        )
    return transport


def holds_no_connections(transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> bool:
    """Whether the transport holds no connections (nothing bound to an event loop, nothing
    that closing it would take from another client sending through it)."""
    return isinstance(transport, httpx.MockTransport) or bool(
        getattr(transport, "serves_any_event_loop", False)
    )


def import_async_stack() -> None:
    """Import what httpx loads on its first async request, its anyio backend (about 80 ms),
    so that the first request need not stall an event loop with it: call off the loop."""
    for module in ("anyio._backends._asyncio", "httpcore._backends.anyio"):
        # Only a head start: if httpx loads something else one day, it still works.
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running on this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
