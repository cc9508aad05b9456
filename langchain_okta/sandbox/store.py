"""The org's users and role assignments in memory, behind one lock.

Stored user dicts are never mutated: an update stores a new `StoredUser`, so a reference taken
under the lock stays a consistent snapshot that can be rendered after the lock is released.
Users keep their place in creation order; a removed user leaves a gap there, so a cursor
issued after it still finds where its page starts.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from langchain_okta.sandbox.profiles import check_profile, login_key, shortname_key
from langchain_okta.sandbox.user_objects import (
    alphanumeric,
    new_user,
    okta_id,
    user_head,
    with_profile,
    with_status,
)

UserPredicate = Callable[[Mapping[str, Any]], bool]
ProfileChange = Callable[[Mapping[str, Any]], dict[str, Any]]


class UserNotFound(KeyError):
    pass


class UnknownCursor(ValueError):
    """A page cursor this org never issued."""


class StaleVersion(ValueError):
    """If-Match named another version of the user than the current one."""


class StoredUser:
    """One version of one user, with its ETag and (lazily) its serialized form."""

    __slots__ = ("_head", "etag", "user", "version")

    def __init__(self, user: dict[str, Any], version: int) -> None:
        self.user = user
        self.version = version
        digest = hashlib.blake2b(f"{user['id']}:{version}".encode(), digest_size=8).hexdigest()
        self.etag = f'W/"{digest}"'
        self._head: bytes | None = None

    @property
    def id(self) -> str:
        return str(self.user["id"])

    @property
    def status(self) -> str:
        return str(self.user["status"])

    def head(self) -> bytes:
        # Benign race: two threads may both serialize the same immutable dict.
        if self._head is None:
            self._head = user_head(self.user)
        return self._head


class UserStore:
    """Users in creation order, indexed by id, login and login shortname.

    Page cursors are opaque, as Okta's are: a keyed hash of the user a page starts after, never
    the id itself, so a client cannot make one up from an id.
    """

    def __init__(
        self,
        users: Iterable[dict[str, Any]],
        *,
        id_rng: random.Random,
        type_id: str,
        cursor_key: bytes,
    ):
        self._lock = threading.Lock()
        self._id_rng = id_rng
        self._type_id = type_id
        self._cursor_key = cursor_key
        self._cursors: dict[str, str] = {}  # cursor -> id of the user the page starts after
        self._users: dict[str, StoredUser] = {}
        self._order: list[str] = []
        self._position: dict[str, int] = {}
        self._by_login: dict[str, str] = {}
        self._by_shortname: dict[str, set[str]] = {}
        self._roles: dict[str, tuple[dict[str, Any], ...]] = {}
        for user in users:
            self._insert(StoredUser(user, 1))

    # Reads

    def get(self, key: str) -> StoredUser | None:
        """Find a user by id, login (any case) or unambiguous login shortname, as Okta does."""
        with self._lock:
            found = self._users.get(key)
            if found is not None:
                return found
            user_id = self._resolve_login(key)
            return self._users[user_id] if user_id is not None else None

    def find_login(self, login: str) -> StoredUser | None:
        with self._lock:
            user_id = self._by_login.get(login_key(login))
            return self._users[user_id] if user_id is not None else None

    def all(self) -> list[StoredUser]:
        with self._lock:
            return [self._users[i] for i in self._order if i in self._users]

    def page(
        self,
        *,
        after: str | None,
        limit: int,
        keep: UserPredicate | None,
        include_deprovisioned: bool,
    ) -> tuple[list[StoredUser], bool]:
        """Up to `limit` matching users after the cursor, and whether more follow."""
        found: list[StoredUser] = []
        with self._lock:
            start = self._start(after)
            users, order = self._users, self._order
            for index in range(start, len(order)):
                stored = users.get(order[index])
                if stored is None:
                    continue  # removed
                if not include_deprovisioned and stored.user["status"] == "DEPROVISIONED":
                    continue
                if keep is not None and not keep(stored.user):
                    continue
                if len(found) == limit:
                    return found, True
                found.append(stored)
        return found, False

    def select(self, keep: UserPredicate) -> list[StoredUser]:
        """Every user matching `keep`, in creation order."""
        return [stored for stored in self.all() if keep(stored.user)]

    def cursor_after(self, user_id: str) -> str:
        """The cursor of the page that starts after this user."""
        digest = hashlib.blake2b(user_id.encode(), key=self._cursor_key, digest_size=20)
        cursor = alphanumeric(digest.digest())
        with self._lock:
            self._cursors[cursor] = user_id
        return cursor

    def user_before(self, cursor: str) -> str:
        """The id of the user a cursor's page starts after; UnknownCursor if never issued."""
        with self._lock:
            user_id = self._cursors.get(cursor)
        if user_id is None:
            raise UnknownCursor(cursor)
        return user_id

    def roles_of(self, user_id: str) -> tuple[dict[str, Any], ...]:
        with self._lock:
            return self._roles.get(user_id, ())

    def __len__(self) -> int:
        with self._lock:
            return len(self._users)

    # Writes

    def assign_roles(self, user_id: str, roles: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            if user_id not in self._users:
                raise UserNotFound(user_id)
            self._roles[user_id] = tuple(roles)

    def create(
        self, profile: Mapping[str, Any], *, activate: bool, password: bool, now: float
    ) -> StoredUser:
        """Add a user; raises InvalidProfile (also for a login that is already taken)."""
        with self._lock:
            check_profile(profile, login_owner=self._login_owner, user_id=None)
            user_id = okta_id(self._id_rng, "00u")
            while user_id in self._position:
                user_id = okta_id(self._id_rng, "00u")
            user = new_user(
                user_id,
                profile,
                activate=activate,
                password=password,
                now=now,
                type_id=self._type_id,
            )
            stored = StoredUser(user, 1)
            self._insert(stored)
            return stored

    def set_status(self, user_id: str, status: str, *, now: float) -> StoredUser:
        with self._lock:
            current = self._users.get(user_id)
            if current is None:
                raise UserNotFound(user_id)
            stored = StoredUser(with_status(current.user, status, now), current.version + 1)
            self._users[user_id] = stored
            return stored

    def remove(self, user_id: str) -> None:
        with self._lock:
            current = self._users.pop(user_id, None)
            if current is None:
                raise UserNotFound(user_id)
            self._unindex(current)
            self._roles.pop(user_id, None)

    def update_profile(
        self, user_id: str, change: ProfileChange, *, if_match: str | None, now: float
    ) -> StoredUser:
        """Replace the profile with `change(current profile)`, atomically with the checks."""
        with self._lock:
            current = self._users.get(user_id)
            if current is None:
                raise UserNotFound(user_id)
            if if_match is not None and not _etag_matches(if_match, current.etag):
                raise StaleVersion(if_match)
            profile = change(current.user["profile"])
            check_profile(profile, login_owner=self._login_owner, user_id=user_id)
            stored = StoredUser(with_profile(current.user, profile, now), current.version + 1)
            self._unindex(current)
            self._users[user_id] = stored
            self._index(stored)
            return stored

    # Internals; callers hold the lock.

    def _start(self, after: str | None) -> int:
        if after is None:
            return 0
        user_id = self._cursors.get(after)
        if user_id is None:
            raise UnknownCursor(after)
        return self._position[user_id] + 1

    def _resolve_login(self, key: str) -> str | None:
        user_id = self._by_login.get(login_key(key))
        if user_id is not None or "@" in key:
            return user_id
        holders = self._by_shortname.get(login_key(key), set())
        return next(iter(holders)) if len(holders) == 1 else None

    def _login_owner(self, login: str) -> str | None:
        return self._by_login.get(login_key(login))

    def _insert(self, stored: StoredUser) -> None:
        user_id = stored.id
        if user_id in self._position:
            raise ValueError(f"duplicate user id {user_id}")
        self._users[user_id] = stored
        self._position[user_id] = len(self._order)
        self._order.append(user_id)
        self._index(stored)

    def _index(self, stored: StoredUser) -> None:
        login = stored.user["profile"]["login"]
        self._by_login[login_key(login)] = stored.id
        self._by_shortname.setdefault(shortname_key(login), set()).add(stored.id)

    def _unindex(self, stored: StoredUser) -> None:
        login = stored.user["profile"]["login"]
        self._by_login.pop(login_key(login), None)
        holders = self._by_shortname.get(shortname_key(login))
        if holders is not None:
            holders.discard(stored.id)
            if not holders:
                del self._by_shortname[shortname_key(login)]


def _etag_matches(if_match: str, etag: str) -> bool:
    # If-Match may list several tags; compare opaque values, ignoring the weak marker.
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted
