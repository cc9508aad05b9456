"""The tools' argument schemas: exactly the fields an agent may set, each described.

These are the safety rails: unknown fields are refused, so an agent cannot reach any
profile attribute beyond names, login, email and mobile phone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from langchain_okta.models import UserStatus
from langchain_okta.paths import MAX_USER_ID_LENGTH, check_user_id

# Okta's base profile limits (the spec's UserProfile): names 1-50 characters, email and login
# 5-100, mobilePhone up to 100.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address like jane.doe@example.com")
    return value


def _user_id(value: str) -> str:
    return check_user_id(value)


def _login(value: str) -> str:
    # A login must also work as a path segment: the toolkit fetches users by login.
    return check_user_id(value, "login")


def _self_contained_search(value: str) -> str:
    """Refuse unbalanced parentheses or quotes.

    The tool wraps a search in parentheses to add the status clause; an expression like
    `a pr) or (b pr` would otherwise escape the grouping and drop that clause.
    """
    depth, in_string, escaped = 0, False, False
    for ch in value:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
            if depth < 0:
                raise ValueError("has a ')' without its '('")
    if in_string:
        raise ValueError("has an unterminated string")
    if depth:
        raise ValueError("has a '(' without its ')'")
    return value


# Characters that make text display as something other than what it is: the bidirectional
# embeddings, overrides and isolates (Trojan Source). The marks LRM/RLM/ALM stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _no_control_characters(value: str) -> str:
    """Refuse only what no name, address or number holds: C0/C1 controls, line and paragraph
    separators, lone surrogates, bidi controls.

    Everything else a person's name can hold stays allowed, such as the zero-width
    (non-)joiner of Persian and Indic spellings and the no-break space.
    """
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise ValueError(f"must not contain control characters (found U+{ord(ch):04X})")
        if category in ("Zl", "Zp"):
            # U+2028/U+2029 end a line in a reviewer's text: a name could forge a line.
            raise ValueError(
                f"must not contain line or paragraph separators (found U+{ord(ch):04X})"
            )
        if category == "Cs":
            raise ValueError(f"must not contain a lone surrogate (found U+{ord(ch):04X})")
        if ch in _BIDI_CONTROLS:
            raise ValueError(
                f"must not contain bidirectional override or isolate characters "
                f"(found U+{ord(ch):04X}), which make text display as something else"
            )
    return value


_Strip = ConfigDict(extra="forbid", str_strip_whitespace=True)

Name = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_no_control_characters)]
Email = Annotated[
    str,
    Field(min_length=5, max_length=100),
    AfterValidator(_no_control_characters),
    AfterValidator(_email),
]
Login = Annotated[
    str,
    Field(min_length=5, max_length=100),
    AfterValidator(_no_control_characters),
    AfterValidator(_login),
]
Phone = Annotated[str, Field(max_length=100), AfterValidator(_no_control_characters)]
UserId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_USER_ID_LENGTH,
        description=(
            "The user's Okta id (00u...) from okta_list_users, or their login "
            "(e.g. jane.doe@example.com)."
        ),
    ),
    AfterValidator(_user_id),
]


class ListUsersArgs(BaseModel):
    model_config = _Strip

    query: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "Text the first name, last name or email starts with, e.g. 'jan' or 'jane.doe@'. "
            "Leave empty to list everyone."
        ),
    )
    search: Annotated[str, AfterValidator(_self_contained_search)] | None = Field(
        default=None,
        max_length=2000,
        description=(
            "An Okta search expression for anything else, e.g. "
            "'profile.department eq \"Sales\"', 'profile.title sw \"VP\"', "
            "'lastLogin lt \"2025-01-01T00:00:00.000Z\"'. Attribute names are case-sensitive; "
            "operators eq, sw, co, pr, gt, ge, lt, le, and/or, parentheses."
        ),
    )
    status: UserStatus | None = Field(
        default=None, description="Only users in this Okta status, e.g. STAGED or SUSPENDED."
    )
    limit: int = Field(default=20, ge=1, le=200, description="Users per page, 1-200.")
    cursor: str | None = Field(
        default=None,
        max_length=512,
        description="next_cursor from the previous page of the same listing, for the next page.",
    )
    summary: bool = Field(
        default=False,
        description=(
            "true: count the matching users by status instead of listing them; limit and "
            "cursor do not apply."
        ),
    )

    @model_validator(mode="after")
    def _summary_counts_from_the_start(self) -> ListUsersArgs:
        if self.summary and self.cursor:
            raise ValueError(
                "a summary counts every matching user from the first page: leave cursor empty"
            )
        return self


class GetUserArgs(BaseModel):
    model_config = _Strip

    user_id: UserId


class CreateUserArgs(BaseModel):
    model_config = _Strip

    first_name: Name = Field(description="First name.")
    last_name: Name = Field(description="Last name.")
    email: Email = Field(description="Primary email address.")
    login: Login | None = Field(
        default=None, description="Okta username; leave empty to use the email."
    )
    mobile_phone: Phone | None = Field(default=None, description="Mobile phone number.")
    activate: bool = Field(
        default=True,
        description=(
            "true (default): activate now; Okta emails the user an activation link. "
            "false: create a STAGED user and send nothing."
        ),
    )

    @model_validator(mode="after")
    def _email_works_as_login(self) -> CreateUserArgs:
        if self.login is None:
            check_user_id(self.email, "email (used as the login)")
        return self

    def new_profile(self) -> dict[str, str]:
        """The Okta profile to create; the client fills in login from email when not given."""
        optional = {"login": self.login, "mobilePhone": self.mobile_phone}
        return {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            **{name: value for name, value in optional.items() if value},
        }


class UpdateUserArgs(BaseModel):
    model_config = _Strip

    user_id: UserId
    first_name: Name | None = Field(default=None, description="New first name.")
    last_name: Name | None = Field(default=None, description="New last name.")
    email: Email | None = Field(default=None, description="New primary email address.")
    login: Login | None = Field(default=None, description="New Okta username.")
    mobile_phone: Phone | None = Field(
        default=None, description='New mobile phone number; "" removes the number.'
    )

    @model_validator(mode="after")
    def _at_least_one_change(self) -> UpdateUserArgs:
        if not self.profile_changes():
            raise ValueError(
                "give at least one of first_name, last_name, email, login, mobile_phone"
            )
        return self

    def profile_changes(self) -> dict[str, str | None]:
        """The Okta profile attributes to change; an empty mobile_phone clears the number."""
        changes: dict[str, str | None] = {
            okta_name: value
            for okta_name, value in (
                ("firstName", self.first_name),
                ("lastName", self.last_name),
                ("email", self.email),
                ("login", self.login),
            )
            if value is not None
        }
        if self.mobile_phone is not None:
            changes["mobilePhone"] = self.mobile_phone or None
        return changes


def validation_causes(error: ValidationError) -> list[str]:
    """Why arguments were refused, one short cause per problem, naming the argument."""
    causes = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        reason = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            causes.append(f"{where} is not an argument of this tool")
        else:
            # Some reasons already start with the argument's name (from check_user_id).
            causes.append(reason if not where or reason.startswith(where) else f"{where}: {reason}")
    return causes
