"""5. Concurrency, and 6. throughput under Okta's rate limit.

5: N `ainvoke` calls of okta_get_user at once (the client's default concurrency bound does
   the pacing) against the same calls one after another.
6: a sandbox whose every endpoint allows `limit` requests per `window` seconds; N calls at
   once through our tool, then through Okta's SDK. Both start on a window boundary (the
   sandbox's windows are aligned to the clock, as Okta's per-minute ones), so a perfect
   client finishes as the last window it needs opens: ideal = (ceil(N / limit) - 1) x window.
   Share of the limit = ideal / elapsed. 429s are counted from the responses on the wire.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import okta_sdk
from harness import (
    AsyncCountingTransport,
    Figure,
    Sandbox,
    SandboxSpec,
    Section,
    default_transport,
    delayed,
    median,
    some_user_id,
)

from langchain_okta import OktaSettings, OktaToolkit, RetrySettings
from langchain_okta.tools import GET_USER

RATE_GOAL = 0.90
# Long enough for every call of the burst to wait for its window: the default budget (20 s)
# refuses, by design, calls that would wait longer, and the burst needs 20 s + a few ms.
LONG_WAIT = 60.0
# Start this long after a window opens, so no request lands in the previous window.
ALIGN_MARGIN = 0.02
USER_CONTENT = '{"user":'


# -- 5. concurrency --------------------------------------------------------------------------


def measure_concurrency(box: Sandbox, *, calls: int, rounds: int, rtt: float) -> Section:
    """On loopback, and behind a proxy that adds `rtt` seconds to every round trip."""
    section = Section("concurrency", "5. Concurrency: ainvoke at once vs one after another")
    vias = [via for via in VIAS if via != "aiohttp" or importlib.util.find_spec("aiohttp")]
    runs = {via: asyncio.run(_concurrency(box, calls, rounds, via)) for via in vias}
    with delayed(box, rtt / 2) as far:
        runs["tool_rtt"] = asyncio.run(_concurrency(far, calls, 1, "tool"))
    section.data.update(runs, rtt=rtt)
    bound = runs["tool"]["max_concurrency"]
    labels = {
        **VIAS,
        "tool_rtt": f"okta_get_user ainvoke, {rtt * 1000:g} ms round trip",
    }
    for via, run in runs.items():
        sequential, concurrent = median(run["sequential"]), median(run["concurrent"])
        section.figures.append(
            Figure(
                f"5.{via}",
                "concurrency",
                f"{calls} {labels[via]} at once (bound {bound})",
                calls / concurrent,
                "calls/s",
                "the same calls one after another",
                calls / sequential,
                sequential / concurrent,
                "throughput at once / sequential",
                note=f"peak in flight {run['peak_in_flight']} (bound {bound}); this "
                f"process's CPU busy {median(run['cpu_busy']):.0%} of the time at once, "
                f"{median(run['cpu_busy_sequential']):.0%} one after another",
            )
        )
    section.details.append(
        f"Median of {rounds} rounds (sequential and concurrent alternating; one round with "
        "the added round trip). The bare clients get the same bound as ours: a pool of "
        f"{bound} connections and a semaphore of {bound}. CPU busy: this process's CPU time "
        "over the wall time; near 100% means the caller itself, not the server nor the "
        "bound, limits the throughput. The client and the sandbox process share this "
        "machine's CPUs. On loopback a round trip costs well under a millisecond, so there "
        f"is little waiting for concurrency to overlap; the {rtt * 1000:g} ms round trip (a "
        "proxy process, `delay_proxy.py`, delaying both directions) stands in for the "
        "network to Okta."
    )
    return section


VIAS = {
    "tool": "okta_get_user ainvoke",
    "client": "OktaClient.aget_user",
    "httpx": "bare httpx GET + .json()",
    "aiohttp": "bare aiohttp GET + .json()",
}


async def _concurrency(box: Sandbox, calls: int, rounds: int, via: str) -> dict[str, Any]:
    settings = OktaSettings.resolve(box.url, box.token)
    bound = settings.max_concurrency
    transport = AsyncCountingTransport(default_transport(bound))
    toolkit = OktaToolkit(box.url, box.token, check_admin=False, transport=transport)
    tool = next(tool for tool in toolkit.get_tools() if tool.name == GET_USER)
    user_id = some_user_id(box)
    args = {"user_id": user_id}
    url = f"{box.url}/api/v1/users/{user_id}"
    http = httpx.AsyncClient(headers=box.auth, limits=httpx.Limits(max_connections=bound))
    session = _aiohttp_session(box, bound) if via == "aiohttp" else None
    gate = asyncio.Semaphore(bound)
    flight = {"now": 0, "peak": 0}

    async def bare() -> None:
        async with gate:
            flight["now"] += 1
            flight["peak"] = max(flight["peak"], flight["now"])
            try:
                if session is not None:
                    async with session.get(url) as response:
                        await response.json()
                else:
                    (await http.get(url)).json()
            finally:
                flight["now"] -= 1

    async def one() -> None:
        if via == "tool":
            _check(await tool.ainvoke(args))
        elif via == "client":
            await toolkit.client.aget_user(user_id)
        else:
            await bare()

    sequential: list[float] = []
    concurrent: list[float] = []
    busy: list[float] = []
    busy_sequential: list[float] = []
    try:
        for _ in range(min(calls, 20)):
            await one()
        for _ in range(rounds):
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                await one()
            sequential.append(time.perf_counter() - start)
            busy_sequential.append((time.process_time() - cpu) / sequential[-1])
            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(one() for _ in range(calls)))
            concurrent.append(time.perf_counter() - start)
            busy.append((time.process_time() - cpu) / concurrent[-1])
    finally:
        await toolkit.client.aclose()
        await http.aclose()
        if session is not None:
            await session.close()
    return {
        "calls": calls,
        "sequential": sequential,
        "concurrent": concurrent,
        "cpu_busy": busy,
        "cpu_busy_sequential": busy_sequential,
        "max_concurrency": bound,
        "peak_in_flight": transport.peak_in_flight if via in ("tool", "client") else flight["peak"],
    }


def _aiohttp_session(box: Sandbox, bound: int) -> Any:
    import aiohttp

    return aiohttp.ClientSession(headers=box.auth, connector=aiohttp.TCPConnector(limit=bound))


def _check(output: object) -> None:
    if not (isinstance(output, str) and output.startswith(USER_CONTENT)):
        raise RuntimeError(f"okta_get_user failed: {output!r}")


# -- 6. under the rate limit -----------------------------------------------------------------


@dataclass
class RateRun:
    who: str
    calls: int
    ok: int
    elapsed: float
    ideal: float
    statuses: dict[str, int]
    failures: dict[str, int] = field(default_factory=dict)
    peak_in_flight: int | None = None

    @property
    def share(self) -> float:
        return self.ideal / self.elapsed

    @property
    def too_many(self) -> int:
        return self.statuses.get("429", 0)


def rate_limit_spec(limit: int, window: float) -> SandboxSpec:
    return SandboxSpec(users=50, rate_limit=limit, window=window)


def measure_rate_limit(box: Sandbox, *, calls: int, sdk_unbounded: bool) -> Section:
    """`box`: a sandbox started from `rate_limit_spec(...)`."""
    limit, window = box.rate_limit, box.window
    section = Section(
        "rate_limit", f"6. Throughput under a rate limit of {limit} requests per {window:g} s"
    )
    runs: list[RateRun] = []
    user_id = some_user_id(box)
    runs.append(asyncio.run(_ours(box, user_id, calls, limit, window, LONG_WAIT)))
    runs.append(asyncio.run(_ours(box, user_id, calls, limit, window, None)))
    if okta_sdk.available():
        bound = OktaSettings.resolve(box.url, box.token).max_concurrency
        runs.append(asyncio.run(_sdk(box, user_id, calls, limit, window, bound)))
        if sdk_unbounded:
            runs.append(asyncio.run(_sdk(box, user_id, calls, limit, window, None)))
    else:
        section.skipped = "okta not installed: SDK comparison skipped"
    section.data["runs"] = [dict(vars(run), share=run.share) for run in runs]
    ours = runs[0]
    section.figures.append(
        Figure(
            "6.ours",
            "rate_limit",
            f"ours, max_wait {LONG_WAIT:g} s: {calls} okta_get_user ainvoke at once "
            f"({_outcome(ours)})",
            ours.elapsed,
            "s",
            "ideal, limit-bound time",
            ours.ideal,
            ours.share,
            "share of the limit (ideal / elapsed)",
            f"≥ {RATE_GOAL:.0%}, 0 429s, all succeed",
            ours.share >= RATE_GOAL and ours.too_many == 0 and ours.ok == calls,
            _summary(ours),
            percent=True,
        )
    )
    for run in runs[1:]:
        section.figures.append(
            Figure(
                f"6.{run.who}",
                "rate_limit",
                f"{_label(run.who)}: the same {calls} calls ({_outcome(run)})",
                run.elapsed,
                "s",
                "ideal, limit-bound time",
                run.ideal,
                run.share,
                "share of the limit (ideal / elapsed)",
                note=_summary(run),
                percent=True,
            )
        )
    section.details.append(
        "Every run starts just after a window opens. Elapsed runs from the first call to "
        f"the last answer. The goal is judged with retries.max_wait = {LONG_WAIT:g} s, so "
        "that every call may wait for its window; with the default 20 s, the calls of the "
        "last window are refused by the client before sending (by design: the agent is told "
        "when to retry). 429s: responses with status 429 seen on the wire (the retries "
        "included). A call fails when it returns an error instead of the user: a tool call "
        "reports it in its content; the SDK returns it."
    )
    for run in runs:
        if run.failures:
            reasons = "; ".join(f"{count} x {text}" for text, count in run.failures.items())
            section.details.append(f"{_label(run.who)} failures: {reasons}")
    return section


def _label(who: str) -> str:
    return {
        "ours": f"ours, retries.max_wait {LONG_WAIT:g} s",
        "ours_default": "ours, default retries (max_wait 20 s)",
        "sdk": "Okta SDK, async with Client, bounded like ours",
        "sdk_unbounded": "Okta SDK, async with Client, unbounded (aiohttp's 100 connections)",
    }[who]


def _outcome(run: RateRun) -> str:
    return f"{run.ok}/{run.calls} ok, {run.too_many} 429s"


def _summary(run: RateRun) -> str:
    return (
        f"{run.ok}/{run.calls} ok in {run.elapsed:.1f} s (ideal {run.ideal:.0f} s), "
        f"{run.too_many} 429s"
        + (f", peak in flight {run.peak_in_flight}" if run.peak_in_flight is not None else "")
    )


async def _at_window_start(window: float) -> None:
    now = time.time()
    await asyncio.sleep((math.floor(now / window) + 1) * window - now + ALIGN_MARGIN)


def _ideal(ok: int, limit: int, window: float) -> float:
    return max(math.ceil(ok / limit) - 1, 0) * window


async def _ours(
    box: Sandbox, user_id: str, calls: int, limit: int, window: float, max_wait: float | None
) -> RateRun:
    settings = OktaSettings.resolve(box.url, box.token)
    transport = AsyncCountingTransport(default_transport(settings.max_concurrency))
    retries = RetrySettings(max_wait=max_wait) if max_wait is not None else None
    toolkit = OktaToolkit(
        box.url, box.token, check_admin=False, transport=transport, retries=retries
    )
    tool = next(tool for tool in toolkit.get_tools() if tool.name == GET_USER)
    args = {"user_id": user_id}
    try:
        await _at_window_start(window)
        start = time.perf_counter()
        outputs = await asyncio.gather(*(tool.ainvoke(args) for _ in range(calls)))
        elapsed = time.perf_counter() - start
    finally:
        await toolkit.client.aclose()
    failures = Counter(
        str(output)[:90] for output in outputs if not str(output).startswith(USER_CONTENT)
    )
    ok = calls - sum(failures.values())
    return RateRun(
        "ours" if max_wait is not None else "ours_default",
        calls,
        ok,
        elapsed,
        _ideal(ok, limit, window),
        {str(status): count for status, count in sorted(transport.statuses.items())},
        dict(failures),
        transport.peak_in_flight,
    )


async def _sdk(
    box: Sandbox, user_id: str, calls: int, limit: int, window: float, bound: int | None
) -> RateRun:
    import aiohttp

    statuses: Counter[int | None] = Counter()
    session = aiohttp.ClientSession()
    sdk = okta_sdk.client(box.url, box.token, session=session, counter=statuses)
    gate = asyncio.Semaphore(bound or calls)

    async def one() -> str | None:
        async with gate:
            _user, _response, error = await sdk.get_user(user_id)
        return None if error is None else str(error)[:90]

    try:
        await _at_window_start(window)
        start = time.perf_counter()
        errors = await asyncio.gather(*(one() for _ in range(calls)))
        elapsed = time.perf_counter() - start
    finally:
        await session.close()
    failures = Counter(error for error in errors if error is not None)
    ok = calls - sum(failures.values())
    return RateRun(
        "sdk" if bound else "sdk_unbounded",
        calls,
        ok,
        elapsed,
        _ideal(ok, limit, window),
        {str(status): count for status, count in sorted(statuses.items(), key=str)},
        dict(failures),
    )
