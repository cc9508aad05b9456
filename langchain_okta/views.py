"""What the model sees: compact JSON views of users. The raw objects go to the artifact."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_okta.models import OktaUser

# The timestamps admins ask about; the rest (statusChanged, passwordChanged...) stay in the
# artifact.
_TIMESTAMPS = ("created", "activated", "lastLogin", "lastUpdated")
_PROFILE = ("login", "email", "firstName", "lastName", "mobilePhone")


def user_view(user: OktaUser) -> dict[str, Any]:
    """The few fields an admin needs, with empty ones left out to save context."""
    profile = user.profile
    view: dict[str, Any] = {"id": user.id}
    if user.status is not None:
        view["status"] = user.status
    for name in _PROFILE:
        value = getattr(profile, name)
        if value is not None:
            view[name] = value
    for name in _TIMESTAMPS:
        value = getattr(user, name)
        if value is not None:
            view[name] = value
    return view


def to_json(value: object) -> str:
    """Compact JSON; every profile value is escaped, so no name can break the structure."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def users_content(users: Sequence[OktaUser], next_cursor: str | None) -> str:
    return to_json({"users": [user_view(user) for user in users], "next_cursor": next_cursor})


def user_content(user: OktaUser, **extra: object) -> str:
    return to_json({"user": user_view(user), **extra})
