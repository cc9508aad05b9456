"""Sync connections whose every wait ends at the deadline of the attempt being made.

A blocking socket read cannot be interrupted from outside, and httpx's read timeout applies
to each read: a server that sends its headers a line at a time, each within the timeout,
would hold a sync call for hours. So the bound sits where the waiting happens: each connect,
read and write on the client's own sync connections waits at most until `ATTEMPT_DEADLINE`,
which the sync driver sets (per thread, as a context variable) around each attempt.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar("okta_attempt_deadline", default=None)


def keep_to_deadlines(client: httpx.Client) -> httpx.Client:
    """`client`, with every connection it makes keeping to `ATTEMPT_DEADLINE`.

    The client is made as httpx makes it (so the proxies the environment names still apply);
    only the network backend of its connection pools, its own and each proxy's, is ours:
    httpx offers no way to pass one in.
    """
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.ConnectionPool):  # HTTPProxy and SOCKSProxy too
            pool._network_backend = _Backend()
    return client


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """`timeout`, cut to what is left of the attempt; `expired` once nothing is left."""
    deadline = ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
