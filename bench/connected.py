"""9. The connected toolkit (one agent, each person's own credential): what resolving a pooled
connection adds to a tool call, and what each idle pooled connection holds in memory.

- per call: `okta_get_user` as an agent's tool node calls it (a tool call with the runtime
  injected), on a prebuilt `OktaToolkit` and on an `OktaConnectedToolkit` whose pooled client
  for the person is warm, both over the in-process sandbox org; interleaved rounds, with
  `invoke` and again with `ainvoke`. The connected side resolves the connection from the
  run's context, leases the pooled client, reads the cached rights and releases it on every
  call.
- per idle connection: tracemalloc's growth per person after each of N people made one call
  over loopback HTTP (their client kept, with its open keep-alive connection), and what each
  client made for a real `https://` org costs in addition (its TLS context, CA certificates
  loaded), built without sending.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from harness import (
    NO_LIMIT,
    NO_LIMIT_WINDOW,
    Figure,
    Plan,
    Samples,
    Section,
    paired_ratio,
    time_async,
    time_sync,
)
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


def _tool_call(tool: Any, runtime: ToolRuntime | None, user_id: str) -> dict[str, Any]:
    args: dict[str, Any] = {"user_id": user_id}
    if runtime is not None:
        args["runtime"] = runtime
    return {"type": "tool_call", "id": "c1", "name": tool.name, "args": args}


def _calls(tool: Any, runtime: ToolRuntime | None, user_id: str, calls: int) -> float:
    call = _tool_call(tool, runtime, user_id)
    start = time.perf_counter()
    for _ in range(calls):
        message = tool.invoke(call)
    elapsed = time.perf_counter() - start
    # An error is answered faster than a user: a timing of errors would mean nothing.
    if message.status == "error":
        raise RuntimeError(f"the measured call failed: {message.content}")
    return elapsed / calls


@dataclass
class CallCost:
    """Seconds per call, one value per round, of each side in each mode."""

    plain: Samples
    pooled: Samples
    plain_async: Samples
    pooled_async: Samples
    role_checks: int


def _succeeds(message: Any) -> Any:
    # An error is answered faster than a user: a timing of errors would mean nothing.
    if message.status == "error":
        raise RuntimeError(f"the measured call failed: {message.content}")
    return message


def measure_call_cost(calls: int, rounds: int) -> CallCost:
    """Both sides make the same tool call through the same org, warm, in interleaved
    rounds (who goes first rotates; the heap alive before is frozen, and each round starts
    from a collection: see harness.time_sync)."""
    org = SandboxOrg(users=20, rate_limit=UNLIMITED)
    user_id = org.users[1]["id"]
    connection = OktaConnection(org_url=IN_PROCESS_URL, api_token=org.token)
    prebuilt = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
    prebuilt_checks = len(org.requests)
    connected = OktaConnectedToolkit(transports={IN_PROCESS_URL: org.transport()})
    plain_tool = next(t for t in prebuilt.get_tools() if t.name == "okta_get_user")
    pooled_tool = next(t for t in connected.get_tools() if t.name == "okta_get_user")
    plain_call = _tool_call(plain_tool, None, user_id)
    pooled_call = _tool_call(pooled_tool, _runtime(connection), user_id)
    plan = Plan(calls=calls, rounds=rounds, warmup=calls // 4 + 1)
    sync = time_sync(
        {
            "plain": lambda: _succeeds(plain_tool.invoke(plain_call)),
            "pooled": lambda: _succeeds(pooled_tool.invoke(pooled_call)),
        },
        plan,
    )

    async def plain_async() -> Any:
        return _succeeds(await plain_tool.ainvoke(plain_call))

    async def pooled_async() -> Any:
        return _succeeds(await pooled_tool.ainvoke(pooled_call))

    async def timed_async() -> dict[str, Samples]:
        samples = await time_async({"plain": plain_async, "pooled": pooled_async}, plan)
        await prebuilt.aclose()
        await connected.aclose()
        return samples

    both = asyncio.run(timed_async())
    prebuilt.close()
    connected.close()
    role_checks = sum(1 for r in org.requests[prebuilt_checks:] if r.path.endswith("/roles"))
    reads = sum(1 for r in org.requests if r.path.endswith(f"/users/{user_id}"))
    failed = sum(1 for r in org.requests if r.status != 200)
    # Every timed call, on either side, read the user once from the org: the same work.
    if failed or reads != 4 * (plan.warmup + plan.calls * plan.rounds):
        raise RuntimeError(f"{failed} requests failed, {reads} reads of the user during the run")
    return CallCost(sync["plain"], sync["pooled"], both["plain"], both["pooled"], role_checks)


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


def _call_figure(key: str, how: str, pooled: Samples, plain: Samples, rounds: str) -> Figure:
    ratios = [p / q for p, q in zip(pooled.wall, plain.wall, strict=True)]
    ratio = paired_ratio(pooled.wall, plain.wall)
    return Figure(
        key,
        "connected",
        f"okta_get_user {how} through a pooled per-person connection (in-process org)",
        pooled.wall_median * 1e6,
        "µs/call",
        "a prebuilt OktaToolkit's tool, same org",
        plain.wall_median * 1e6,
        ratio,
        "connected / prebuilt",
        f"≤ {GOAL_RATIO:.2f}x",
        ratio <= GOAL_RATIO,
        note=(
            f"medians of {rounds}; per-round ratios {min(ratios):.3f}-{max(ratios):.3f}; "
            f"CPU time {paired_ratio(pooled.cpu, plain.cpu):.3f}x"
        ),
    )


def measure(*, calls: int, rounds: int, people: int) -> Section:
    section = Section("connected", "9. Connected toolkit: per-call cost of a pooled connection")
    cost = measure_call_cost(calls, rounds)
    per_connection, tls = measure_memory(people)
    timed = f"{rounds} interleaved rounds of {calls} calls"
    call = _call_figure("9.call", "invoke", cost.pooled, cost.plain, timed)
    call.note += f"; {cost.role_checks} admin check for all the connected calls"
    section.figures = [
        call,
        _call_figure("9.acall", "ainvoke", cost.pooled_async, cost.plain_async, timed),
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
        "plain_seconds": cost.plain.wall,
        "pooled_seconds": cost.pooled.wall,
        "plain_async_seconds": cost.plain_async.wall,
        "pooled_async_seconds": cost.pooled_async.wall,
        "role_checks": cost.role_checks,
        "bytes_per_connection": per_connection,
        "tls_bytes_per_client": tls,
        "people": people,
    }
    return section


if __name__ == "__main__":
    result = measure(calls=300, rounds=15, people=50)
    for figure in result.figures:
        print(figure.key, f"{figure.value:,.1f} {figure.unit}", figure.ratio, figure.note)
