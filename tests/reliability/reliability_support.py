"""Helpers shared by the reliability tests: recording transports, tool calls, time bounds.

Imported by module name (pytest puts this folder on sys.path; there is no package).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from langchain_okta import OktaToolkit, RetrySettings, Timeouts
from langchain_okta.sandbox import RateLimit, SandboxOrg

USERS_PATH = "/api/v1/users"
# Keep fault tests fast: tiny backoff, and at most two seconds of waiting per tool call.
FAST_RETRIES = RetrySettings(backoff_base=0.01, max_wait=2)
SHORT_TIMEOUTS = Timeouts(read=0.2)


@dataclass
class Served:
    """A sandbox org served on loopback, and a toolkit talking to it over the wire."""

    org: SandboxOrg
    base_url: str
    toolkit: OktaToolkit
    tools: dict[str, BaseTool]


def small_org(users: int = 12, seed: int = 7) -> SandboxOrg:
    # One-second rate-limit windows: a 429 resets within the wait budget, as a storm would.
    return SandboxOrg(users=users, seed=seed, rate_limit=RateLimit(limit=600, window_seconds=1))


@dataclass(frozen=True)
class SentRequest:
    method: str
    host: str
    raw_path: str
    query: tuple[tuple[str, str], ...]
    authorization: str | None


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a sync and/or async transport; records every request and the peak in flight.

    Responses are read inside the wrapper, so "in flight" spans the whole exchange.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        async_inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._inner = inner
        self._async_inner = async_inner
        self._lock = threading.Lock()
        self.sent: list[SentRequest] = []
        self.in_flight = 0
        self.peak_in_flight = 0

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.peak_in_flight = self.in_flight

    def _enter(self, request: httpx.Request) -> None:
        record = SentRequest(
            method=request.method,
            host=request.url.host,
            raw_path=request.url.raw_path.decode("ascii").partition("?")[0],
            query=tuple(request.url.params.multi_items()),
            authorization=request.headers.get("authorization"),
        )
        with self._lock:
            self.sent.append(record)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert self._inner is not None, "no sync transport to wrap"
        self._enter(request)
        try:
            response = self._inner.handle_request(request)
            response.read()
            return response
        finally:
            self._leave()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self._async_inner is not None, "no async transport to wrap"
        self._enter(request)
        try:
            response = await self._async_inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self._leave()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()

    async def aclose(self) -> None:
        if self._async_inner is not None:
            await self._async_inner.aclose()


def both_ways(transport: Any) -> RecordingTransport:
    """Record around one object that is both a sync and an async transport (the sandbox's)."""
    return RecordingTransport(transport, transport)


def tools_by_name(toolkit: OktaToolkit) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in toolkit.get_tools()}


def tool_call(name: str, args: Any, call_id: str = "call-1") -> dict[str, Any]:
    return {"type": "tool_call", "id": call_id, "name": name, "args": args}


def invoke(tool: BaseTool, args: Any, call_id: str = "call-1") -> ToolMessage:
    """Call a tool as an agent does; whatever it raises propagates to the test."""
    message = tool.invoke(tool_call(tool.name, args, call_id))
    assert isinstance(message, ToolMessage), f"{tool.name} returned {type(message).__name__}"
    return message


def ainvoke(tool: BaseTool, args: Any, call_id: str = "call-1") -> ToolMessage:
    message = asyncio.run(tool.ainvoke(tool_call(tool.name, args, call_id)))
    assert isinstance(message, ToolMessage), f"{tool.name} returned {type(message).__name__}"
    return message


def content_json(message: ToolMessage) -> Any:
    assert isinstance(message.content, str)
    return json.loads(message.content)


def user_segment(raw_path: str) -> str | None:
    """The decoded `{id}` of `/api/v1/users/{id}`, or None when the path has another shape."""
    prefix = USERS_PATH + "/"
    if not raw_path.startswith(prefix):
        return None
    rest = raw_path[len(prefix) :]
    if not rest or "/" in rest:
        return None
    return unquote(rest)


def profile_diff(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}


def worst_case_seconds(
    retries: RetrySettings, timeouts: Timeouts, *, requests_per_attempt: int
) -> float:
    """An upper bound on one tool call's wall time, derived from the settings.

    Every request may wait the full read timeout; sleeps are capped by `max_wait` in total.
    A create or update may send `max_attempts` rounds of up to `requests_per_attempt` calls,
    each call retried up to `max_attempts` times.
    """
    requests = retries.max_attempts * retries.max_attempts * requests_per_attempt
    return requests * timeouts.read + retries.max_wait
