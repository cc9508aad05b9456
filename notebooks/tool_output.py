"""How the quickstart prints tool results: a listing as a table, a user as JSON, an error."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from langchain_core.messages import ToolMessage

from langchain_okta.views import listed_users

# The listing's columns the tables show, in order; a name stands for firstName and lastName.
USER_COLUMNS = ("id", "status", "login", "name", "mobilePhone")
ERROR_WIDTH = 100


def print_table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> None:
    """Rows under their headers, each column as wide as its widest value."""
    columns = zip(headers, *rows, strict=True)
    widths = [max(len(str(value)) for value in column) for column in columns]
    for row in [headers, ["-" * width for width in widths], *rows]:
        cells = [str(value).ljust(width) for value, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())


def show_users(message: ToolMessage) -> None:
    """An okta_list_users result as a table, then how many users and the cursor."""
    users = listed_users(str(message.content))
    rows = [
        [
            user["id"],
            user["status"],
            user["login"],
            " ".join(filter(None, [user["firstName"], user["lastName"]])),
            user["mobilePhone"] or "",
        ]
        for user in users
    ]
    print_table(rows, USER_COLUMNS)
    next_cursor = json.loads(str(message.content))["next_cursor"]
    print(f"\n{len(users)} user{'' if len(users) == 1 else 's'}, next_cursor: {next_cursor}")


def show_json(message: ToolMessage) -> None:
    """A tool's JSON result, indented."""
    print(json.dumps(json.loads(str(message.content)), indent=2, ensure_ascii=False))


def show_error(message: ToolMessage) -> None:
    """A failed call: its status, then the message the model reads, wrapped."""
    print(f"status: {message.status}")
    print(textwrap.fill(str(message.content), width=ERROR_WIDTH))
