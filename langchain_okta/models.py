"""Okta's objects as this package reads them: users, pages of users, role assignments."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

# Okta's admin permission tables: these roles may create and update users (a Group Admin
# within its groups, a custom role with the user permissions); other admins only read.
USER_MANAGER_ROLES = frozenset({"SUPER_ADMIN", "ORG_ADMIN", "USER_ADMIN", "CUSTOM"})

UserStatus = Literal[
    "STAGED",
    "PROVISIONED",
    "ACTIVE",
    "RECOVERY",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "SUSPENDED",
    "DEPROVISIONED",
]


class UserProfile(BaseModel):
    """The base attributes this package reads; custom attributes are kept as extras.

    Field names are Okta's own (camelCase), so the JSON maps one to one.
    """

    model_config = ConfigDict(extra="allow")

    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None
    login: str | None = None
    mobilePhone: str | None = None


class OktaUser(BaseModel):
    """A user as Okta returns it. Everything Okta sent is kept, so `raw()` round-trips."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str | None = None
    created: str | None = None
    activated: str | None = None
    statusChanged: str | None = None
    lastLogin: str | None = None
    lastUpdated: str | None = None
    profile: UserProfile = UserProfile()

    def raw(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class UserPage(BaseModel):
    """One page of a user listing; `next_cursor` is None on the last page."""

    users: list[OktaUser]
    next_cursor: str | None = None


class RoleAssignment(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    id: str | None = None
    label: str | None = None
    status: str | None = None


class AdminAccess(BaseModel):
    """What the admin check found about the admin behind the token."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    login: str | None
    roles: tuple[str, ...]
    can_write: bool
    roles_visible: bool = True
