"""The app's credential store: each signed-in person's Okta connection, in memory.

A real app keeps these encrypted at rest (a vault, a KMS-wrapped table) and fills it when a
person connects Okta in its settings ("Connect just for me"). This one holds two people on
two sandbox orgs, so the example runs offline:

- alice administers acme (Super Admin): she may read and change users;
- bob is a read-only administrator of globex, connected with an access token the app
  obtained for him: he may only read, and is never offered the write tools.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox import SandboxOrg

ACME_URL = "https://acme.okta.test"
GLOBEX_URL = "https://globex.okta.test"
# Credentials of the in-memory sandbox orgs: public demo values, no real org accepts them.
ACME_ADMIN_TOKEN = "acme-demo-admin-token"  # noqa: S105
GLOBEX_ADMIN_TOKEN = "globex-demo-admin-token"  # noqa: S105
BOB_ACCESS_TOKEN = "globex-demo-bob-access-token"  # noqa: S105


@dataclass
class CredentialStore:
    """Signed-in identity -> that person's Okta connection. Thread-safe."""

    _connections: dict[str, OktaConnection] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def connect(self, identity: str, connection: OktaConnection) -> None:
        with self._lock:
            self._connections[identity] = connection

    def disconnect(self, identity: str) -> None:
        with self._lock:
            self._connections.pop(identity, None)

    def connection_of(self, identity: str) -> OktaConnection | None:
        with self._lock:
            return self._connections.get(identity)


@dataclass(frozen=True)
class DemoOrgs:
    acme: SandboxOrg
    globex: SandboxOrg
    store: CredentialStore


def demo_orgs() -> DemoOrgs:
    """Two sandbox orgs, and alice and bob connected to them."""
    acme = SandboxOrg(users=20, seed=11, token=ACME_ADMIN_TOKEN)
    globex = SandboxOrg(users=20, seed=12, token=GLOBEX_ADMIN_TOKEN)
    bob = next(
        user["id"]
        for user in globex.users
        if user["id"] != globex.admin["id"] and user["status"] == "ACTIVE"
    )
    globex.set_roles(bob, ["READ_ONLY_ADMIN"])
    globex.add_access_token(bob, BOB_ACCESS_TOKEN)
    store = CredentialStore()
    store.connect("alice", OktaConnection(org_url=ACME_URL, api_token=acme.token))
    store.connect("bob", OktaConnection(org_url=GLOBEX_URL, access_token=BOB_ACCESS_TOKEN))
    return DemoOrgs(acme, globex, store)
