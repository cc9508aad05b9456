"""What a reviewer approved, as data that travels with the approved call: its binding.

A binding is made when a write call is previewed, before the run pauses, and is saved in the
agent's state with the thread's checkpoint. When the approved call runs (maybe hours later, in
another process), the write is checked against it: an update goes to the user the reviewer saw,
only while that user is as the preview showed it; a create goes ahead only while no one new in
the org has its login, email or name. Otherwise nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from langchain_okta.models import OktaUser

# The attributes a preview shows of the user it updates, besides the requested ones: who the
# reviewer recognises the user by.
IDENTITY = ("login", "email", "firstName", "lastName")

Fields = dict[str, str | None]


class UpdateBinding(BaseModel):
    """An update approved on one user, as the preview saw it."""

    model_config = ConfigDict(frozen=True)

    # The user's id; None when an earlier call of the same turn creates the user, found then
    # by `login`.
    user_id: str | None
    login: str | None = None
    # The ETag read for the preview. None when earlier calls of the turn change the user
    # first, or when Okta sent none: then `expected` alone is compared.
    etag: str | None = None
    seen: Fields  # the shown attributes as read from the org
    expected: Fields  # the shown attributes as the preview assumed them when the call runs
    after_calls: list[int] = []  # the earlier calls (1-based, in the turn) assumed to run first
    missing: bool = False  # the preview found no such user: the approved call changes nothing


class CreateBinding(BaseModel):
    """A create approved after a lookup of its login, email and name."""

    model_config = ConfigDict(frozen=True)

    identity: Fields  # the login, email and names the lookup searched for
    known_matches: list[str]  # ids of the users the preview showed as sharing them
    sibling_logins: list[str]  # logins that earlier calls of the turn create or set (warned)
    after_calls: list[int] = []


class CallApproval(BaseModel):
    """One previewed write call: the text the reviewer reads, and what approving it binds."""

    model_config = ConfigDict(frozen=True)

    tool: str
    position: int  # 1-based, among the write calls of the turn
    args_digest: str
    description: str
    target: str | None = None  # an update's user_id argument as previewed
    update: UpdateBinding | None = None
    create: CreateBinding | None = None
    # The model gave this id to several calls of its message: no preview can be told to be
    # this call's, so none is shown or bound, and approving it writes nothing.
    shared_id: bool = False
    # Why no client could be had for the run when it was previewed (no connection, a person
    # who may only read...): no preview is shown or bound, and approving it writes nothing.
    unavailable: str | None = None


class TurnApprovals(BaseModel):
    """The previewed write calls of one model message, by tool-call id."""

    model_config = ConfigDict(frozen=True)

    message_id: str | None
    calls: dict[str, CallApproval]


def args_digest(tool_name: str, arguments: Mapping[str, Any]) -> str:
    text = json.dumps([tool_name, arguments], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def shown(profile: Mapping[str, Any], attributes: Iterable[str]) -> Fields:
    """The identity attributes and `attributes`, as text."""
    names = dict.fromkeys([*IDENTITY, *attributes])
    return {name: _text(profile.get(name)) for name in names}


def differences(expected: Fields, user: OktaUser) -> list[tuple[str, str | None, str | None]]:
    """The attributes of `expected` that `user` holds otherwise: (attribute, expected, now)."""
    now = shown(user.profile.model_dump(), expected)
    return [(name, value, now[name]) for name, value in expected.items() if now[name] != value]


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
