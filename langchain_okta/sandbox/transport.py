"""The org as an httpx transport: sync and async clients reach it in process, without sockets."""

from __future__ import annotations

import asyncio
import time

import httpx

from langchain_okta.sandbox.faults import Fault
from langchain_okta.sandbox.messages import Outcome, SandboxRequest, SandboxResponse
from langchain_okta.sandbox.routes import SandboxApp

DROPPED = "Server disconnected without sending a response."


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Pass as `transport=` to `httpx.Client` or `httpx.AsyncClient`.

    A `latency` fault sleeps the way the caller waits (`time.sleep` or `asyncio.sleep`). If the
    client's read timeout is shorter than the delay, the client gets `httpx.ReadTimeout` after
    the timeout while the org still applies the request, as a slow server would.
    """

    # No connections, nothing bound to an event loop: one instance serves every loop at once.
    serves_any_event_loop = True

    def __init__(self, app: SandboxApp) -> None:
        self._app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sandbox_request = _sandbox_request(request, request.read())
        with self._app.arrival() as over_limit:
            fault = self._app.take_fault(sandbox_request.method, sandbox_request.raw_path)
            delay, timed_out = _delay(fault, request)
            if delay:
                time.sleep(delay)
            outcome = self._app.handle(sandbox_request, fault, over_limit=over_limit)
        return _httpx_response(outcome, request, timed_out)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sandbox_request = _sandbox_request(request, await request.aread())
        with self._app.arrival() as over_limit:
            fault = self._app.take_fault(sandbox_request.method, sandbox_request.raw_path)
            delay, timed_out = _delay(fault, request)
            if delay:
                await asyncio.sleep(delay)
            outcome = self._app.handle(sandbox_request, fault, over_limit=over_limit)
        return _httpx_response(outcome, request, timed_out)


def _sandbox_request(request: httpx.Request, body: bytes) -> SandboxRequest:
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    return SandboxRequest(
        method=request.method,
        scheme=request.url.scheme,
        host=request.url.netloc.decode("ascii"),
        raw_path=raw_path,
        raw_query=raw_query,
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
    )


def _delay(fault: Fault | None, request: httpx.Request) -> tuple[float, bool]:
    """How long to wait, and whether the client's read timeout runs out first."""
    if fault is None or fault.kind != "latency":
        return 0.0, False
    timeout = request.extensions.get("timeout", {}).get("read")
    if isinstance(timeout, int | float) and timeout < fault.seconds:
        return float(timeout), True
    return fault.seconds, False


def _httpx_response(outcome: Outcome, request: httpx.Request, timed_out: bool) -> httpx.Response:
    if timed_out:
        raise httpx.ReadTimeout("The read operation timed out", request=request)
    if not isinstance(outcome, SandboxResponse):
        raise httpx.RemoteProtocolError(DROPPED, request=request)
    return httpx.Response(
        outcome.status, headers=outcome.headers, content=outcome.body, request=request
    )
