"""`InFlightLimit`: at most N requests in flight, shared by every client given it.

Okta answers only so many requests of one org at once (its concurrent limit, 35 to 75 by
org type) and refuses the rest with a 429. One client bounds its own requests with this; the
clients of one org, one per person's credential, share one, so that many people on one org
stay within the bound together rather than each spending all of it.

Callers are threads and tasks of any number of event loops. Turns go in arrival order: a
released turn passes straight to the first waiter, whatever thread or loop it waits in.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

WAITING, GRANTED, CLOSED, GONE = "waiting", "granted", "closed", "gone"


class Owner(Protocol):
    """Whose turn a waiter waits for (one client's connections): none once it has closed."""

    @property
    def closed(self) -> bool: ...


@dataclass(eq=False)
class _Waiter:
    """A caller waiting for a turn: a sync thread, or a task of some event loop.

    `wake` tells it that its state changed; it raises RuntimeError when the waiter's event
    loop is closed and so can no longer hear it.
    """

    owner: Owner
    wake: Callable[[], object]
    state: str = WAITING


class InFlightLimit:
    """Turns on one bound: `take()` / `await atake()` wait for one, `give_back()` ends it.

    Invariant, whenever `_lock` is free:
    - `_held` is the number of turns held. It is at most `limit`, except for turns taken with
      `wait=False` (a sync call on a thread whose event loop is running: the turns it would
      wait for may be held by that very loop, which cannot run while it blocks); while it is
      past `limit`, a turn that ends is freed, never handed to a waiter.
    - A caller is in `_queue` only while every turn is held, and only while its owner is
      open: an owner closes before it calls `dismiss`, and a waiter joins the queue only
      after seeing its owner open, both under the lock.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an in-flight limit must allow at least one request")
        self.limit = limit
        self._lock = threading.Lock()
        self._held = 0
        self._queue: deque[_Waiter] = deque()

    def __repr__(self) -> str:
        return f"InFlightLimit(limit={self.limit}, held={self._held})"

    @property
    def held(self) -> int:
        """How many turns are held."""
        with self._lock:
            return self._held

    @property
    def waiting(self) -> int:
        """How many callers are waiting for a turn."""
        with self._lock:
            return len(self._queue)

    def take(self, owner: Owner, *, wait: bool = True) -> bool:
        """Wait for a turn, blocking this thread; False (no turn) if `owner` closed first."""
        with self._lock:
            if owner.closed:
                return False
            if not wait or self._is_free():
                self._held += 1
                return True
            granted = threading.Event()
            waiter = _Waiter(owner, granted.set)
            self._queue.append(waiter)
        try:
            granted.wait()
        except BaseException:  # e.g. KeyboardInterrupt: a turn handed over meanwhile moves on
            self._give_up(waiter)
            raise
        return waiter.state == GRANTED

    async def atake(self, owner: Owner) -> bool:
        """Wait for a turn without blocking the loop; False (no turn) if `owner` closed first."""
        with self._lock:
            if owner.closed:
                return False
            if self._is_free():
                self._held += 1
                return True
            loop = asyncio.get_running_loop()
            granted = loop.create_future()
            waiter = _Waiter(owner, partial(loop.call_soon_threadsafe, _resolve, granted))
            self._queue.append(waiter)
        try:
            await granted
        except BaseException:  # cancelled: a turn handed over meanwhile moves on
            self._give_up(waiter)
            raise
        return waiter.state == GRANTED

    def give_back(self) -> None:
        """End a turn: hand it to the first waiter that can still take it, or free it.

        While more turns are held than the bound allows (some taken with `wait=False`), the
        turn ends instead: handed on, it would keep the bound raised for as long as callers
        keep arriving.
        """
        with self._lock:
            while self._queue and self._held <= self.limit:
                waiter = self._queue.popleft()
                waiter.state = GRANTED
                try:
                    waiter.wake()
                except RuntimeError:  # its event loop is closed: nobody is waiting there
                    waiter.state = GONE
                    continue
                return
            self._held -= 1

    def dismiss(self, owner: Owner) -> None:
        """Wake `owner`'s waiters with no turn: it has closed (call after setting `closed`)."""
        with self._lock:
            mine = [waiter for waiter in self._queue if waiter.owner is owner]
            for waiter in mine:
                self._queue.remove(waiter)
                waiter.state = CLOSED
                with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits
                    waiter.wake()

    def _is_free(self) -> bool:
        return self._held < self.limit and not self._queue

    def _give_up(self, waiter: _Waiter) -> None:
        with self._lock:
            if waiter.state == WAITING:
                self._queue.remove(waiter)
                waiter.state = GONE
                return
            granted = waiter.state == GRANTED
        if granted:
            self.give_back()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
