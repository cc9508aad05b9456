"""What the server lists: each toolkit tool as an MCP tool, with annotations and output schema.

Name, description and input schema are the StructuredTool's own, so an MCP client sees
exactly what a LangChain agent sees, `additionalProperties: false` included (the schema is
the safety rail that keeps writes to the six profile fields).
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from langchain_core.tools import BaseTool
from pydantic import BaseModel

from langchain_okta.tool_names import CREATE_USER, GET_USER, LIST_USERS, UPDATE_USER

WRITE_TOOLS = frozenset({CREATE_USER, UPDATE_USER})

# Hints a client may act on (auto-approving reads, retrying idempotent calls), so each is
# what the tool really does. openWorldHint: the tools reach one org's user directory, a
# closed domain, except that creating an active user makes Okta email that person.
_ANNOTATIONS = {
    LIST_USERS: types.ToolAnnotations(
        title="List or count Okta users",
        read_only_hint=True,
        open_world_hint=False,
    ),
    GET_USER: types.ToolAnnotations(
        title="Get an Okta user",
        read_only_hint=True,
        open_world_hint=False,
    ),
    CREATE_USER: types.ToolAnnotations(
        title="Create an Okta user",
        read_only_hint=False,
        # Adds a user and overwrites nothing.
        destructive_hint=False,
        # A repeat is refused (the login is taken) rather than answered alike, and once the
        # first user's login changes a repeat creates a second account.
        idempotent_hint=False,
        # activate=true makes Okta email the new user an activation link.
        open_world_hint=True,
    ),
    UPDATE_USER: types.ToolAnnotations(
        title="Update an Okta user",
        read_only_hint=False,
        # It overwrites names, email and login, and mobile_phone="" removes the number.
        destructive_hint=True,
        # It sends only the fields that differ: the same call again changes nothing more.
        idempotent_hint=True,
        open_world_hint=False,
    ),
}

_USER: dict[str, Any] = {
    "type": "object",
    "description": "The user's id, status, profile fields and timestamps; empty ones left out.",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string"},
        "login": {"type": "string"},
        "email": {"type": "string"},
        "firstName": {"type": "string"},
        "lastName": {"type": "string"},
        "mobilePhone": {"type": "string"},
        "created": {"type": "string"},
        "activated": {"type": "string"},
        "lastLogin": {"type": "string"},
        "lastUpdated": {"type": "string"},
    },
    "required": ["id"],
}
_ROWS = {"type": "array", "items": {"type": "array"}}
_COLUMNS = {"type": "array", "items": {"type": "string"}}

# The structured results are the JSON the text content carries (views.py): compact on
# purpose, since a client may hand either to the model.
_OUTPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    LIST_USERS: {
        "type": "object",
        "description": "A page of users (columns, users, next_cursor) or, with summary=true, "
        "a count (matched, complete, by_status, a sample).",
        "properties": {
            "columns": _COLUMNS,
            "users": _ROWS,
            # anyOf rather than a type array: clients that map schemas onto one-type
            # dialects (Gemini's) keep it (the MCP Inspector's portability check).
            "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "matched": {"type": "integer"},
            "complete": {"type": "boolean"},
            "reason": {"type": "string"},
            "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
            "sample": _ROWS,
        },
        "anyOf": [
            {"required": ["columns", "users", "next_cursor"]},
            {"required": ["matched", "complete", "by_status"]},
        ],
    },
    GET_USER: {"type": "object", "properties": {"user": _USER}, "required": ["user"]},
    CREATE_USER: {"type": "object", "properties": {"user": _USER}, "required": ["user"]},
    UPDATE_USER: {
        "type": "object",
        "properties": {"user": _USER, "changed": {"type": "array", "items": {"type": "string"}}},
        "required": ["user", "changed"],
    },
}


def mcp_tool(tool: BaseTool, *, structured: bool) -> types.Tool:
    """The MCP definition of a toolkit tool; `structured` adds its output schema."""
    schema = tool.args_schema
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise TypeError(f"{tool.name} has no pydantic argument schema")
    return types.Tool(
        name=tool.name,
        title=_ANNOTATIONS[tool.name].title,
        description=tool.description,
        input_schema=schema.model_json_schema(),
        output_schema=_OUTPUT_SCHEMAS[tool.name] if structured else None,
        annotations=_ANNOTATIONS[tool.name],
    )
