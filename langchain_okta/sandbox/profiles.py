"""Okta's rules for the base user profile: required attributes, email logins, unique logins."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from langchain_okta.sandbox.okta_errors import (
    BLANK,
    LOGIN_NOT_AN_EMAIL,
    LOGIN_TAKEN,
    NOT_AN_EMAIL,
    TOO_LONG,
)

# In the order of Okta's default user schema, which is the order its error causes follow.
REQUIRED_ATTRIBUTES = ("login", "firstName", "lastName", "email")
MAX_LENGTHS = {"login": 100, "firstName": 50, "lastName": 50, "email": 100, "mobilePhone": 100}

# A pragmatic addr-spec: dot-atom local part, dotted domain with an alphabetic TLD.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class InvalidProfile(ValueError):
    """The profile breaks Okta's rules; `causes` are (attribute, reason) pairs in Okta's order."""

    def __init__(self, causes: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{attribute}: {reason}" for attribute, reason in causes))
        self.causes = causes


def login_key(login: str) -> str:
    """The form in which two logins collide: Okta ignores case and diacritical marks."""
    if login.isascii():
        return login.lower()
    decomposed = unicodedata.normalize("NFKD", login)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def shortname_key(login: str) -> str:
    return login_key(login).split("@", 1)[0]


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def non_string_attributes(profile: Mapping[str, Any]) -> list[str]:
    """Base attributes holding something other than a string or null (a malformed body)."""
    return [
        name
        for name in (*REQUIRED_ATTRIBUTES, "mobilePhone")
        if profile.get(name) is not None and not isinstance(profile.get(name), str)
    ]


def check_profile(
    profile: Mapping[str, Any], *, login_owner: Callable[[str], str | None], user_id: str | None
) -> None:
    """Raise InvalidProfile unless `profile` would be accepted for user `user_id` (None: new).

    `login_owner` maps a login to the id of the user holding it, if any.
    """
    causes: list[tuple[str, str]] = []
    for name in REQUIRED_ATTRIBUTES:
        value = profile.get(name)
        if not isinstance(value, str) or not value.strip():
            causes.append((name, BLANK))
            continue
        if len(value) > MAX_LENGTHS[name]:
            causes.append((name, TOO_LONG))
        elif name == "login" and not is_email(value):
            causes.append((name, LOGIN_NOT_AN_EMAIL))
        elif name == "email" and not is_email(value):
            causes.append((name, NOT_AN_EMAIL))
        elif name == "login" and login_owner(value) not in (None, user_id):
            causes.append((name, LOGIN_TAKEN))
    phone = profile.get("mobilePhone")
    if isinstance(phone, str) and len(phone) > MAX_LENGTHS["mobilePhone"]:
        causes.append(("mobilePhone", TOO_LONG))
    if causes:
        raise InvalidProfile(causes)
