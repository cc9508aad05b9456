"""Soak the toolkit: many creates, updates and gets over loopback while the org fails at random.

    python bench/soak.py [--seconds N] [--seed S] [--fault-rate R]

A sandbox org is served on loopback and every kind of fault is drawn at random (5xx, 429,
dropped connections before and after the org applied the request, cut-off JSON, HTML gateway
pages, latency; 429s drawn a quarter as often, as each costs a window reset), plus queued
responses slower than the read timeout and creates dropped after the org applied them. The
tools are called as an agent calls them. Afterwards the org is checked against what the tools
reported:

- no duplicate users (two users with one login),
- no lost users (a seeded user gone, or a create reported as done that is not in the org),
- no unrequested change (a profile field or status that no call asked to change differs, or a
  field holds a value other than the last one reported as set, or one sent after it).

Creates that reported an error although the user exists are counted apart ("unconfirmed"): no
invariant is broken (the agent's retry gets "already exists", pointing at okta_get_user), but
they show where the client could have known better.

The run is sequential and stops by itself after --seconds (each call is bounded by the retry
settings too). Exit status 1 when an invariant is broken.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from langchain_okta import OktaToolkit, RetrySettings, Timeouts
from langchain_okta.sandbox import Fault, RateLimit, SandboxOrg
from langchain_okta.sandbox.faults import FAULT_KINDS

RETRIES = RetrySettings(backoff_base=0.01, max_wait=2)
TIMEOUTS = Timeouts(read=0.2)
SLOW_SECONDS = 0.4  # past the read timeout
EDITABLE = {"first_name": "firstName", "last_name": "lastName", "mobile_phone": "mobilePhone"}
BASE_FIELDS = ("firstName", "lastName", "email", "login", "mobilePhone")
FIRST_NAMES = ("Ada", "Grace", "Alan", "Zoë", "Edsger", "Barbara", "Donald", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen")
MAX_SECONDS = 3600
# The org draws a kind uniformly from this list, so repeats weigh. Every 429 costs about a second
# (the client waits for the window to reset, as it should): fewer of them, more calls per run.
WEIGHTED_KINDS = [kind for kind in FAULT_KINDS for _ in range(1 if kind == "rate_limit" else 4)]


# -- what went over the wire --------------------------------------------------------------


@dataclass
class Exchange:
    method: str
    path: str
    seen: str  # what the client saw: "ok", "4xx", "5xx", "429", "html", "bad-json", an error


class CountingTransport(httpx.BaseTransport):
    """Records each request and what came back, for the current operation."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def take(self) -> list[Exchange]:
        with self._lock:
            taken, self.exchanges = self.exchanges, []
        return taken

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode("ascii").partition("?")[0]
        try:
            response = self._inner.handle_request(request)
            response.read()
        except httpx.HTTPError as exc:
            self._keep(Exchange(request.method, path, type(exc).__name__))
            raise
        self._keep(Exchange(request.method, path, _classify(response)))
        return response

    def _keep(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def close(self) -> None:
        self._inner.close()


def _classify(response: httpx.Response) -> str:
    if "html" in response.headers.get("content-type", ""):
        return "html"
    if response.status_code == 429:
        return "429"
    if response.status_code >= 500:
        return "5xx"
    if response.status_code >= 400:
        return "4xx"
    try:
        json.loads(response.content)
    except ValueError:
        return "bad-json"
    return "ok"


# -- what the tools reported ----------------------------------------------------------------


@dataclass
class Created:
    login: str
    profile: dict[str, str]
    ok: bool
    user_id: str | None
    trouble: list[str]


@dataclass
class Tally:
    calls: Counter[str] = field(default_factory=Counter)
    successes: Counter[str] = field(default_factory=Counter)
    give_ups: Counter[str] = field(default_factory=Counter)
    give_up_reasons: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    retries: int = 0
    lookups: int = 0
    slowest_call: float = 0.0
    wrong_user: int = 0


def _reason(message: ToolMessage) -> str:
    text = str(message.content)
    for marker, reason in (
        ("Invalid arguments", "invalid arguments"),
        ("already exists", "login already exists"),
        ("rate limit", "rate limited"),
        ("could not be reached", "no response"),
        ("unavailable", "server error"),
        ("unreadable", "unreadable response"),
        ("changed while", "conflict"),
    ):
        if marker in text:
            return reason
    return text[:40]


class Soak:
    def __init__(self, seed: int, users: int, fault_rate: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        # One-second windows with a modest limit: real 429s happen too, not only injected ones.
        self.org = SandboxOrg(
            users=users, seed=seed, rate_limit=RateLimit(limit=300, window_seconds=1)
        )
        self.fault_rate = fault_rate
        self.transport = CountingTransport()
        self.tally = Tally()
        self.created: list[Created] = []
        self.initial = {user["id"]: user for user in self.org.users}
        # (user id, profile field) -> every value sent, and whether the tool reported success
        self.sent: dict[tuple[str, str], list[tuple[str | None, bool]]] = defaultdict(list)
        self.targets = [uid for uid, u in self.initial.items() if u["id"] != self.org.admin["id"]]
        self.sequence = 0

    def run(self, seconds: float, max_operations: int) -> float:
        started = time.monotonic()
        with self.org.serve() as base_url:
            toolkit = OktaToolkit(
                base_url,
                self.org.token,
                check_admin=False,
                retries=RETRIES,
                timeouts=TIMEOUTS,
                transport=self.transport,
            )
            tools = {tool.name: tool for tool in toolkit.get_tools()}
            self.org.inject_random(rate=self.fault_rate, kinds=WEIGHTED_KINDS, seed=self.seed)
            deadline = started + seconds
            while time.monotonic() < deadline and self.sequence < max_operations:
                self.sequence += 1
                self._one_operation(tools)
            self.org.clear_faults()
            toolkit.client.close()
            # Let requests the client gave up on (slow ones) finish on the server.
            time.sleep(SLOW_SECONDS + 0.2)
        return time.monotonic() - started

    def _one_operation(self, tools: dict[str, BaseTool]) -> None:
        rng = self.rng
        draw = rng.random()
        if rng.random() < 0.04:
            self.org.inject(Fault(kind="latency", seconds=SLOW_SECONDS))
        if draw < 0.35:
            if rng.random() < 0.1:
                self.org.inject(Fault(kind="drop", method="POST", after_processing=True))
            self._create(tools["okta_create_user"])
        elif draw < 0.75:
            self._update(tools["okta_update_user"])
        else:
            self._get(tools["okta_get_user"])

    def _call(self, tool: BaseTool, args: dict[str, Any]) -> tuple[ToolMessage, list[Exchange]]:
        self.transport.take()
        started = time.monotonic()
        message = tool.invoke(
            {"type": "tool_call", "id": f"soak-{self.sequence}", "name": tool.name, "args": args}
        )
        self.tally.slowest_call = max(self.tally.slowest_call, time.monotonic() - started)
        exchanges = self.transport.take()
        assert isinstance(message, ToolMessage)
        self.tally.calls[tool.name] += 1
        self.tally.requests += len(exchanges)
        sent: set[tuple[str, str]] = set()
        for exchange in exchanges:
            key = (exchange.method, exchange.path)
            if key in sent:
                self.tally.retries += 1
            sent.add(key)
        if message.status == "success":
            self.tally.successes[tool.name] += 1
        else:
            self.tally.give_ups[tool.name] += 1
            self.tally.give_up_reasons[_reason(message)] += 1
        return message, exchanges

    def _create(self, tool: BaseTool) -> None:
        login = f"soak{self.seed}-{self.sequence}@example.com"
        args: dict[str, Any] = {
            "first_name": self.rng.choice(FIRST_NAMES),
            "last_name": self.rng.choice(LAST_NAMES),
            "email": login,
            "activate": self.rng.random() < 0.5,
        }
        if self.rng.random() < 0.5:
            args["mobile_phone"] = f"+1 555 {self.sequence:04d}"
        message, exchanges = self._call(tool, args)
        self.tally.lookups += sum(e.method == "GET" for e in exchanges)
        profile = {
            "firstName": args["first_name"],
            "lastName": args["last_name"],
            "email": login,
            "login": login,
        }
        if "mobile_phone" in args:
            profile["mobilePhone"] = args["mobile_phone"]
        ok = message.status == "success"
        user_id = json.loads(str(message.content))["user"]["id"] if ok else None
        trouble = [e.seen for e in exchanges if e.seen != "ok"]
        self.created.append(Created(login, profile, ok, user_id, trouble))
        if ok and user_id is not None:
            self.targets.append(user_id)

    def _update(self, tool: BaseTool) -> None:
        user_id = self.rng.choice(self.targets)
        names = self.rng.sample(sorted(EDITABLE), self.rng.randint(1, len(EDITABLE)))
        args: dict[str, Any] = {"user_id": user_id}
        for name in names:
            if name == "mobile_phone" and self.rng.random() < 0.2:
                args[name] = ""  # clears the number
            else:
                args[name] = (
                    f"U{self.sequence}" if name != "mobile_phone" else f"+1 {self.sequence}"
                )
        message, _ = self._call(tool, args)
        ok = message.status == "success"
        for name in names:
            self.sent[(user_id, EDITABLE[name])].append((args[name] or None, ok))

    def _get(self, tool: BaseTool) -> None:
        user_id = self.rng.choice(self.targets)
        message, _ = self._call(tool, {"user_id": user_id})
        if (
            message.status == "success"
            and json.loads(str(message.content))["user"]["id"] != user_id
        ):
            self.tally.wrong_user += 1

    # -- the checks ---------------------------------------------------------------------

    def check(self) -> dict[str, list[str]]:
        final = {user["id"]: user for user in self.org.users}
        problems: dict[str, list[str]] = defaultdict(list)
        by_login: Counter[str] = Counter(u["profile"]["login"].lower() for u in final.values())
        problems["duplicated"] = [login for login, count in by_login.items() if count > 1]
        for user_id, before in self.initial.items():
            if user_id not in final:
                problems["lost"].append(f"seeded user {user_id} is gone")
                continue
            if final[user_id]["status"] != before["status"]:
                problems["unrequested"].append(f"{user_id}: status changed")
            self._check_profile(user_id, before["profile"], final[user_id]["profile"], problems)
        for created in self.created:
            found = self.org.find_by_login(created.login)
            if created.ok and (found is None or found["id"] != created.user_id):
                problems["lost"].append(f"create of {created.login} reported done, not in org")
            if found is not None:
                self._check_profile(found["id"], created.profile, found["profile"], problems)
        return problems

    def _check_profile(
        self,
        user_id: str,
        baseline: dict[str, Any],
        profile: dict[str, Any],
        problems: dict[str, list[str]],
    ) -> None:
        for name in sorted(set(baseline) | set(profile)):
            sent = self.sent.get((user_id, name), [])
            allowed = _allowed_values(baseline.get(name), sent)
            if profile.get(name) not in allowed:
                expected = ", ".join(sorted(map(repr, allowed)))
                problems["unrequested"].append(
                    f"{user_id}.{name} = {profile.get(name)!r}, expected one of {expected}"
                )

    def unconfirmed_creates(self) -> Counter[str]:
        """Creates reported as failed whose user exists, by what the client saw on the wire."""
        causes: Counter[str] = Counter()
        for created in self.created:
            if not created.ok and self.org.find_by_login(created.login) is not None:
                causes[",".join(sorted(set(created.trouble))) or "none seen"] += 1
        return causes

    def faults_by_kind(self) -> tuple[Counter[str], int]:
        log = self.org.requests
        kinds: Counter[str] = Counter(r.fault for r in log if r.fault is not None)
        return kinds, len(log)


def _allowed_values(initial: Any, sent: Sequence[tuple[str | None, bool]]) -> set[Any]:
    """The values a field may hold: the last one reported as set, or any sent after it
    (a failed call may have been applied); without any success, the initial value too."""
    last_ok = max((i for i, (_, ok) in enumerate(sent) if ok), default=None)
    if last_ok is None:
        return {initial, *(value for value, _ in sent)}
    return {value for value, _ in sent[last_ok:]}


# -- report -------------------------------------------------------------------------------------


def _table(title: str, rows: Sequence[tuple[str, object]]) -> str:
    width = max((len(name) for name, _ in rows), default=10)
    lines = [title, "-" * len(title)]
    lines += [f"  {name:<{width}}  {value}" for name, value in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every random draw")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of faulty requests")
    parser.add_argument("--users", type=int, default=40, help="seeded users besides the admin")
    parser.add_argument("--max-operations", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")

    soak = Soak(args.seed, args.users, args.fault_rate)
    wall = soak.run(args.seconds, args.max_operations)
    problems = soak.check()
    faults, logged = soak.faults_by_kind()
    unconfirmed = soak.unconfirmed_creates()
    tally = soak.tally

    operations = sum(tally.calls.values())
    print(
        f"soak: seed {args.seed}, fault rate {args.fault_rate}, {args.users} seeded users, "
        f"{wall:.1f} s wall, {operations} tool calls ({operations / wall:.0f}/s)\n"
    )
    print(
        _table(
            "Tool calls (succeeded / gave up)",
            [
                (
                    name,
                    f"{tally.calls[name]:>6}  ({tally.successes[name]} / {tally.give_ups[name]})",
                )
                for name in sorted(tally.calls)
            ],
        )
    )
    print()
    note = "" if logged < 100_000 else " (the org keeps the last 100,000 requests)"
    print(
        _table(
            f"Faults injected by the org{note}",
            [(kind, f"{faults[kind]:>6}") for kind in FAULT_KINDS]
            + [("total", f"{sum(faults.values()):>6} of {logged} requests")],
        )
    )
    print()
    print(
        _table(
            "Client behaviour",
            [
                ("requests sent", tally.requests),
                ("retries (same request again)", tally.retries),
                ("create lookups by login", tally.lookups),
                ("give-ups (error messages)", sum(tally.give_ups.values())),
                *[(f"  {reason}", count) for reason, count in tally.give_up_reasons.most_common()],
                ("slowest tool call", f"{tally.slowest_call:.2f} s"),
            ],
        )
    )
    print()
    print(
        _table(
            "Invariants",
            [
                ("users duplicated", len(problems["duplicated"])),
                ("users lost", len(problems["lost"])),
                ("unrequested field changes", len(problems["unrequested"])),
                ("get returned another user", tally.wrong_user),
                ("creates confirmed", sum(c.ok for c in soak.created)),
                ("creates unconfirmed, user exists", sum(unconfirmed.values())),
                *[(f"  wire saw: {cause}", count) for cause, count in unconfirmed.most_common()],
            ],
        )
    )
    broken = [
        f"{kind}: {detail}" for kind, details in problems.items() for detail in details[:10]
    ] + (["get returned another user"] if tally.wrong_user else [])
    if broken:
        print("\nINVARIANTS BROKEN:\n  " + "\n  ".join(broken))
        return 1
    print("\nall invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
