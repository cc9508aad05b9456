"""`SandboxOrg`: an in-memory Okta org, reachable in process or over loopback HTTP."""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from langchain_okta.sandbox.faults import Fault, FaultQueue
from langchain_okta.sandbox.messages import RecordedRequest
from langchain_okta.sandbox.rate_limits import RateLimit, RateLimiter
from langchain_okta.sandbox.routes import SandboxApp
from langchain_okta.sandbox.seed import seed_org
from langchain_okta.sandbox.server import serving
from langchain_okta.sandbox.store import StoredUser, UserStore
from langchain_okta.sandbox.transport import SandboxTransport
from langchain_okta.sandbox.user_objects import (
    ROLE_LABELS,
    json_base,
    okta_id,
    render_user,
    role_assignment,
)

# The org URL for the in-process transport. `.test` is reserved (RFC 2606): it never resolves,
# so a client that bypasses the transport fails loudly instead of reaching a real host.
IN_PROCESS_URL = "https://sandbox.okta.test"
DEFAULT_TOKEN = "sandbox-token-00aBcDeFgHiJkLmNoPqRsT"  # noqa: S105 - a public test token


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small containers.

    Seeding creates millions of dicts and strings, none of them garbage; the collector's
    repeated passes over them would roughly double the time to build a large org.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SandboxOrg:
    """An Okta org in memory: the users, the admin behind the API token and their roles.

    `users` is the number of people besides the admin. Everything generated is deterministic
    for a given `seed` (timestamps relative to `clock()` at construction). `clock` drives every
    timestamp, the `Date` header and the rate-limit windows, so tests can move time.
    """

    def __init__(
        self,
        *,
        users: int = 40,
        seed: int = 7,
        admin_roles: Sequence[str] = ("SUPER_ADMIN",),
        token: str = DEFAULT_TOKEN,
        rate_limit: RateLimit = RateLimit(),  # noqa: B008 - frozen, so one shared default is safe
        clock: Callable[[], float] = time.time,
    ) -> None:
        unknown = [role for role in admin_roles if role not in ROLE_LABELS]
        if unknown:
            raise ValueError(f"unknown admin role(s) {unknown}; known: {sorted(ROLE_LABELS)}")
        if not token or any(c.isspace() for c in token):
            raise ValueError("token must be non-empty and contain no whitespace")
        self.token = token
        with _collector_paused():
            seeded = seed_org(seed=seed, users=users, now=clock())
            self._store = UserStore(
                [seeded.admin, *seeded.people],
                id_rng=random.Random(f"{seed}/new-ids"),
                type_id=seeded.type_id,
            )
        self._admin_id = str(seeded.admin["id"])
        role_rng = random.Random(f"{seed}/roles")
        self._store.assign_roles(
            self._admin_id,
            [
                role_assignment(role, okta_id(role_rng, "ra1"), seeded.admin["created"], role_rng)
                for role in dict.fromkeys(admin_roles)
            ],
        )
        self._schema_id = seeded.schema_id
        self._faults = FaultQueue()
        self._app = SandboxApp(
            store=self._store,
            admin_id=self._admin_id,
            token=token,
            limiter=RateLimiter(rate_limit),
            faults=self._faults,
            clock=clock,
            schema_id=seeded.schema_id,
            seed=seed,
        )

    def transport(self) -> SandboxTransport:
        """An httpx transport (sync and async) onto this org; use it with IN_PROCESS_URL."""
        return SandboxTransport(self._app)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractContextManager[str]:
        """Serve the org over HTTP while the context is open; yields "http://HOST:PORT"."""
        return serving(self._app, host, port)

    @property
    def users(self) -> list[dict[str, Any]]:
        """Every user (all statuses, admin included) as GET /api/v1/users/{id} returns it on
        IN_PROCESS_URL; a snapshot, safe to modify."""
        return [self._snapshot(stored) for stored in self._store.all()]

    def find_by_login(self, login: str) -> dict[str, Any] | None:
        """The user with this login (any case), as in `users`, or None."""
        stored = self._store.find_login(login)
        return self._snapshot(stored) if stored is not None else None

    @property
    def admin(self) -> dict[str, Any]:
        """The user behind the token (`me`), as in `users`."""
        stored = self._store.get(self._admin_id)
        assert stored is not None  # the admin is never removed
        return self._snapshot(stored)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received so far, oldest first (the most recent 100,000)."""
        return self._app.recorded

    def inject(self, fault: Fault) -> None:
        """Queue a fault for the next matching request(s)."""
        self._faults.inject(fault)

    def inject_random(self, *, rate: float, kinds: Sequence[str], seed: int) -> None:
        """Hit each request not matched by a queued fault with probability `rate`, with a kind
        from `kinds`; the draws are deterministic for `seed`."""
        self._faults.inject_random(rate=rate, kinds=kinds, seed=seed)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _snapshot(self, stored: StoredUser) -> dict[str, Any]:
        body = render_user(
            stored.head(),
            stored.user,
            json_base(IN_PROCESS_URL),
            full=True,
            schema_id=self._schema_id,
        )
        snapshot: dict[str, Any] = json.loads(body)
        return snapshot
