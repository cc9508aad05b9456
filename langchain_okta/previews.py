"""Previews of the writes: what an update or a create would do, read from the org beforehand.

A person approving a write decides from a preview (`descriptions.py` puts it into words).
Each preview is a plan like those in `plans.py`, so the sync and async clients share one
logic, and it sends ONE request at most: no retry, and no waiting out a rate-limit window.
LangChain's approval middleware computes descriptions synchronously, in async agents too,
so a preview holds its caller for one round trip and no longer; when that request fails,
the client's typed error is raised and the caller says the preview is unavailable.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from langchain_okta import api
from langchain_okta.api import ApiRequest, Received
from langchain_okta.models import OktaUser
from langchain_okta.plans import Context, Plan, call
from langchain_okta.retries import WaitBudget
from langchain_okta.search_syntax import search_string

T = TypeVar("T")

# Waits this short (another request learning an endpoint's limit) are worth it; a window
# reset, tens of seconds away, is not worth holding an agent for.
MAX_WAIT_SECONDS = 1.0
# The create lookup reads one page: a login, an email and a name rarely match more users.
LOOKUP_LIMIT = 200

UpdateConsequence = Literal[
    "nothing_changes",  # every requested field already holds its value: no write is sent
    "email_changes_login_stays",  # a new email, while the login stays what it was
    "login_changes",  # the person signs in with the new login from then on
    "mobile_phone_removed",
]


class PersonSummary(BaseModel):
    """Who a user is, in the terms an approver recognises them by."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: str | None = None
    login: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @classmethod
    def of(cls, user: OktaUser) -> PersonSummary:
        profile = user.profile
        return cls(
            id=user.id,
            status=user.status,
            login=profile.login,
            email=profile.email,
            first_name=profile.firstName,
            last_name=profile.lastName,
        )

    @property
    def name(self) -> str:
        """First and last name, or the login when the profile has no name."""
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or self.login or self.id


class FieldChange(BaseModel):
    """One requested profile attribute: its value now, and the value asked for."""

    model_config = ConfigDict(frozen=True)

    attribute: str  # Okta's name, e.g. "mobilePhone"
    current: str | None
    proposed: str | None  # None removes the value
    changes: bool  # False: the attribute already holds the value, and is not sent


class UpdatePreview(BaseModel):
    """What `update_user` would do to this user, as the org stands now."""

    model_config = ConfigDict(frozen=True)

    user: PersonSummary
    fields: list[FieldChange]
    consequences: list[UpdateConsequence]

    @property
    def changed(self) -> list[str]:
        """The attributes the update would send, as `update_user` reports them (sorted)."""
        return sorted(field.attribute for field in self.fields if field.changes)


class ExistingUser(BaseModel):
    """A user already in the org who shares the new user's login, email or name."""

    model_config = ConfigDict(frozen=True)

    user: PersonSummary
    same_login: bool  # the create will fail: logins are unique, whatever their case
    same_email: bool
    same_name: bool


class CreatePreview(BaseModel):
    """What `create_user` would do, and who in the org it may collide with."""

    model_config = ConfigDict(frozen=True)

    profile: dict[str, str]  # exactly the profile the create sends
    login_from_email: bool  # no login was given, so the email is the login
    activate: bool
    status_after: Literal["PROVISIONED", "STAGED"]
    activation_email_to: str | None  # where Okta sends the activation link, if it sends one
    matches: list[ExistingUser]  # the login's holder first, then same email, then same name
    lookup_complete: bool  # False: more users matched than one page holds; not all were seen

    @property
    def login_taken(self) -> bool:
        return any(match.same_login for match in self.matches)


def preview_update(
    ctx: Context, user_id: str, changes: Mapping[str, str | None]
) -> Plan[UpdatePreview]:
    """One GET of the user; the preview compares each requested attribute with it."""
    user = yield from one_request(ctx, api.get_user(user_id), api.read_user)
    return update_preview(user, changes)


def preview_create(
    ctx: Context, profile: Mapping[str, str], *, activate: bool, login_from_email: bool
) -> Plan[CreatePreview]:
    """One search for users with the same login, email or name.

    `profile` is the profile the create sends, login included. Okta's search includes
    DEPROVISIONED users, who keep their login too; it may lag a few seconds behind users
    created just before.
    """
    request = api.list_users(search=lookup_search(profile), limit=LOOKUP_LIMIT)
    page = yield from one_request(ctx, request, api.read_user_page)
    return create_preview(
        profile,
        activate=activate,
        login_from_email=login_from_email,
        found=page.users,
        complete=page.next_cursor is None,
    )


def update_preview(user: OktaUser, changes: Mapping[str, str | None]) -> UpdatePreview:
    """The preview of `changes` on `user`.

    An attribute counts as changed exactly when `plans.update_user` would send it: when its
    value differs from the current one.
    """
    current = user.profile.model_dump()
    fields = [
        FieldChange(
            attribute=name,
            current=_text(current.get(name)),
            proposed=value,
            changes=current.get(name) != value,
        )
        for name, value in changes.items()
    ]
    changed = {field.attribute for field in fields if field.changes}
    consequences: list[UpdateConsequence] = []
    if not changed:
        consequences.append("nothing_changes")
    if "email" in changed and "login" not in changed:
        consequences.append("email_changes_login_stays")
    if "login" in changed:
        consequences.append("login_changes")
    if "mobilePhone" in changed and not changes["mobilePhone"]:
        consequences.append("mobile_phone_removed")
    return UpdatePreview(user=PersonSummary.of(user), fields=fields, consequences=consequences)


def lookup_search(profile: Mapping[str, str]) -> str:
    """The search for users with the profile's login, its email, or its first and last name."""
    clauses = [f"profile.login eq {search_string(profile['login'])}"]
    if email := profile.get("email"):
        clauses.append(f"profile.email eq {search_string(email)}")
    first, last = profile.get("firstName"), profile.get("lastName")
    if first and last:
        clauses.append(
            f"(profile.firstName eq {search_string(first)} "
            f"and profile.lastName eq {search_string(last)})"
        )
    return " or ".join(clauses)


def create_preview(
    profile: Mapping[str, str],
    *,
    activate: bool,
    login_from_email: bool,
    found: Sequence[OktaUser],
    complete: bool,
) -> CreatePreview:
    """The preview of creating `profile`, given the users the lookup found.

    Matching ignores case, as Okta's search and its login uniqueness do.
    """
    matches = []
    for user in found:
        existing = ExistingUser(
            user=PersonSummary.of(user),
            same_login=_same(user.profile.login, profile.get("login")),
            same_email=_same(user.profile.email, profile.get("email")),
            same_name=_same(user.profile.firstName, profile.get("firstName"))
            and _same(user.profile.lastName, profile.get("lastName")),
        )
        if existing.same_login or existing.same_email or existing.same_name:
            matches.append(existing)
    matches.sort(key=lambda match: (not match.same_login, not match.same_email))
    return CreatePreview(
        profile=dict(profile),
        login_from_email=login_from_email,
        activate=activate,
        status_after="PROVISIONED" if activate else "STAGED",
        activation_email_to=profile.get("email") if activate else None,
        matches=matches,
        lookup_complete=complete,
    )


def one_request(ctx: Context, request: ApiRequest, read: Callable[[Received], T]) -> Plan[T]:
    """`plans.call` limited to one attempt and a short wait, on the client's shared limits."""
    once = dataclasses.replace(ctx, retries=ctx.retries.model_copy(update={"max_attempts": 1}))
    return (yield from call(once, request, WaitBudget(MAX_WAIT_SECONDS, ctx.clock), read))


def _same(existing: str | None, wanted: str | None) -> bool:
    return bool(existing and wanted) and str(existing).casefold() == str(wanted).casefold()


def _text(value: object) -> str | None:
    """A profile value as text; a custom attribute may hold a number or a list."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
