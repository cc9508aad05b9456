"""The benchmark: `python bench/run.py [--quick] [--output PATH]`.

Starts the sandbox org in a subprocess (`python -m langchain_okta.sandbox`), measures

1. per-call latency of one user fetch, sync and async, against bare httpx, LangChain's own
   per-call cost, Okta's SDK and an httpx-aiohttp transport;
2. listing every user of orgs of growing size: requests, wall time, peak memory;
3. import cost against Okta's SDK, in fresh interpreters;
4. context cost: tool schemas, tool output per user against Okta's raw JSON;
5. concurrency: ainvoke calls at once against one after another;
6. throughput under Okta's rate limit, ours and the SDK's, with the 429s drawn;
7. answering "how many": a summary's tool output and requests against paging every row;
8. OAuth 2.0 service apps: DPoP's cost per request, token requests per hour (in process);

and writes RESULTS.md (and a JSON twin next to it). `--quick` runs everything at tiny
sizes, to check that the bench works (the smoke test uses it); its numbers mean nothing.
The Okta SDK parts are skipped when `okta` is not installed
(`pip install -r bench/requirements.txt`, which `make bench` does).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import connected
import context_cost
import latency
import listing
import oauth_cost
import report
import startup
import summary
import throughput
from harness import Plan, SandboxSpec, Section, sandboxes

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Config:
    mode: str
    main_users: int
    latency: Plan
    context_users: int
    concurrency_calls: int
    concurrency_rounds: int
    concurrency_rtt: float
    listing_sizes: tuple[listing.Size, ...]
    materialise_at: int | None
    import_repeats: int
    private_bytecode: bool
    rate_calls: int
    rate_limit: int
    rate_window: float
    sdk_unbounded: bool
    oauth_calls: int
    oauth_rounds: int
    oauth_hours: int
    connected_calls: int
    connected_rounds: int
    connected_people: int


FULL = Config(
    mode="full",
    main_users=250,
    latency=Plan(calls=100, rounds=15, warmup=50),
    context_users=200,
    concurrency_calls=500,
    concurrency_rounds=3,
    concurrency_rtt=0.020,
    listing_sizes=(listing.Size(1_000, 5), listing.Size(10_000, 5), listing.Size(50_000, 2)),
    materialise_at=10_000,
    import_repeats=3,
    private_bytecode=True,
    rate_calls=500,
    rate_limit=100,
    rate_window=5.0,
    sdk_unbounded=True,
    oauth_calls=500,
    oauth_rounds=15,
    oauth_hours=24,
    connected_calls=300,
    connected_rounds=15,
    connected_people=100,
)

QUICK = Config(
    mode="quick",
    # The first listing org doubles as the main one: one sandbox process fewer to start.
    main_users=listing.people_for(250),
    latency=Plan(calls=3, rounds=2, warmup=1),
    context_users=20,
    concurrency_calls=20,
    concurrency_rounds=1,
    concurrency_rtt=0.002,
    listing_sizes=(listing.Size(250, 1), listing.Size(450, 1)),
    materialise_at=None,
    import_repeats=1,
    private_bytecode=False,
    rate_calls=15,
    rate_limit=10,
    rate_window=1.0,
    sdk_unbounded=False,
    oauth_calls=20,
    oauth_rounds=2,
    oauth_hours=2,
    connected_calls=10,
    connected_rounds=2,
    connected_people=4,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the bench runs")
    parser.add_argument(
        "--output", type=Path, default=HERE / "RESULTS.md", help="where to write RESULTS.md"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="the JSON twin (default: OUTPUT with .json)"
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    json_path = args.json or args.output.with_suffix(".json")
    command = "python bench/run.py" + (" --quick" if args.quick else "")

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    start = time.perf_counter()
    sections = run(config)
    seconds = time.perf_counter() - start
    report.write(
        sections,
        markdown=args.output,
        json_path=json_path,
        mode=config.mode,
        seconds=seconds,
        command=command,
        started=started,
    )
    print(args.output.read_text())
    print(f"wrote {args.output} and {json_path} in {seconds:,.0f} s", file=sys.stderr)
    return 0


def run(config: Config) -> list[Section]:
    sections: dict[str, Section] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        print(f"[bench] {time.perf_counter() - clock:6.1f} s  {name}", file=sys.stderr, flush=True)

    sizes = list(config.listing_sizes)
    main_spec = SandboxSpec(config.main_users)
    # Listing orgs are idle until their turn: an idle sandbox costs memory, not CPU.
    listing_specs = [listing.spec(size) for size in sizes]
    shared = listing_specs[0] == main_spec
    specs = [
        main_spec,
        *listing_specs[1 if shared else 0 :],
        throughput.rate_limit_spec(config.rate_limit, config.rate_window),
    ]
    measure_imports = functools.partial(
        startup.measure,
        repeats=config.import_repeats,
        private_bytecode=config.private_bytecode,
        in_agent=config.mode == "full",
    )
    # Quick mode's numbers mean nothing: its fresh interpreters run alongside the rest.
    background = ThreadPoolExecutor(max_workers=1) if config.mode == "quick" else None
    imports = background.submit(measure_imports) if background else None
    step(f"starting {len(specs)} sandbox orgs")
    with sandboxes(specs) as (main_org, *others):
        listing_orgs, rate_org = ([main_org] if shared else []) + others[:-1], others[-1]
        step("1. latency")
        sections["1"] = latency.measure(main_org, config.latency)
        step("4. context cost")
        sections["4"] = context_cost.measure(main_org, users=config.context_users)
        step("5. concurrency")
        sections["5"] = throughput.measure_concurrency(
            main_org,
            calls=config.concurrency_calls,
            rounds=config.concurrency_rounds,
            rtt=config.concurrency_rtt,
        )
        step("2. listing")
        sections["2"] = listing.measure(
            list(zip(sizes, listing_orgs, strict=True)), materialise_at=config.materialise_at
        )
        step("7. summary")
        sections["7"] = summary.measure(list(zip(sizes, listing_orgs, strict=True)))
        step("6. rate limit")
        sections["6"] = throughput.measure_rate_limit(
            rate_org, calls=config.rate_calls, sdk_unbounded=config.sdk_unbounded
        )
    step("8. oauth")
    sections["8"] = oauth_cost.measure(
        calls=config.oauth_calls, rounds=config.oauth_rounds, hours=config.oauth_hours
    )
    step("9. connected toolkit")
    sections["9"] = connected.measure(
        calls=config.connected_calls,
        rounds=config.connected_rounds,
        people=config.connected_people,
    )
    step("3. import cost")
    if imports is not None and background is not None:
        sections["3"] = imports.result()
        background.shutdown()
    else:
        sections["3"] = measure_imports()
    step("done")
    return [sections[key] for key in sorted(sections)]


if __name__ == "__main__":
    sys.exit(main())
