"""`SandboxOrg`: an in-memory Okta org, reachable in process or over loopback HTTP."""

from __future__ import annotations

import gc
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, get_args

from langchain_okta.models import UserStatus
from langchain_okta.sandbox.authorization import AuthorizationServer, ServiceApp, new_service_app
from langchain_okta.sandbox.faults import Fault, FaultQueue
from langchain_okta.sandbox.messages import RecordedRequest
from langchain_okta.sandbox.rate_limits import InFlight, RateLimit, RateLimiter
from langchain_okta.sandbox.routes import SandboxApp
from langchain_okta.sandbox.seed import SeededOrg, seed_org
from langchain_okta.sandbox.server import serving
from langchain_okta.sandbox.store import StoredUser, UserNotFound, UserStore
from langchain_okta.sandbox.transport import SandboxTransport
from langchain_okta.sandbox.user_objects import (
    ROLE_LABELS,
    json_base,
    okta_id,
    render_user,
    role_assignment,
)
from langchain_okta.settings import is_loopback

# The org URL for the in-process transport. `.test` is reserved (RFC 2606): it never resolves,
# so a client that bypasses the transport fails loudly instead of reaching a real host.
IN_PROCESS_URL = "https://sandbox.okta.test"
DEFAULT_TOKEN = "sandbox-token-00aBcDeFgHiJkLmNoPqRsT"  # noqa: S105 - a public test token
USER_STATUSES = frozenset(get_args(UserStatus))
DEFAULT_USERS = 40
# The order of the P-256 group: the seeded app's private value is reduced below it.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


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

    `users` is the number of people besides the admin (40 by default). Everything generated is
    deterministic for a given `seed` (timestamps relative to `clock()` at construction).
    `people` holds given users instead, as Okta returns them (`_links` are ignored); the first
    of them is the admin behind the token. `clock` drives every timestamp, the `Date` header
    and the rate-limit windows, so tests can move time.
    """

    def __init__(
        self,
        *,
        users: int | None = None,
        seed: int = 7,
        admin_roles: Sequence[str] = ("SUPER_ADMIN",),
        token: str = DEFAULT_TOKEN,
        rate_limit: RateLimit = RateLimit(),  # noqa: B008 - frozen, so one shared default is safe
        clock: Callable[[], float] = time.time,
        people: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        unknown = [role for role in admin_roles if role not in ROLE_LABELS]
        if unknown:
            raise ValueError(f"unknown admin role(s) {unknown}; known: {sorted(ROLE_LABELS)}")
        if not token or any(c.isspace() for c in token):
            raise ValueError("token must be non-empty and contain no whitespace")
        if people is not None and users is not None:
            raise ValueError("pass either users (a number to generate) or people, not both")
        self.token = token
        self._clock = clock
        with _collector_paused():
            if people is None:
                seeded = seed_org(
                    seed=seed, users=DEFAULT_USERS if users is None else users, now=clock()
                )
            else:
                seeded = _given_org(people, seed)
            self._store = UserStore(
                [seeded.admin, *seeded.people],
                id_rng=random.Random(f"{seed}/new-ids"),
                type_id=seeded.type_id,
                cursor_key=hashlib.blake2b(f"{seed}/cursors".encode(), digest_size=32).digest(),
            )
        self._admin_id = str(seeded.admin["id"])
        self._role_rng = random.Random(f"{seed}/roles")
        self.set_roles(self._admin_id, admin_roles)
        self._schema_id = seeded.schema_id
        self._authorization = AuthorizationServer(clock=clock)
        self._app_rng = random.Random(f"{seed}/service-apps")
        self._service_app_seed = seed
        self._service_app: ServiceApp | None = None
        self._faults = FaultQueue()
        self._in_flight = InFlight(rate_limit.concurrent)
        self._app = SandboxApp(
            store=self._store,
            admin_id=self._admin_id,
            token=token,
            limiter=RateLimiter(rate_limit),
            in_flight=self._in_flight,
            faults=self._faults,
            clock=clock,
            schema_id=seeded.schema_id,
            seed=seed,
            authorization=self._authorization,
        )

    def transport(self) -> SandboxTransport:
        """An httpx transport (sync and async) onto this org; use it with IN_PROCESS_URL."""
        return SandboxTransport(self._app)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, expose_to_network: bool = False
    ) -> AbstractContextManager[str]:
        """Serve the org over HTTP while the context is open; yields "http://HOST:PORT".

        The org is a writable admin API behind a known token, so it listens on loopback only,
        unless `expose_to_network` says that serving it to other machines is intended.
        """
        if not expose_to_network and not is_loopback_host(host):
            raise ValueError(
                f"refusing to serve the sandbox's writable admin API on {host!r}, which is not "
                "loopback: pass expose_to_network=True to mean it"
            )
        return serving(self._app, host, port)

    # Credentials of other people: each request is answered, and logged, as theirs.

    def add_api_token(self, user_id: str, token: str) -> None:
        """Accept `token` as an API token of `user_id` (an existing user): `me` is that user,
        and their roles (`set_roles`) decide what it may do."""
        self._accept(user_id, token)
        self._app.add_credential(f"SSWS {token}", user_id)

    def add_access_token(self, user_id: str, token: str) -> None:
        """Accept `Bearer <token>` as an access token the org issued to `user_id` (as a sign-in
        flow would); scopes are not modelled: their roles decide what it may do."""
        self._accept(user_id, token)
        self._app.add_credential(f"Bearer {token}", user_id)

    def revoke_api_token(self, token: str) -> None:
        """Refuse an API token (or a user's access token) from now on, as Okta refuses a
        revoked one."""
        self._app.revoke_credential(f"SSWS {token}")
        self._app.revoke_credential(f"Bearer {token}")

    def _accept(self, user_id: str, token: str) -> None:
        if not token or any(c.isspace() for c in token):
            raise ValueError("token must be non-empty and contain no whitespace")
        stored = self._store.get(user_id)
        if stored is None or stored.id != user_id:
            raise KeyError(f"no user with id {user_id!r}")

    # OAuth 2.0 service apps (these need the `oauth` extra: they make and verify signatures)

    @property
    def service_app(self) -> ServiceApp:
        """The org's API Services app for the toolkit: an EC key (deterministic for the seed),
        DPoP, the scopes okta.users.read, okta.users.manage and okta.roles.read, and the
        Organization Administrator role. `org.service_app.auth()` is its `PrivateKeyJwt`."""
        if self._service_app is None:
            digest = hashlib.sha256(f"{self._service_app_seed}/service-app-key".encode())
            self._service_app = self._authorization.register(
                new_service_app(
                    okta_id(random.Random(f"{self._service_app_seed}/service-app"), "0oa"),
                    scopes=("okta.users.read", "okta.users.manage", "okta.roles.read"),
                    private_value=int.from_bytes(digest.digest(), "big") % _P256_ORDER or 1,
                )
            )
        return self._service_app

    def add_service_app(
        self,
        *,
        scopes: Sequence[str],
        roles: Sequence[str] = ("ORG_ADMIN",),
        dpop: bool = True,
        key_type: str = "EC",
    ) -> ServiceApp:
        """Register another API Services app, with a fresh key pair (EC P-256 or RSA)."""
        unknown = [role for role in roles if role not in ROLE_LABELS]
        if unknown:
            raise ValueError(f"unknown admin role(s) {unknown}; known: {sorted(ROLE_LABELS)}")
        app = new_service_app(
            okta_id(self._app_rng, "0oa"), scopes=scopes, roles=roles, dpop=dpop, key_type=key_type
        )
        return self._authorization.register(app)

    @property
    def authorization(self) -> AuthorizationServer:
        """The org authorization server: rotate its DPoP nonces, require a nonce on API
        calls, revoke tokens, change the token lifetime."""
        return self._authorization

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
    def in_flight(self) -> int:
        """How many requests the org is answering right now (a latency fault holds one)."""
        return self._in_flight.count

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received so far, oldest first (the most recent 100,000)."""
        return self._app.recorded

    # What an admin changes in the Admin Console: the sandbox does not serve these endpoints
    # (our toolkit never calls them), but tests and demos need users in such states.

    def set_status(self, user_id: str, status: str) -> dict[str, Any]:
        """Move a user to `status` as a lifecycle operation would (activate, suspend...);
        returns the user as in `users`."""
        if status not in USER_STATUSES:
            raise ValueError(f"unknown user status {status!r}; known: {sorted(USER_STATUSES)}")
        try:
            stored = self._store.set_status(user_id, status, now=self._clock())
        except UserNotFound:
            raise KeyError(f"no user with id {user_id!r}") from None
        return self._snapshot(stored)

    def remove_user(self, user_id: str) -> None:
        """Delete a user, as Okta deletes a DEPROVISIONED one."""
        if user_id == self._admin_id:
            raise ValueError("the admin behind the token cannot be removed")
        try:
            self._store.remove(user_id)
        except UserNotFound:
            raise KeyError(f"no user with id {user_id!r}") from None

    def set_roles(self, user_id: str, roles: Sequence[str]) -> None:
        """Assign exactly these admin role types to a user (none: not an admin)."""
        unknown = [role for role in roles if role not in ROLE_LABELS]
        if unknown:
            raise ValueError(f"unknown admin role(s) {unknown}; known: {sorted(ROLE_LABELS)}")
        stored = self._store.get(user_id)
        if stored is None or stored.id != user_id:
            raise KeyError(f"no user with id {user_id!r}")
        created = str(stored.user.get("created") or "")
        assignments = [
            role_assignment(role, okta_id(self._role_rng, "ra1"), created, self._role_rng)
            for role in dict.fromkeys(roles)
        ]
        self._store.assign_roles(user_id, assignments)

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


def _given_org(people: Sequence[Mapping[str, Any]], seed: int) -> SeededOrg:
    """An org of the given users; the first is the admin."""
    if not people:
        raise ValueError("people must hold at least one user: the admin behind the token")
    users = [_given_user(person) for person in people]
    type_id = (users[0].get("type") or {}).get("id")
    ids = random.Random(f"{seed}/ids")
    return SeededOrg(
        admin=users[0],
        people=users[1:],
        type_id=type_id if isinstance(type_id, str) else okta_id(ids, "oty"),
        schema_id=okta_id(ids, "osc"),
    )


def _given_user(person: Mapping[str, Any]) -> dict[str, Any]:
    user = {key: value for key, value in person.items() if key != "_links"}
    profile = user.get("profile")
    if not isinstance(user.get("id"), str) or not user["id"]:
        raise ValueError("every user in people needs an id")
    if user.get("status") not in USER_STATUSES:
        raise ValueError(f"user {user['id']} has no valid status")
    if not isinstance(profile, dict) or not isinstance(profile.get("login"), str):
        raise ValueError(f"user {user['id']} needs a profile with a login")
    return user


def is_loopback_host(host: str) -> bool:
    """Whether a host to bind to (a name, or an address with or without brackets) is loopback."""
    return is_loopback(host.strip("[]"))
