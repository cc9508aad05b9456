"""What the model sees: compact JSON views of users. The raw objects go to the artifact."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_okta.models import OktaUser

if TYPE_CHECKING:
    from langchain_okta.summaries import UserSummary

_PROFILE = ("login", "email", "firstName", "lastName", "mobilePhone")
# The timestamps admins ask about; the rest (statusChanged, passwordChanged...) stay in the
# artifact.
VIEW_FIELDS = ("id", "status", *_PROFILE, "created", "activated", "lastLogin", "lastUpdated")
# A listing keeps the two timestamps asked about most (when created, last signed in);
# okta_get_user has them all.
LIST_COLUMNS = ("id", "status", *_PROFILE, "created", "lastLogin")
# A summary's sample: enough to tell which users were counted. The rows themselves come
# from the plain listing.
SAMPLE_COLUMNS = ("id", "status", "login")
# What a summary may cost the model, whatever the org's size: rows of the sample are left
# out until the whole fits under it.
SUMMARY_MAX_BYTES = 400
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Escaped as JSON escapes (read back as the same characters), so no value can forge or reorder
# a line wherever the model's input is shown: the C1 controls, the line and paragraph
# separators, and the bidirectional marks, embeddings, overrides and isolates (json.dumps
# escapes the C0 controls itself).
_HIDDEN = re.compile("[\x80-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def _value(user: OktaUser, name: str) -> Any:
    return getattr(user.profile if name in _PROFILE else user, name)


def user_view(user: OktaUser) -> dict[str, Any]:
    """The few fields an admin needs, with empty ones left out to save context."""
    values = ((name, _value(user, name)) for name in VIEW_FIELDS)
    return {name: value for name, value in values if value is not None}


def to_json(value: object) -> str:
    """Compact JSON; every profile value is escaped, so no name can break the structure.

    Non-ASCII text stays as is (cheaper for the model than escapes), except lone surrogates,
    which no UTF-8 request to a model could carry (they become U+FFFD), and the characters
    that could forge or reorder a line (they become JSON escapes).
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if text.isascii():
        return text
    return _HIDDEN.sub(_escaped, _LONE_SURROGATE.sub("\ufffd", text))


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def users_content(users: Sequence[OktaUser], next_cursor: str | None) -> str:
    """A page of users as a table: the column names once, then one row of values per user.

    Repeating every key for every user would double the bytes a page costs the model.
    """
    rows = [[_value(user, column) for column in LIST_COLUMNS] for user in users]
    return to_json({"columns": LIST_COLUMNS, "users": rows, "next_cursor": next_cursor})


def listed_users(content: str) -> list[dict[str, Any]]:
    """The users of an okta_list_users result as dicts, for code that reads tool output."""
    page = json.loads(content)
    return [dict(zip(page["columns"], row, strict=True)) for row in page["users"]]


def user_content(user: OktaUser, **extra: object) -> str:
    return to_json({"user": user_view(user), **extra})


def summary_content(summary: UserSummary) -> str:
    """A summary as compact JSON under SUMMARY_MAX_BYTES: counts, then as much sample as fits.

    An incomplete summary says why, and that its counts are lower bounds, right after
    `complete`, where the count is read.
    """
    head: dict[str, Any] = {"matched": summary.matched, "complete": summary.complete}
    if not summary.complete:
        head["reason"] = f"{summary.reason}; matched and by_status are lower bounds"
    if summary.excluded:
        # Next to `complete`: complete means every page of this listing, not every user.
        head["not_counted"] = (
            f"{', '.join(summary.excluded)} (deactivated) users, which a listing without "
            "query or search leaves out; count them with status="
            f"{summary.excluded[0]}"
        )
    head["by_status"] = summary.by_status
    rows = [[_value(user, column) for column in SAMPLE_COLUMNS] for user in summary.sample]
    for kept in range(len(rows), -1, -1):
        text = to_json({**head, "columns": SAMPLE_COLUMNS, "sample": rows[:kept]})
        if len(text.encode()) < SUMMARY_MAX_BYTES:
            return text
    # Not even an empty sample fits (counts of every status in the millions): counts only.
    return to_json(head)
