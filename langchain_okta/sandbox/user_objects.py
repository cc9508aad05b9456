"""The shape of Okta's objects: users, their `_links`, role assignments, ids and timestamps.

Users are stored without `_links`: those hold absolute URLs, and the sandbox answers on more
than one base URL (the in-process one and the loopback server's), so links are rendered per
response. As on Okta, a listed user carries only its `self` link; a fetched one carries the
lifecycle links its status allows. Where real Okta answers were recorded (STAGED, ACTIVE,
PASSWORD_EXPIRED and SUSPENDED users, in 2025), the links and attributes are the ones Okta sent.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

ALPHANUMERIC = string.ascii_letters + string.digits


# Labels as Okta's role-assignment examples spell them.
ROLE_LABELS = {
    "SUPER_ADMIN": "Super Organization administrator",
    "ORG_ADMIN": "Organization administrator",
    "APP_ADMIN": "Application administrator",
    "USER_ADMIN": "Group administrator",
    "HELP_DESK_ADMIN": "Help Desk administrator",
    "READ_ONLY_ADMIN": "Read-only administrator",
    "MOBILE_ADMIN": "Mobile administrator",
    "REPORT_ADMIN": "Report administrator",
    "GROUP_MEMBERSHIP_ADMIN": "Group Membership administrator",
    "API_ACCESS_MANAGEMENT_ADMIN": "API Access Management administrator",
    "WORKFLOWS_ADMIN": "Workflows administrator",
    "ACCESS_CERTIFICATIONS_ADMIN": "Access Certifications administrator",
    "ACCESS_REQUESTS_ADMIN": "Access Requests administrator",
    "CUSTOM": "UserManagerRole",
}

_LINK_PATHS = {
    "activate": "lifecycle/activate",
    "reactivate": "lifecycle/reactivate",
    "deactivate": "lifecycle/deactivate",
    "suspend": "lifecycle/suspend",
    "unsuspend": "lifecycle/unsuspend",
    "unlock": "lifecycle/unlock",
    "resetPassword": "lifecycle/reset_password",
    "expirePassword": "lifecycle/expire_password",
    "resetFactors": "lifecycle/reset_factors",
    "forgotPassword": "credentials/forgot_password",
    "changePassword": "credentials/change_password",
    "changeRecoveryQuestion": "credentials/change_recovery_question",
}
_PASSWORD_LINKS = ("resetPassword", "expirePassword", "forgotPassword", "changePassword")
_SIGNED_UP_LINKS = (
    "suspend",
    *_PASSWORD_LINKS,
    "changeRecoveryQuestion",
    "resetFactors",
    "deactivate",
)
_LINKS_BY_STATUS: dict[str, tuple[str, ...]] = {
    # A STAGED user can be activated, not deactivated (as recorded).
    "STAGED": ("activate", "resetFactors"),
    "PROVISIONED": ("reactivate", "resetFactors", "deactivate"),
    "ACTIVE": _SIGNED_UP_LINKS,
    "RECOVERY": ("suspend", "resetPassword", "expirePassword", "resetFactors", "deactivate"),
    # Okta offers an expired password's user everything an ACTIVE one gets (as recorded).
    "PASSWORD_EXPIRED": _SIGNED_UP_LINKS,
    "LOCKED_OUT": ("unlock", "suspend", "resetPassword", "resetFactors", "deactivate"),
    "SUSPENDED": ("unsuspend", "resetFactors", "deactivate"),
    "DEPROVISIONED": ("activate",),
}
# Base attributes Okta always sends, null when unset.
_ALWAYS_IN_PROFILE = ("mobilePhone", "secondEmail")


# Maps each random byte to an alphanumeric (a slight bias towards the first few is harmless).
_TO_ALPHANUMERIC = bytes(ord(ALPHANUMERIC[i % len(ALPHANUMERIC)]) for i in range(256))
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MS_PER_DAY = 86_400_000


def okta_id(rng: random.Random, prefix: str) -> str:
    """An id shaped like Okta's: a 3-character type prefix and 17 alphanumerics."""
    return prefix + alphanumeric(rng.randbytes(17))


def alphanumeric(data: bytes) -> str:
    """`data` as as many alphanumeric characters, e.g. to turn a digest into an opaque id."""
    return data.translate(_TO_ALPHANUMERIC).decode()


def timestamp(epoch: float) -> str:
    """Okta's timestamp format, e.g. 2013-07-02T21:36:25.344Z."""
    return TimestampFormatter()(epoch)


class TimestampFormatter:
    """`timestamp`, remembering the days and times of day it has formatted.

    Seeding a large org formats about six timestamps per user; this makes that cheap. Several
    of a user's timestamps are often the same instant, so the last one is remembered whole.
    """

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._times: dict[int, str] = {}
        self._last: tuple[float, str] = (float("nan"), "")

    def __call__(self, epoch: float) -> str:
        if epoch == self._last[0]:
            return self._last[1]
        day, millis = divmod(round(epoch * 1000), _MS_PER_DAY)
        second, millis = divmod(millis, 1000)
        calendar_day = self._days.get(day)
        if calendar_day is None:
            calendar_day = date.fromordinal(_UNIX_EPOCH_ORDINAL + day).isoformat()
            self._days[day] = calendar_day
        time_of_day = self._times.get(second)
        if time_of_day is None:
            minutes, seconds = divmod(second, 60)
            time_of_day = f"{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}"
            self._times[second] = time_of_day
        text = f"{calendar_day}T{time_of_day}.{millis:03d}Z"
        self._last = (epoch, text)
        return text


def credentials(email: Any, *, verified: bool, has_password: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if has_password:
        result["password"] = {}
    if isinstance(email, str):
        status = "VERIFIED" if verified else "UNVERIFIED"
        result["emails"] = [{"value": email, "status": status, "type": "PRIMARY"}]
    result["provider"] = {"type": "OKTA", "name": "OKTA"}
    return result


def new_user(
    user_id: str,
    profile: Mapping[str, Any],
    *,
    activate: bool,
    password: bool,
    now: float,
    type_id: str,
) -> dict[str, Any]:
    """A user as createUser makes it: STAGED, or if activated ACTIVE with a password and
    PROVISIONED (waiting for the user to set one) without."""
    stamp = timestamp(now)
    status = ("ACTIVE" if password else "PROVISIONED") if activate else "STAGED"
    return {
        "id": user_id,
        "status": status,
        "created": stamp,
        "activated": stamp if activate else None,
        # Okta sets it on creation, for a STAGED user too.
        "statusChanged": stamp,
        "lastLogin": None,
        "lastUpdated": stamp,
        "passwordChanged": stamp if password else None,
        "type": {"id": type_id},
        "profile": okta_profile(profile),
        # Okta marks the email of a user created with a password VERIFIED (as recorded).
        "credentials": credentials(profile.get("email"), verified=password, has_password=password),
    }


def okta_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as Okta stores it: the base attributes it always sends are there, null if
    unset."""
    stored = dict(profile)
    for name in _ALWAYS_IN_PROFILE:
        stored.setdefault(name, None)
    return stored


def with_status(user: Mapping[str, Any], status: str, now: float) -> dict[str, Any]:
    """A copy of `user` moved to `status`, as a lifecycle operation leaves it."""
    stamp = timestamp(now)
    updated = {**user, "status": status, "statusChanged": stamp, "lastUpdated": stamp}
    if status in ("ACTIVE", "PROVISIONED") and updated.get("activated") is None:
        updated["activated"] = stamp
    return updated


def with_profile(user: Mapping[str, Any], profile: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A copy of `user` with a new profile; the primary email credential follows the profile."""
    updated = dict(user)
    updated["profile"] = okta_profile(profile)
    updated["lastUpdated"] = timestamp(now)
    creds = dict(user.get("credentials") or {})
    emails = creds.get("emails")
    email = profile.get("email")
    if emails and isinstance(email, str) and emails[0].get("value") != email:
        creds["emails"] = [{**emails[0], "value": email}, *emails[1:]]
        updated["credentials"] = creds
    return updated


def json_base(base_url: str) -> str:
    """The base URL escaped for use inside a JSON string."""
    return json.dumps(base_url)[1:-1]


def user_head(user: Mapping[str, Any]) -> bytes:
    """The user's JSON without its closing brace, ready for `_links` to be appended."""
    return json.dumps(user, separators=(",", ":"), ensure_ascii=False).encode()[:-1]


def render_user(
    head: bytes, user: Mapping[str, Any], base_json: str, *, full: bool, schema_id: str
) -> bytes:
    return head + b',"_links":' + _links(user, base_json, full, schema_id).encode() + b"}"


def _links(user: Mapping[str, Any], base_json: str, full: bool, schema_id: str) -> str:
    user_url = f"{base_json}/api/v1/users/{user['id']}"
    self_link = f'"self":{{"href":"{user_url}"}}'
    if not full:
        return "{" + self_link + "}"
    parts = [
        f'"{rel}":{{"href":"{user_url}/{_LINK_PATHS[rel]}","method":"POST"}}'
        for rel in _LINKS_BY_STATUS.get(str(user.get("status")), ())
    ]
    type_id = (user.get("type") or {}).get("id")
    parts.append(f'"schema":{{"href":"{base_json}/api/v1/meta/schemas/user/{schema_id}"}}')
    if isinstance(type_id, str):
        parts.append(f'"type":{{"href":"{base_json}/api/v1/meta/types/user/{type_id}"}}')
    parts.append(self_link)
    return "{" + ",".join(parts) + "}"


def role_assignment(
    role_type: str, assignment_id: str, created: str, rng: random.Random
) -> dict[str, Any]:
    """A role assigned directly to a user, without its `_links` (rendered per response)."""
    role: dict[str, Any] = {
        "id": assignment_id,
        "label": ROLE_LABELS[role_type],
        "type": role_type,
        "status": "ACTIVE",
        "created": created,
        "lastUpdated": created,
        "assignmentType": "USER",
    }
    if role_type == "CUSTOM":
        role["role"] = okta_id(rng, "cr0")
        role["resource-set"] = okta_id(rng, "iam")
    return role


def render_roles(roles: Sequence[Mapping[str, Any]], base_url: str, user_id: str) -> bytes:
    rendered = []
    for role in roles:
        links: dict[str, Any] = {"assignee": {"href": f"{base_url}/api/v1/users/{user_id}"}}
        if role["type"] == "CUSTOM":
            iam = f"{base_url}/api/v1/iam"
            resource_set, role_id = role["resource-set"], role["role"]
            links["resource-set"] = {"href": f"{iam}/resource-sets/{resource_set}"}
            binding = f"{iam}/resource-sets/{resource_set}/bindings/{role_id}"
            links["member"] = {"href": f"{binding}/members/{role['id']}"}
            links["role"] = {"href": f"{iam}/roles/{role_id}"}
            links["permissions"] = {"href": f"{iam}/permission-sets/{role_id}/permissions"}
        rendered.append({**role, "_links": links})
    return json.dumps(rendered, separators=(",", ":")).encode()
