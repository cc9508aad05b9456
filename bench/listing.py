"""2. Listing every user of an org through `OktaClient.iter_users()`, 200 per page.

Per org size: the requests the server counted (must be one per page), the wall time against
bare httpx following the same `next` links, and the peak memory growth while iterating
(tracemalloc), which must not grow with the org.
"""

from __future__ import annotations

import gc
import math
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from harness import Figure, Sandbox, SandboxSpec, Section, median, paired_ratio, server_count

from langchain_okta import OktaClient, OktaSettings
from langchain_okta.sandbox.seed import STATUS_SHARES

PAGE = 200
LIST_PATH = "/api/v1/users"
# Bounded: peak memory at the largest org within this factor of the smallest.
MEMORY_GOAL = 1.5


@dataclass(frozen=True)
class Size:
    listed: int
    timing_rounds: int


@dataclass
class Listed:
    listed: int
    people: int
    requests: int
    pages: int
    ours: list[float]
    bare: list[float]
    peak_bytes: int
    materialised_bytes: int | None


def people_for(listed: int) -> int:
    """Org size (people besides the admin) whose plain listing holds exactly `listed` users.

    A plain list omits DEPROVISIONED users, as Okta's does, and the sandbox makes a fixed
    share of the org DEPROVISIONED; the admin is listed too.
    """
    share = STATUS_SHARES["DEPROVISIONED"]
    people = listed
    while people + 1 - round(share * people) < listed:
        people += 1
    return people


def spec(size: Size) -> SandboxSpec:
    return SandboxSpec(users=people_for(size.listed))


def measure(orgs: list[tuple[Size, Sandbox]], *, materialise_at: int | None = None) -> Section:
    """`orgs`: each size with a sandbox started from `spec(size)`, smallest first."""
    section = Section("listing", "2. Listing every user (iter_users, page size 200)")
    results = [_one(size, box, materialise=size.listed == materialise_at) for size, box in orgs]
    section.data["sizes"] = [vars(result) for result in results]
    smallest = results[0]
    for result in results:
        pages = math.ceil(result.listed / PAGE)
        section.figures.append(
            Figure(
                f"2.requests.{result.listed}",
                "listing",
                f"{result.listed:,} users: requests",
                result.requests,
                "requests",
                "pages = ceil(users / 200)",
                pages,
                result.requests / pages,
                "requests / pages",
                f"= {pages}",
                result.requests == pages,
            )
        )
    for result in results:
        section.figures.append(
            Figure(
                f"2.time.{result.listed}",
                "listing",
                f"{result.listed:,} users: wall time",
                median(result.ours),
                "s",
                "bare httpx paging",
                median(result.bare),
                paired_ratio(result.ours, result.bare),
                "ours / httpx",
            )
        )
    for result in results:
        growth = result.peak_bytes / smallest.peak_bytes
        largest = result is results[-1] and len(results) > 1
        section.figures.append(
            Figure(
                f"2.memory.{result.listed}",
                "listing",
                f"{result.listed:,} users: peak memory growth",
                result.peak_bytes / 1024,
                "KiB",
                f"{smallest.listed:,} users",
                smallest.peak_bytes / 1024,
                growth,
                f"peak / peak at {smallest.listed:,}",
                f"≤ {MEMORY_GOAL}x (bounded)" if largest else "",
                growth <= MEMORY_GOAL if largest else None,
            )
        )
    section.details += [
        "Org sizes are chosen so the plain listing holds exactly the stated number of users "
        "(it omits DEPROVISIONED users, as Okta's does): "
        + ", ".join(f"{r.listed:,} listed of {r.people + 1:,}" for r in results)
        + ".",
        "Requests are the server's own count (X-Rate-Limit-Remaining of the list bucket "
        "before and after). Wall time: median of "
        + ", ".join(f"{len(r.ours)}" for r in results)
        + " interleaved runs per size. Memory: tracemalloc peak above the level before "
        "iterating, users counted and dropped as they come.",
    ]
    for result in results:
        if result.materialised_bytes is not None:
            section.details.append(
                f"For scale: `list(iter_users())` of {result.listed:,} users peaks at "
                f"{result.materialised_bytes / 2**20:,.1f} MiB "
                f"({result.materialised_bytes / result.peak_bytes:,.0f}x the streamed peak)."
            )
    return section


def _one(size: Size, box: Sandbox, *, materialise: bool) -> Listed:
    settings = OktaSettings.resolve(box.url, box.token)
    with OktaClient(settings) as client:
        before = server_count(box, LIST_PATH, {"limit": "1"})
        listed = sum(1 for _ in client.iter_users(limit=PAGE))
        requests = server_count(box, LIST_PATH, {"limit": "1"}) - before - 1
        if listed != size.listed:
            raise RuntimeError(f"listed {listed} users, expected {size.listed}")
        ours: list[float] = []
        bare: list[float] = []
        with httpx.Client(headers=box.auth) as http:
            for _ in range(size.timing_rounds):
                ours.append(_timed(lambda: sum(1 for _ in client.iter_users(limit=PAGE))))
                bare.append(_timed(lambda: _bare_listing(http, box)))
        peak = _peak_growth(client, materialise=False)
        materialised = _peak_growth(client, materialise=True) if materialise else None
    return Listed(
        size.listed,
        box.users,
        requests,
        math.ceil(listed / PAGE),
        ours,
        bare,
        peak,
        materialised,
    )


def _timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _bare_listing(http: httpx.Client, box: Sandbox) -> int:
    """The floor: GET, .json(), follow the next link, nothing else."""
    url: str | None = f"{box.url}{LIST_PATH}?limit={PAGE}"
    count = 0
    while url:
        response = http.get(url)
        count += len(response.json())
        url = response.links.get("next", {}).get("url")
    return count


def _peak_growth(client: OktaClient, *, materialise: bool) -> int:
    """Peak traced memory above the level before listing; the client is warm already."""
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        if materialise:
            users = list(client.iter_users(limit=PAGE))
            del users
        else:
            for _ in client.iter_users(limit=PAGE):
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start
