"""Values as Okta search syntax: how a string goes into a `search` expression."""

from __future__ import annotations


def search_string(value: str) -> str:
    """A value as a quoted string literal of Okta's search syntax."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
