"""9. The connected toolkit (one agent, each person's own credential): what resolving a pooled
connection adds to a tool call, and what each idle pooled connection holds in memory.

- per call: `okta_get_user` as an agent's tool node calls it (a tool call with the runtime
  injected), on a prebuilt `OktaToolkit` and on an `OktaConnectedToolkit` whose pooled client
  for the person is warm, both over the in-process sandbox org; interleaved rounds. The
  connected side resolves the connection from the run's context, leases the pooled client,
  reads the cached rights and releases it on every call.
- per idle connection: tracemalloc's growth per person after each of N people made one call
  over loopback HTTP (their client kept, with its open keep-alive connection), and what each
  client made for a real `https://` org costs in addition (its TLS context, CA certificates
  loaded), built without sending.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from harness import NO_LIMIT, NO_LIMIT_WINDOW, Figure, Section
from langgraph.prebuilt import ToolRuntime

from langchain_okta import OktaToolkit
from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg

GOAL_RATIO = 1.05
# Thousands of calls to one in-process org: no window may run out and turn them into errors.
UNLIMITED = RateLimit(limit=NO_LIMIT, window_seconds=NO_LIMIT_WINDOW)


@dataclass
class _Context:
    okta_connection: OktaConnection


def _runtime(connection: OktaConnection | None) -> ToolRuntime:
    return ToolRuntime(
        state={"messages": []},
        context=_Context(connection) if connection is not None else None,
        config={},
        stream_writer=lambda _: None,
        tool_call_id="c1",
        store=None,
    )


def _calls(tool: Any, runtime: ToolRuntime | None, user_id: str, calls: int) -> float:
    args: dict[str, Any] = {"user_id": user_id}
    if runtime is not None:
        args["runtime"] = runtime
    call = {"type": "tool_call", "id": "c1", "name": tool.name, "args": args}
    start = time.perf_counter()
    for _ in range(calls):
        message = tool.invoke(call)
    elapsed = time.perf_counter() - start
    # An error is answered faster than a user: a timing of errors would mean nothing.
    if message.status == "error":
        raise RuntimeError(f"the measured call failed: {message.content}")
    return elapsed / calls


def measure_call_cost(calls: int, rounds: int) -> tuple[list[float], list[float], int]:
    org = SandboxOrg(users=20, rate_limit=UNLIMITED)
    user_id = org.users[1]["id"]
    connection = OktaConnection(org_url=IN_PROCESS_URL, api_token=org.token)
    prebuilt = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
    prebuilt_checks = len(org.requests)
    connected = OktaConnectedToolkit(transports={IN_PROCESS_URL: org.transport()})
    plain_tool = next(t for t in prebuilt.get_tools() if t.name == "okta_get_user")
    pooled_tool = next(t for t in connected.get_tools() if t.name == "okta_get_user")
    runtime = _runtime(connection)
    _calls(plain_tool, None, user_id, calls // 4 + 1)
    _calls(pooled_tool, runtime, user_id, calls // 4 + 1)
    plain, pooled = [], []
    for _ in range(rounds):
        plain.append(_calls(plain_tool, None, user_id, calls))
        pooled.append(_calls(pooled_tool, runtime, user_id, calls))
    role_checks = sum(1 for r in org.requests[prebuilt_checks:] if r.path.endswith("/roles"))
    failed = sum(1 for r in org.requests if r.status != 200)
    if failed:
        raise RuntimeError(f"{failed} requests failed during the measurement")
    prebuilt.close()
    connected.close()
    return plain, pooled, role_checks


def _traced_growth(build: Any) -> tuple[float, Any]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, kept


def measure_memory(people: int) -> tuple[float, float]:
    """(bytes per idle pooled connection over HTTP, extra bytes per client for https)."""
    org = SandboxOrg(users=people + 1, rate_limit=UNLIMITED)
    ids = [user["id"] for user in org.users if user["id"] != org.admin["id"]][:people]
    for number, user_id in enumerate(ids):
        org.set_roles(user_id, ["USER_ADMIN"])
        org.add_api_token(user_id, f"bench-person-token-{number}")
    with org.serve() as url:
        toolkit = OktaConnectedToolkit()
        tool = next(t for t in toolkit.get_tools() if t.name == "okta_get_user")
        first = OktaConnection(org_url=url, api_token="bench-person-token-0")
        _calls(tool, _runtime(first), "me", 1)  # imports and first-use caches, not counted

        def use_all() -> None:
            for number in range(1, people):
                connection = OktaConnection(org_url=url, api_token=f"bench-person-token-{number}")
                _calls(tool, _runtime(connection), "me", 1)

        grown, _ = _traced_growth(use_all)
        assert toolkit.pool.size == people
        toolkit.close()
    per_connection = grown / (people - 1)

    def tls_clients() -> list[Any]:
        from langchain_okta import OktaClient

        return [
            OktaClient(
                OktaConnection(org_url="https://bench.okta.com", api_token=f"t{n}").settings()
            )
            for n in range(4)
        ]

    tls, clients = _traced_growth(tls_clients)
    for client in clients:
        client.close()
    return per_connection, tls / 4


def measure(*, calls: int, rounds: int, people: int) -> Section:
    section = Section("connected", "9. Connected toolkit: per-call cost of a pooled connection")
    plain, pooled, role_checks = measure_call_cost(calls, rounds)
    ratio = statistics.median(p / q for p, q in zip(pooled, plain, strict=True))
    plain_us, pooled_us = statistics.median(plain) * 1e6, statistics.median(pooled) * 1e6
    per_connection, tls = measure_memory(people)
    section.figures = [
        Figure(
            "9.call",
            "connected",
            "okta_get_user through a pooled per-person connection (in-process org)",
            pooled_us,
            "µs/call",
            "a prebuilt OktaToolkit's tool, same org",
            plain_us,
            ratio,
            "connected / prebuilt",
            f"≤ {GOAL_RATIO:.2f}x",
            ratio <= GOAL_RATIO,
            note=(
                f"medians of {rounds} interleaved rounds of {calls} calls; per-round ratios "
                f"{min(p / q for p, q in zip(pooled, plain, strict=True)):.3f}-"
                f"{max(p / q for p, q in zip(pooled, plain, strict=True)):.3f}; "
                f"{role_checks} admin check for all the connected calls"
            ),
        ),
        Figure(
            "9.memory",
            "connected",
            f"memory per idle pooled connection ({people} people, one call each, loopback HTTP)",
            per_connection / 1024,
            "KiB",
            "",
            None,
            None,
            "",
            "",
            None,
            note="tracemalloc growth: the client, its httpx pool and one keep-alive connection",
        ),
        Figure(
            "9.tls",
            "connected",
            "memory each pooled client adds for an https:// org (its TLS context)",
            tls / 1024,
            "KiB",
            "",
            None,
            None,
            "",
            "",
            None,
            note=(
                "each OktaClient loads the CA certificates into a TLS context of its own; "
                "tracemalloc sees Python's allocations only, not OpenSSL's"
            ),
        ),
    ]
    section.data = {
        "plain_seconds": plain,
        "pooled_seconds": pooled,
        "role_checks": role_checks,
        "bytes_per_connection": per_connection,
        "tls_bytes_per_client": tls,
        "people": people,
    }
    return section


if __name__ == "__main__":
    result = measure(calls=300, rounds=7, people=50)
    for figure in result.figures:
        print(figure.key, f"{figure.value:,.1f} {figure.unit}", figure.ratio, figure.note)
