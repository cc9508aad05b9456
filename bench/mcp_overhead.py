"""What serving the tools over MCP costs per call, against calling the tool directly.

`python bench/mcp_overhead.py [--quick] [--output PATH]`

One loopback sandbox org (its own process) stands in for Okta. Against it, in interleaved
rounds (medians of per-round ratios, as everywhere in bench/):

1. `okta_get_user` called directly (`tool.ainvoke`, the baseline), and through the MCP
   server: in this process over the SDK's in-memory connection (the SDK's own cost, no
   transport), and as `langchain-okta-mcp` subprocesses configured with the org's URL and
   token as a user would: stdio on protocol 2026-07-28, stdio on 2025-11-25, streamable HTTP
   on loopback. Wall time per call: the server's CPU is another process's.
2. A confirmed `okta_update_user` (preview, elicitation answered at once, bound write) through
   the in-memory server against the direct tool call: time and requests to the org.

No timing is asserted anywhere; the figures go to RESULTS_MCP.md beside this script.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import httpx2
import mcp_types as types
from harness import (
    AsyncCountingTransport,
    Plan,
    Sandbox,
    cpu_count,
    paired_ratio,
    ratio_spread,
    sandbox,
    some_user_id,
    time_async,
    versions,
)
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client

from langchain_okta import OktaToolkit
from langchain_okta.mcp import build_server
from langchain_okta.mcp.command import ENDPOINT_LINE
from langchain_okta.mcp.http_auth import TOKEN_VARIABLE

HERE = Path(__file__).resolve().parent
SERVER = [sys.executable, "-m", "langchain_okta.mcp"]
HTTP_TOKEN = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Config:
    users: int
    plan: Plan
    write_plan: Plan


FULL = Config(
    users=250,
    plan=Plan(calls=50, rounds=15, warmup=30),
    write_plan=Plan(calls=20, rounds=11, warmup=10),
)
QUICK = Config(
    users=20, plan=Plan(calls=2, rounds=2, warmup=1), write_plan=Plan(calls=2, rounds=2, warmup=1)
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the bench runs")
    parser.add_argument(
        "--output", type=Path, default=HERE / "RESULTS_MCP.md", help="the report (and .json)"
    )
    options = parser.parse_args(argv)
    config = QUICK if options.quick else FULL
    with sandbox(users=config.users) as box, _http_server(box) as http_url:
        results = asyncio.run(measure(box, http_url, config))
    results.update(
        mode="quick" if options.quick else "full",
        cpus=cpu_count(),
        python=sys.version.split()[0],
        versions=versions(["mcp", "langchain-core", "httpx"]),
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command="python bench/mcp_overhead.py" + (" --quick" if options.quick else ""),
    )
    text = report(results)
    print(text)
    options.output.write_text(text)
    options.output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


async def measure(box: Sandbox, http_url: str, config: Config) -> dict[str, Any]:
    user_id = some_user_id(box)
    counting = AsyncCountingTransport(httpx.AsyncHTTPTransport())
    async with AsyncExitStack() as stack:
        toolkit = await OktaToolkit.acreate(box.url, box.token, transport=counting)
        stack.push_async_callback(toolkit.aclose)
        tools = {tool.name: tool for tool in toolkit.get_tools()}
        server = build_server(toolkit)
        clients = {
            "mcp in memory": Client(server, elicitation_callback=_accept),
            "mcp in memory 2025-11-25": Client(server, mode="legacy", elicitation_callback=_accept),
            "mcp stdio": Client(_stdio(box)),
            "mcp stdio 2025-11-25": Client(_stdio(box), mode="legacy"),
            "mcp http": Client(_AuthorizedHttp(http_url)),
            "mcp http 2025-11-25": Client(_AuthorizedHttp(http_url), mode="legacy"),
        }
        for client in clients.values():
            await stack.enter_async_context(client)

        get = {"user_id": user_id}
        read_variants: dict[str, Callable[[], Awaitable[object]]] = {
            "direct": lambda: _direct(tools["okta_get_user"], get),
        }
        for name, client in clients.items():
            if name != "mcp in memory 2025-11-25":
                read_variants[name] = _mcp(client, "okta_get_user", get)
        reads = await time_async(read_variants, config.plan)

        names = itertools.cycle(["Ada", "Grace"])

        def update() -> dict[str, str]:
            return {"user_id": user_id, "first_name": next(names)}

        write_variants: dict[str, Callable[[], Awaitable[object]]] = {
            "direct": lambda: _direct(tools["okta_update_user"], update()),
            "mcp in memory": lambda: _mcp(clients["mcp in memory"], "okta_update_user", update())(),
            "mcp in memory 2025-11-25": lambda: _mcp(
                clients["mcp in memory 2025-11-25"], "okta_update_user", update()
            )(),
        }
        writes = await time_async(write_variants, config.write_plan)
        requests = {
            name: await _requests_per_call(counting, call) for name, call in write_variants.items()
        }
    return {
        "users": config.users,
        "reads": _figures(reads),
        "writes": _figures(writes),
        "requests_per_update": requests,
    }


def _figures(samples: dict[str, Any]) -> dict[str, Any]:
    base = samples["direct"].wall
    return {
        name: {
            "ms": round(found.wall_median * 1000, 3),
            "ratio": round(paired_ratio(found.wall, base), 3),
            "spread": ratio_spread(found.wall, base),
            "overhead_ms": round((found.wall_median - samples["direct"].wall_median) * 1000, 3),
        }
        for name, found in samples.items()
    }


async def _requests_per_call(
    counting: AsyncCountingTransport, call: Callable[[], Awaitable[object]]
) -> int:
    before = sum(counting.statuses.values())
    await call()
    return sum(counting.statuses.values()) - before


async def _direct(tool: Any, arguments: dict[str, str]) -> None:
    message = await tool.ainvoke(
        {"type": "tool_call", "id": "bench", "name": tool.name, "args": arguments}
    )
    if message.status == "error":
        raise RuntimeError(message.content)


def _mcp(client: Client, name: str, arguments: dict[str, str]) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        result = await client.call_tool(name, arguments)
        if result.is_error:
            raise RuntimeError(result.content)

    return call


async def _accept(
    context: ClientRequestContext, params: types.ElicitRequestParams
) -> types.ElicitResult:
    return types.ElicitResult(action="accept", content={"confirm": True})


def _environment(box: Sandbox) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "OKTA_ORG_URL": box.url,
        "OKTA_API_TOKEN": box.token,
        TOKEN_VARIABLE: HTTP_TOKEN,
    }


class _AuthorizedHttp:
    """The SDK's streamable HTTP transport, sending the server's bearer token."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {HTTP_TOKEN}"})
        self._transport: Any = None

    async def __aenter__(self) -> Any:
        self._transport = streamable_http_client(self._url, http_client=self._http)
        return await self._transport.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self._transport.__aexit__(*exc)
        finally:
            await self._http.aclose()


def _stdio(box: Sandbox) -> StdioServerParameters:
    return StdioServerParameters(command=SERVER[0], args=SERVER[1:], env=_environment(box))


@contextmanager
def _http_server(box: Sandbox) -> Iterator[str]:
    """`langchain-okta-mcp --transport http --port 0` on the org, and its endpoint."""
    process = subprocess.Popen(
        [*SERVER, "--transport", "http", "--port", "0"],
        env=_environment(box),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            if line.startswith(ENDPOINT_LINE):
                url = line.removeprefix(ENDPOINT_LINE).strip()
                break
        if url is None:
            raise RuntimeError("the MCP HTTP server did not start")
        drain = threading.Thread(target=lambda: [None for _ in process.stderr or []], daemon=True)
        drain.start()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr is not None:
            process.stderr.close()


def report(results: dict[str, Any]) -> str:
    lines = [
        "# MCP round-trip overhead",
        "",
        f"`{results['command']}`, {results['started']}, {results['mode']} mode, "
        f"{results['cpus']} CPUs, Python {results['python']}, "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items())
        + f". A loopback sandbox org of {results['users']} users stands in for Okta.",
        "",
        "Wall time per call, median of interleaved rounds; ratio: median of the per-round "
        "ratios to the direct call measured in the same rounds (middle half in brackets).",
        "",
        "## okta_get_user",
        "",
        "| path | ms per call | vs direct | overhead ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, figure in results["reads"].items():
        lines.append(
            f"| {name} | {figure['ms']:.2f} | {figure['ratio']:.2f}x ({figure['spread']}) | "
            f"{figure['overhead_ms']:.2f} |"
        )
    lines += [
        "",
        "## okta_update_user, confirmed (elicitation answered at once)",
        "",
        "| path | ms per call | vs direct | requests to the org |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, figure in results["writes"].items():
        lines.append(
            f"| {name} | {figure['ms']:.2f} | {figure['ratio']:.2f}x ({figure['spread']}) | "
            f"{results['requests_per_update'][name]} |"
        )
    lines += [
        "",
        "A confirmed update reads the user for the preview (with its ETag), then sends the "
        "approved write as the approval middleware does: a read by the previewed id and the "
        "write with If-Match on the previewed version.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
