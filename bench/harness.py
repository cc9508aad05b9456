"""What every measurement shares: the sandbox subprocess, timing, figures, counting transports."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import queue
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Large enough that no measurement but the rate-limit one ever meets the sandbox's limit;
# the long window also keeps X-Rate-Limit-Remaining counting one bucket's requests.
NO_LIMIT = 1_000_000_000
NO_LIMIT_WINDOW = 1_000_000.0
GET_USER_BUCKET_PROBE = "/api/v1/users/me"
START_TIMEOUT = 120.0
HERE = Path(__file__).resolve().parent


# -- figures ---------------------------------------------------------------------------------


@dataclass
class Figure:
    """One line of RESULTS.md: a value, what it is compared with, and the goal if any."""

    key: str
    section: str
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    ratio: float | None = None
    ratio_label: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""
    # Show the ratio as a percentage (a share) rather than as "1.23x".
    percent: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Median of the per-round ratios: robust to drift that affects both sides of a round."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def ratio_spread(numerator: Sequence[float], denominator: Sequence[float]) -> str:
    """The middle half of the per-round ratios, e.g. "1.05-1.14x", to judge a borderline."""
    ratios = [a / b for a, b in zip(numerator, denominator, strict=True)]
    if len(ratios) < 4:
        return f"{min(ratios):.2f}-{max(ratios):.2f}x"
    low, _, high = statistics.quantiles(ratios, n=4)
    return f"{low:.2f}-{high:.2f}x"


# -- timing ----------------------------------------------------------------------------------


@dataclass
class Samples:
    """Seconds per call (wall and this process's CPU), one value per round."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_median(self) -> float:
        return median(self.wall)

    @property
    def cpu_median(self) -> float:
        return median(self.cpu)


@dataclass(frozen=True)
class Plan:
    """How many calls to time: `warmup` first, then `rounds` of `calls` each."""

    calls: int
    rounds: int
    warmup: int


def _orders(names: Sequence[str], rounds: int) -> Iterator[list[str]]:
    """Interleave variants and rotate who goes first, so drift hits all of them alike."""
    for index in range(rounds):
        shift = index % len(names)
        yield list(names[shift:]) + list(names[:shift])


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move everything alive now out of the collector's sight, so that the collection before
    each timed batch only walks what the measurement itself allocated (after importing the
    Okta SDK, a full collection takes a few hundred milliseconds)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def time_sync(variants: Mapping[str, Callable[[], object]], plan: Plan) -> dict[str, Samples]:
    for call in variants.values():
        for _ in range(plan.warmup):
            call()
    samples = {name: Samples() for name in variants}
    with frozen_heap():
        for order in _orders(list(variants), plan.rounds):
            for name in order:
                call = variants[name]
                gc.collect()
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(plan.calls):
                    call()
                samples[name].wall.append((time.perf_counter() - wall) / plan.calls)
                samples[name].cpu.append((time.process_time() - cpu) / plan.calls)
    return samples


async def time_async(
    variants: Mapping[str, Callable[[], Awaitable[object]]], plan: Plan
) -> dict[str, Samples]:
    for call in variants.values():
        for _ in range(plan.warmup):
            await call()
    samples = {name: Samples() for name in variants}
    with frozen_heap():
        for order in _orders(list(variants), plan.rounds):
            for name in order:
                call = variants[name]
                gc.collect()
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(plan.calls):
                    await call()
                samples[name].wall.append((time.perf_counter() - wall) / plan.calls)
                samples[name].cpu.append((time.process_time() - cpu) / plan.calls)
    return samples


# -- the sandbox in a subprocess -------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    url: str
    token: str
    users: int
    rate_limit: int
    window: float

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"SSWS {self.token}", "Accept": "application/json"}


@dataclass(frozen=True)
class SandboxSpec:
    users: int
    rate_limit: int = NO_LIMIT
    window: float = NO_LIMIT_WINDOW


@contextmanager
def sandbox(
    *, users: int, rate_limit: int = NO_LIMIT, window: float = NO_LIMIT_WINDOW
) -> Iterator[Sandbox]:
    """`python -m langchain_okta.sandbox` on a free loopback port, in its own process."""
    with sandboxes([SandboxSpec(users, rate_limit, window)]) as started:
        yield started[0]


@contextmanager
def sandboxes(specs: Sequence[SandboxSpec]) -> Iterator[list[Sandbox]]:
    """Several sandbox orgs, each `python -m langchain_okta.sandbox` in its own process.

    Their own processes, so the server's work shares neither this process's GIL nor its CPU
    time. They start in parallel (an idle one costs nothing but memory) and are stopped with
    SIGTERM on exit, killed if they do not stop.
    """
    with contextlib.ExitStack() as stack:
        launched = []
        for spec in specs:
            errors = stack.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                _command(spec),
                stdout=subprocess.PIPE,
                stderr=errors,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            stack.callback(_stop, process)
            launched.append((spec, process, errors))
        started = []
        for spec, process, errors in launched:
            found = _read_assignments(process, ("OKTA_ORG_URL", "OKTA_API_TOKEN"))
            if found is None:
                errors.seek(0)
                message = errors.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the sandbox did not start: {_command(spec)}\n{message}")
            started.append(
                Sandbox(
                    found["OKTA_ORG_URL"],
                    found["OKTA_API_TOKEN"],
                    spec.users,
                    spec.rate_limit,
                    spec.window,
                )
            )
        yield started


@contextmanager
def delayed(box: Sandbox, delay: float) -> Iterator[Sandbox]:
    """`box` behind `delay_proxy.py`: every byte `delay` seconds late in each direction."""
    target = box.url.removeprefix("http://")
    command = [sys.executable, str(HERE / "delay_proxy.py"), "--target", target]
    command += ["--delay", str(delay)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        found = _read_assignments(process, ("PROXY_URL",))
        if found is None:
            raise RuntimeError(f"the delay proxy did not start: {command}")
        yield dataclasses.replace(box, url=found["PROXY_URL"])
    finally:
        _stop(process)


def _command(spec: SandboxSpec) -> list[str]:
    return [
        sys.executable,
        "-m",
        "langchain_okta.sandbox",
        "--port",
        "0",
        "--users",
        str(spec.users),
        "--rate-limit",
        str(spec.rate_limit),
        "--window",
        str(spec.window),
    ]


def _read_assignments(
    process: subprocess.Popen[str], names: Sequence[str]
) -> dict[str, str] | None:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True, name="sandbox-stdout").start()
    found: dict[str, str] = {}
    deadline = time.monotonic() + START_TIMEOUT
    while len(found) < len(names):
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            return None
        if line is None:
            return None
        # The sandbox prints shell lines (`export NAME=value`); the delay proxy, NAME=value.
        name, _, value = line.strip().removeprefix("export ").partition("=")
        if name in names:
            found[name] = shlex.split(value)[0] if value else value
    return found


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def some_user_id(box: Sandbox, index: int = 1) -> str:
    """The id of a user the plain listing returns (the admin is index 0)."""
    response = httpx.get(f"{box.url}/api/v1/users", params={"limit": index + 1}, headers=box.auth)
    response.raise_for_status()
    return str(response.json()[index]["id"])


def server_count(box: Sandbox, path: str, params: Mapping[str, str] | None = None) -> int:
    """Requests the sandbox has counted in `path`'s rate-limit bucket, this probe included.

    Read from X-Rate-Limit-Limit minus -Remaining, so it is the server's own count; only
    meaningful on a sandbox started with NO_LIMIT in one long window.
    """
    response = httpx.get(f"{box.url}{path}", params=params, headers=box.auth)
    limit = int(response.headers["x-rate-limit-limit"])
    return limit - int(response.headers["x-rate-limit-remaining"])


# -- counting what goes over the wire --------------------------------------------------------


class CountingTransport(httpx.BaseTransport):
    """Counts the responses of a sync httpx transport by status."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.statuses[response.status_code] += 1
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    """Counts the responses of an async httpx transport by status, and the peak in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.statuses: Counter[int] = Counter()
        self.in_flight = 0
        self.peak_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            response = await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1
        self.statuses[response.status_code] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- environment -----------------------------------------------------------------------------


def versions(names: Sequence[str]) -> dict[str, str]:
    from importlib import metadata

    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_transport(max_concurrency: int) -> httpx.AsyncHTTPTransport:
    """The transport OktaClient makes for itself (limits as in `OktaClient._new_async_http`)."""
    return httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=max_concurrency))
