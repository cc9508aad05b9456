"""1. Per-call latency of fetching one user, sync and async, against its floors.

Floors: bare httpx (GET + .json()), and LangChain's own per-call cost (a no-op tool with
the same schema). Comparisons: Okta's SDK (aiohttp), and our client on an httpx-aiohttp
transport. All variants run interleaved, round by round, against one sandbox process.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import okta_sdk
from harness import (
    GET_USER_BUCKET_PROBE,
    Figure,
    Plan,
    Samples,
    Sandbox,
    Section,
    paired_ratio,
    ratio_spread,
    server_count,
    some_user_id,
    time_async,
    time_sync,
)
from noop_tool import noop_tool

from langchain_okta import OktaClient, OktaSettings, OktaToolkit
from langchain_okta.tools import GET_USER

CLIENT_GOAL = 1.10
TOOL_GOAL = 1.10
SDK_CHECK_CALLS = 20

LABELS = {
    "httpx": "bare httpx GET + .json()",
    "client": "OktaClient.get_user",
    "tool": "okta_get_user tool",
    "noop": "no-op StructuredTool (same schema)",
    "floor": "bare httpx GET + .json(), then the no-op tool, in one call",
    "aiohttp": "bare aiohttp GET + .json()",
    "client_aiohttp": "OktaClient.aget_user on httpx-aiohttp",
    "tool_aiohttp": "okta_get_user ainvoke on httpx-aiohttp",
    "sdk": "Okta SDK get_user, plain Client (new aiohttp session per call)",
    "sdk_session": "Okta SDK get_user in `async with Client` (shared session)",
}


def measure(box: Sandbox, plan: Plan) -> Section:
    section = Section("latency", "1. Per-call latency of one user fetch")
    user_id = some_user_id(box)
    before = server_count(box, GET_USER_BUCKET_PROBE)
    sync = _sync(box.url, box.token, user_id, plan)
    asynchronous, sdk_check = asyncio.run(_async(box.url, box.token, user_id, plan))
    after = server_count(box, GET_USER_BUCKET_PROBE)
    sent = after - before - 1  # the second probe
    per_variant = plan.warmup + plan.rounds * plan.calls
    fetching = [name for name in (*sync, *asynchronous) if name != "noop"]
    # + the two content checks (one invoke, one ainvoke) and the SDK cache check.
    expected = per_variant * len(fetching) + 2 + sdk_check.get("calls", 0)
    section.data.update(
        sync={name: _as_data(samples) for name, samples in sync.items()},
        asynchronous={name: _as_data(samples) for name, samples in asynchronous.items()},
        server_requests=sent,
        expected_requests=expected,
        sdk_check=sdk_check,
        plan={"calls": plan.calls, "rounds": plan.rounds, "warmup": plan.warmup},
    )
    section.figures += _figures("sync", sync)
    section.figures += _figures("async", asynchronous)
    section.details += _details(sync, asynchronous, plan, sent, expected, sdk_check)
    return section


# -- sync ------------------------------------------------------------------------------------


def _sync(url: str, token: str, user_id: str, plan: Plan) -> dict[str, Samples]:
    user_url = f"{url}/api/v1/users/{user_id}"
    auth = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    toolkit = OktaToolkit(url, token, check_admin=False)
    tool = _get_user_tool(toolkit)
    noop = noop_tool()
    args = {"user_id": user_id}
    with httpx.Client(headers=auth) as http, OktaClient(OktaSettings.resolve(url, token)) as client:
        _check_content(tool.invoke(args))
        variants: dict[str, Callable[[], object]] = {
            "httpx": lambda: http.get(user_url).json(),
            "client": lambda: client.get_user(user_id),
            "tool": lambda: tool.invoke(args),
            "noop": lambda: noop.invoke(args),
            "floor": lambda: (http.get(user_url).json(), noop.invoke(args)),
        }
        try:
            return time_sync(variants, plan)
        finally:
            toolkit.client.close()


# -- async -----------------------------------------------------------------------------------


async def _async(
    url: str, token: str, user_id: str, plan: Plan
) -> tuple[dict[str, Samples], dict[str, Any]]:
    user_url = f"{url}/api/v1/users/{user_id}"
    auth = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    args = {"user_id": user_id}
    settings = OktaSettings.resolve(url, token)
    closers: list[Callable[[], Awaitable[object]]] = []

    http = httpx.AsyncClient(headers=auth)
    client = OktaClient(settings)
    toolkit = OktaToolkit(url, token, check_admin=False)
    tool = _get_user_tool(toolkit)
    noop = noop_tool()
    closers += [http.aclose, client.aclose, toolkit.client.aclose]

    async def bare_httpx() -> object:
        return (await http.get(user_url)).json()

    async def floor() -> object:
        (await http.get(user_url)).json()
        return await noop.ainvoke(args)

    variants: dict[str, Callable[[], Awaitable[object]]] = {
        "httpx": bare_httpx,
        "client": lambda: client.aget_user(user_id),
        "tool": lambda: tool.ainvoke(args),
        "noop": lambda: noop.ainvoke(args),
        "floor": floor,
    }
    sdk_check: dict[str, Any] = {}
    if importlib.util.find_spec("aiohttp") is not None:
        import aiohttp

        session = aiohttp.ClientSession(headers=auth)
        closers.append(session.close)

        async def bare_aiohttp() -> object:
            async with session.get(user_url) as response:
                return await response.json()

        variants["aiohttp"] = bare_aiohttp
        if importlib.util.find_spec("httpx_aiohttp") is not None:
            from httpx_aiohttp import AiohttpTransport

            on_aiohttp = OktaClient(settings, async_transport=AiohttpTransport)
            toolkit_on_aiohttp = OktaToolkit(
                url, token, check_admin=False, transport=AiohttpTransport
            )
            tool_on_aiohttp = _get_user_tool(toolkit_on_aiohttp)
            closers += [on_aiohttp.aclose, toolkit_on_aiohttp.client.aclose]
            variants["client_aiohttp"] = lambda: on_aiohttp.aget_user(user_id)
            variants["tool_aiohttp"] = lambda: tool_on_aiohttp.ainvoke(args)
        if okta_sdk.available():
            sdk = okta_sdk.client(url, token)
            sdk_session = aiohttp.ClientSession()
            closers.append(sdk_session.close)
            shared = okta_sdk.client(url, token, session=sdk_session)
            variants["sdk"] = lambda: okta_sdk.get_user(sdk, user_id)
            variants["sdk_session"] = lambda: okta_sdk.get_user(shared, user_id)
            sdk_check = await _check_sdk_sends_each_request(url, token, user_id)
    try:
        _check_content(await tool.ainvoke(args))
        return await time_async(variants, plan), sdk_check
    finally:
        for close in closers:
            await close()


async def _check_sdk_sends_each_request(url: str, token: str, user_id: str) -> dict[str, Any]:
    """The SDK's cache is off: N calls are N requests on the wire (counted by status)."""
    statuses: Counter[int | None] = Counter()
    sdk = okta_sdk.client(url, token, counter=statuses)
    for _ in range(SDK_CHECK_CALLS):
        await okta_sdk.get_user(sdk, user_id)
    sent = sum(statuses.values())
    if sent != SDK_CHECK_CALLS:
        raise RuntimeError(f"the Okta SDK sent {sent} requests for {SDK_CHECK_CALLS} calls")
    return {"calls": SDK_CHECK_CALLS, "requests": sent, "statuses": dict(statuses)}


# -- figures ---------------------------------------------------------------------------------


def _figures(mode: str, samples: dict[str, Samples]) -> list[Figure]:
    us = 1e6
    key = "1s" if mode == "sync" else "1a"
    httpx_, client, tool, noop, floor = (
        samples[n] for n in ("httpx", "client", "tool", "noop", "floor")
    )
    client_ratio = paired_ratio(client.wall, httpx_.wall)
    tool_ratio = paired_ratio(tool.wall, floor.wall)
    apart = [h + n for h, n in zip(httpx_.wall, noop.wall, strict=True)]
    noop_after_request = (floor.wall_median - httpx_.wall_median) * us
    figures = [
        Figure(
            f"{key}.client",
            "latency",
            f"{mode}: OktaClient.get_user",
            client.wall_median * us,
            "µs/call",
            f"bare httpx ({mode})",
            httpx_.wall_median * us,
            client_ratio,
            "client / httpx",
            f"≤ {CLIENT_GOAL:.2f}x",
            client_ratio <= CLIENT_GOAL,
            note=f"middle half of the per-round ratios: {ratio_spread(client.wall, httpx_.wall)}",
        ),
        Figure(
            f"{key}.tool",
            "latency",
            f"{mode}: okta_get_user {'invoke' if mode == 'sync' else 'ainvoke'}",
            tool.wall_median * us,
            "µs/call",
            "httpx + no-op tool, in one call",
            floor.wall_median * us,
            tool_ratio,
            "tool / (httpx + no-op tool)",
            f"≤ {TOOL_GOAL:.2f}x",
            tool_ratio <= TOOL_GOAL,
            note=(
                f"middle half of the per-round ratios: {ratio_spread(tool.wall, floor.wall)}; "
                f"{paired_ratio(tool.wall, apart):.2f}x httpx and no-op measured apart; the "
                f"no-op costs {noop.wall_median * us:,.0f} µs on its own, "
                f"{noop_after_request:,.0f} µs right after a request"
            ),
        ),
        Figure(
            f"{key}.noop",
            "latency",
            f"{mode}: no-op tool (LangChain's own cost)",
            noop.wall_median * us,
            "µs/call",
            f"bare httpx ({mode})",
            httpx_.wall_median * us,
            paired_ratio(noop.wall, httpx_.wall),
            "no-op tool / httpx",
        ),
    ]
    if "aiohttp" in samples:
        figures.append(
            Figure(
                f"{key}.aiohttp",
                "latency",
                "async: bare aiohttp (SDK's HTTP stack)",
                samples["aiohttp"].wall_median * us,
                "µs/call",
                "bare httpx (async)",
                httpx_.wall_median * us,
                paired_ratio(samples["aiohttp"].wall, httpx_.wall),
                "aiohttp / httpx",
            )
        )
    for name, label in (
        ("sdk", "Okta SDK, plain Client"),
        ("sdk_session", "Okta SDK, async with Client"),
    ):
        if name in samples:
            figures.append(
                Figure(
                    f"{key}.{name}",
                    "latency",
                    f"async: {label} get_user",
                    samples[name].wall_median * us,
                    "µs/call",
                    "OktaClient.aget_user",
                    client.wall_median * us,
                    paired_ratio(samples[name].wall, client.wall),
                    "SDK / ours",
                    note="> 1: ours is faster",
                )
            )
    if "client_aiohttp" in samples:
        versus = "sdk_session" if "sdk_session" in samples else "aiohttp"
        figures.append(
            Figure(
                f"{key}.client_aiohttp",
                "latency",
                "async: OktaClient on httpx-aiohttp",
                samples["client_aiohttp"].wall_median * us,
                "µs/call",
                "OktaClient on httpx (default)",
                client.wall_median * us,
                paired_ratio(samples["client_aiohttp"].wall, client.wall),
                "aiohttp transport / default",
                note=(
                    f"{paired_ratio(samples['client_aiohttp'].wall, samples[versus].wall):.2f}x "
                    f"the time of {LABELS[versus]}"
                ),
            )
        )
    return figures


def _details(
    sync: dict[str, Samples],
    asynchronous: dict[str, Samples],
    plan: Plan,
    sent: int,
    expected: int,
    sdk_check: dict[str, Any],
) -> list[str]:
    lines = [
        "The tool's floor is bare httpx and the no-op tool in one call: measured on its own, "
        "the no-op tool runs with warm caches, while in a real tool LangChain's own work "
        "follows a blocking request, and costs more (see the notes above).",
        "",
        f"Each variant: {plan.warmup} warm-up calls, then {plan.rounds} rounds of "
        f"{plan.calls} calls, variants interleaved round by round (rotating who goes first). "
        "Figures are medians over rounds; ratios are medians of the per-round ratios. "
        "Client CPU is this process's CPU time per call (the server runs in its own process).",
        "",
        "| mode | variant | wall µs/call (median) | fastest round | client CPU µs/call |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for mode, samples in (("sync", sync), ("async", asynchronous)):
        for name, sample in samples.items():
            lines.append(
                f"| {mode} | {LABELS[name]} | {sample.wall_median * 1e6:,.0f} | "
                f"{min(sample.wall) * 1e6:,.0f} | {sample.cpu_median * 1e6:,.0f} |"
            )
    lines += [
        "",
        f"Requests the sandbox counted on GET /api/v1/users/{{id}} during these runs: {sent:,} "
        f"(expected {expected:,}: every call of every variant but the no-op sends one).",
    ]
    if sdk_check:
        lines.append(
            f"SDK cache check: {sdk_check['calls']} SDK calls sent {sdk_check['requests']} "
            "requests (cache disabled explicitly)."
        )
    return lines


def _as_data(samples: Samples) -> dict[str, Any]:
    return {"wall": samples.wall, "cpu": samples.cpu}


def _get_user_tool(toolkit: OktaToolkit) -> Any:
    return next(tool for tool in toolkit.get_tools() if tool.name == GET_USER)


def _check_content(content: object) -> None:
    if not (isinstance(content, str) and content.startswith('{"user":')):
        raise RuntimeError(f"okta_get_user did not return a user: {content!r}")
