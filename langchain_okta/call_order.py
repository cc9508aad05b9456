"""The order of dependent write calls of one turn, which LangGraph would run all at once.

A tool node runs the calls of one model message concurrently. When a call's preview assumed
that an earlier call of the same message runs first (two updates of one user), the later
call waits here until the earlier one has ended in this process, or until a short wait is
over. Correctness never depends on it: a call that runs too early finds the user unlike what
its preview assumed, and writes nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

CallKey = tuple[str, str, str]  # thread id, message id, tool-call id

# Ended calls remembered: far more than the calls of the turns running at once.
SIZE = 4096


class CallOrder:
    """Which write calls have ended in this process.

    Invariant: `_ended` holds the keys of calls whose run has ended, oldest first, at most
    `size` of them; every access holds `_lock` (tool calls run on several threads).
    """

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._ended: OrderedDict[CallKey, None] = OrderedDict()
        self._lock = threading.Lock()

    def end(self, key: CallKey) -> None:
        with self._lock:
            self._ended[key] = None
            self._ended.move_to_end(key)
            while len(self._ended) > self._size:
                self._ended.popitem(last=False)

    def all_ended(self, keys: Iterable[CallKey]) -> bool:
        with self._lock:
            return all(key in self._ended for key in keys)
