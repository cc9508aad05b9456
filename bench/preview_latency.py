"""How long an approval preview takes, and how long it holds an async agent's event loop.

`python bench/preview_latency.py [--quick] [--output PATH]`

LangChain's HumanInTheLoopMiddleware computes each paused call's `description`
synchronously, in async agents too, so the preview blocks the loop while it reads the org.
Measured here, each against the one request it is built on (medians of interleaved rounds):

1. the description of an update (one GET of the user) against `OktaClient.get_user`, and of
   a create (one search) against `OktaClient.list_users` with the same search: on the
   in-process sandbox, on the loopback sandbox (its own process), and behind a delay proxy
   that adds a round trip of `RTT`. A ratio near 1.0 means one round trip plus rendering.
2. the longest the event loop went without running (a task that only yields) while an async
   agent ran to the approval pause, against the same while an async tool read ran, on the
   delayed loopback sandbox.

No timing is asserted anywhere: the goal (a preview is one round trip: ratio <= 1.25x) is
reported here, as every speed goal of the project is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    GET_USER_BUCKET_PROBE,
    NO_LIMIT,
    NO_LIMIT_WINDOW,
    Plan,
    Samples,
    Sandbox,
    cpu_count,
    delayed,
    median,
    paired_ratio,
    sandbox,
    server_count,
    some_user_id,
    time_sync,
)
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langgraph.checkpoint.memory import InMemorySaver

from langchain_okta import OktaClient, OktaSettings, OktaToolkit
from langchain_okta.approvals import describe_call
from langchain_okta.previews import LOOKUP_LIMIT, lookup_search
from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, tool_call

GOAL = 1.25
NEW_PERSON = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}
PROFILE = {"firstName": "Grace", "lastName": "Hopper", "email": "grace.hopper@example.com"}
LOOKUP = lookup_search({**PROFILE, "login": PROFILE["email"]})


@dataclass(frozen=True)
class Config:
    users: int
    plan: Plan
    rtt: float
    stall_rounds: int


FULL = Config(users=250, plan=Plan(calls=20, rounds=15, warmup=20), rtt=0.020, stall_rounds=15)
QUICK = Config(users=20, plan=Plan(calls=2, rounds=3, warmup=1), rtt=0.002, stall_rounds=3)


@dataclass(frozen=True)
class Org:
    name: str
    client: OktaClient
    toolkit: OktaToolkit
    user_id: str
    count_requests: Callable[[], int]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the bench runs")
    parser.add_argument("--output", type=Path, help="also write the results as JSON here")
    options = parser.parse_args(argv)
    config = QUICK if options.quick else FULL
    results: dict[str, Any] = {
        "mode": "quick" if options.quick else "full",
        "cpus": cpu_count(),
        "python": sys.version.split()[0],
        "rtt_ms": config.rtt * 1000,
        "latency": {},
    }
    with in_process(config) as org:
        results["latency"][org.name] = latency(org, config.plan)
    with sandbox(users=config.users) as box:
        with on_loopback(box, "loopback") as org:
            results["latency"][org.name] = latency(org, config.plan)
        with delayed(box, config.rtt / 2) as far, on_loopback(far, "loopback+rtt") as org:
            results["latency"][org.name] = latency(org, config.plan)
            results["stall"] = asyncio.run(stalls(org, config.stall_rounds))
    print(report(results))
    if options.output:
        options.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


@contextmanager
def in_process(config: Config) -> Iterator[Org]:
    sandbox_org = SandboxOrg(
        users=config.users, rate_limit=RateLimit(limit=NO_LIMIT, window_seconds=NO_LIMIT_WINDOW)
    )
    transport = sandbox_org.transport()
    settings = OktaSettings.resolve(IN_PROCESS_URL, sandbox_org.token)
    with OktaClient(settings, transport=transport) as client:
        toolkit = OktaToolkit(IN_PROCESS_URL, sandbox_org.token, transport=transport)
        yield Org(
            "in process",
            client,
            toolkit,
            str(sandbox_org.users[1]["id"]),
            lambda: len(sandbox_org.requests),
        )


@contextmanager
def on_loopback(box: Sandbox, name: str) -> Iterator[Org]:
    settings = OktaSettings.resolve(box.url, box.token)
    with OktaClient(settings) as client:
        toolkit = OktaToolkit(box.url, box.token, check_admin=False)
        try:
            yield Org(name, client, toolkit, some_user_id(box), _ServerCount(box))
        finally:
            toolkit.client.close()


class _ServerCount:
    """Requests the sandbox process counted in the two buckets a preview uses, less the
    probes that read the counts (from X-Rate-Limit-Remaining; the sandbox has no limit)."""

    def __init__(self, box: Sandbox) -> None:
        self._box = box
        self._probes = 0

    def __call__(self) -> int:
        total = server_count(self._box, GET_USER_BUCKET_PROBE)
        total += server_count(self._box, "/api/v1/users", {"limit": "1"})
        self._probes += 2
        return total - self._probes


def latency(org: Org, plan: Plan) -> dict[str, Any]:
    update_args = {"user_id": org.user_id, "last_name": "Smith"}
    variants: dict[str, Callable[[], object]] = {
        "get_user": lambda: org.client.get_user(org.user_id),
        "update_description": lambda: describe_call(org.client, "okta_update_user", update_args),
        "search": lambda: org.client.list_users(search=LOOKUP, limit=LOOKUP_LIMIT),
        "create_description": lambda: describe_call(org.client, "okta_create_user", NEW_PERSON),
    }
    requests = _requests_per_description(org, update_args)
    samples = time_sync(variants, plan)
    return {
        "median_ms": {name: median(s.wall) * 1000 for name, s in samples.items()},
        "update_ratio": paired_ratio(samples["update_description"].wall, samples["get_user"].wall),
        "create_ratio": paired_ratio(samples["create_description"].wall, samples["search"].wall),
        "requests_per_description": requests,
        "samples": {name: _as_data(s) for name, s in samples.items()},
    }


def _requests_per_description(org: Org, update_args: dict[str, Any]) -> dict[str, int]:
    before = org.count_requests()
    describe_call(org.client, "okta_update_user", update_args)
    middle = org.count_requests()
    describe_call(org.client, "okta_create_user", NEW_PERSON)
    return {"update": middle - before, "create": org.count_requests() - middle}


async def stalls(org: Org, rounds: int) -> dict[str, Any]:
    """The loop's longest stall while an async agent runs to its approval pause, and while an
    async tool read runs (the read awaits its response; the preview cannot)."""
    calls = [
        tool_call("okta_update_user", {"user_id": org.user_id, "last_name": "Smith"}, f"c{n}")
        for n in range(rounds + 1)
    ]
    with_previews = _pausing(org, calls, org.toolkit.approval_policy())
    # The binding middleware: previews awaited in a node before the pause.
    bound = _pausing(org, calls, middleware=org.toolkit.approval_middleware())
    # The baseline: the same pause, described with the tool name and arguments only.
    plain = _pausing(org, calls, {"okta_update_user": True, "okta_create_user": True})
    get_user = next(tool for tool in org.toolkit.get_tools() if tool.name == "okta_get_user")

    async def read() -> object:
        return await get_user.ainvoke({"user_id": org.user_id})

    # Warm up: imports, graph compilation, connections.
    await with_previews()
    await bound()
    await plain()
    await read()
    measured: dict[str, list[float]] = {"preview": [], "bound": [], "plain": [], "read": []}
    for _ in range(rounds):
        measured["preview"].append(await _longest_stall(with_previews))
        measured["bound"].append(await _longest_stall(bound))
        measured["plain"].append(await _longest_stall(plain))
        measured["read"].append(await _longest_stall(read))
    return {
        "agent_pause_ms": median(measured["preview"]) * 1000,
        "agent_pause_bound_ms": median(measured["bound"]) * 1000,
        "agent_pause_plain_ms": median(measured["plain"]) * 1000,
        "tool_read_ms": median(measured["read"]) * 1000,
        "samples_ms": {name: [s * 1000 for s in values] for name, values in measured.items()},
    }


def _pausing(
    org: Org,
    calls: list[Any],
    interrupt_on: dict[str, Any] | None = None,
    middleware: list[Any] | None = None,
) -> Callable[[], Awaitable[object]]:
    """Runs a new thread of an async agent up to its approval pause, each time it is called."""
    agent = create_agent(
        ScriptedChatModel(script=list(calls)),
        org.toolkit.get_tools(),
        middleware=middleware or [HumanInTheLoopMiddleware(interrupt_on=interrupt_on or {})],
        checkpointer=InMemorySaver(),
    )
    threads = iter(range(len(calls)))

    async def pause() -> object:
        thread = {"configurable": {"thread_id": f"t{next(threads)}"}}
        result = await agent.ainvoke({"messages": [("user", "Rename them.")]}, thread, version="v2")
        if not result.interrupts:
            raise RuntimeError("the agent did not pause for approval")
        return result

    return pause


async def _longest_stall(work: Callable[[], Awaitable[object]]) -> float:
    """The longest time the loop went without running a task that does nothing but yield."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        await work()
    finally:
        done = True
        await task
    return longest


def _as_data(samples: Samples) -> dict[str, list[float]]:
    return {"wall": samples.wall, "cpu": samples.cpu}


def report(results: dict[str, Any]) -> str:
    lines = [
        f"Approval previews ({results['mode']}; {results['cpus']} CPUs, Python "
        f"{results['python']}; round trip added by the proxy: {results['rtt_ms']:.0f} ms)",
        "",
        "| where | get_user | update description | ratio | search | create description "
        "| ratio | requests per description |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, data in results["latency"].items():
        ms = data["median_ms"]
        counted = data["requests_per_description"]
        requests = f"update {counted['update']}, create {counted['create']}"
        lines.append(
            f"| {name} | {ms['get_user']:.2f} ms | {ms['update_description']:.2f} ms "
            f"| {data['update_ratio']:.2f}x | {ms['search']:.2f} ms "
            f"| {ms['create_description']:.2f} ms | {data['create_ratio']:.2f}x | {requests} |"
        )
    worst = max(
        max(data["update_ratio"], data["create_ratio"]) for data in results["latency"].values()
    )
    met = "met" if worst <= GOAL else "missed"
    stall = results["stall"]
    lines += [
        "",
        f"Goal: a description costs one round trip (ratio <= {GOAL:.2f}x): {met} "
        f"(worst {worst:.2f}x).",
        "",
        "Longest event-loop stall (median over rounds), loopback + "
        f"{results['rtt_ms']:.0f} ms round trip: async agent run to its approval pause "
        f"{stall['agent_pause_ms']:.1f} ms with previews (approval_policy), "
        f"{stall['agent_pause_bound_ms']:.1f} ms with approval_middleware (previews awaited "
        f"before the pause), {stall['agent_pause_plain_ms']:.1f} ms "
        "with the plain description (tool name and arguments); async okta_get_user ainvoke "
        f"{stall['tool_read_ms']:.1f} ms.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
