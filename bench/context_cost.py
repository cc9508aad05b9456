"""4. Context cost: what the model has to read.

- the four tools' schemas, as `convert_to_openai_tool` gives them to a model;
- the tool output per user, against Okta's raw JSON for the same users (GET by id, and one
  page of the listing).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from harness import Figure, Sandbox, Section
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_okta import OktaToolkit
from langchain_okta.tools import GET_USER, LIST_USERS

GOAL = 0.25
# Bytes per token, roughly, for JSON with English names (for the reader's scale only).
BYTES_PER_TOKEN = 4


def measure(box: Sandbox, *, users: int) -> Section:
    section = Section("context", "4. Context cost")
    toolkit = OktaToolkit(box.url, box.token, check_admin=False)
    tools = {tool.name: tool for tool in toolkit.get_tools()}
    try:
        schemas = {name: _compact(convert_to_openai_tool(tool)) for name, tool in tools.items()}
        with httpx.Client(headers=box.auth) as http:
            page = http.get(f"{box.url}/api/v1/users", params={"limit": users})
            page.raise_for_status()
            ids = [str(user["id"]) for user in page.json()]
            raw_get = [len(http.get(f"{box.url}/api/v1/users/{i}").content) for i in ids]
        ours_get = [_bytes(tools[GET_USER].invoke({"user_id": i})) for i in ids]
        ours_list = _bytes(tools[LIST_USERS].invoke({"limit": len(ids)}))
    finally:
        toolkit.client.close()

    schema_bytes = {name: len(text.encode()) for name, text in schemas.items()}
    total = sum(schema_bytes.values())
    count = len(ids)
    raw_get_per_user = sum(raw_get) / count
    ours_get_per_user = sum(ours_get) / count
    raw_list_per_user = len(page.content) / count
    ours_list_per_user = ours_list / count
    section.data.update(
        schema_bytes=schema_bytes,
        schemas_total=total,
        users=count,
        raw_get_bytes=sum(raw_get),
        ours_get_bytes=sum(ours_get),
        raw_list_bytes=len(page.content),
        ours_list_bytes=ours_list,
    )
    section.figures += [
        Figure(
            "4.schemas",
            "context",
            "4 tool schemas (convert_to_openai_tool, compact JSON)",
            total,
            "bytes",
            note=f"≈ {total / BYTES_PER_TOKEN:,.0f} tokens; "
            + ", ".join(f"{name} {size:,}" for name, size in schema_bytes.items()),
        ),
        Figure(
            "4.get_user",
            "context",
            f"okta_get_user output per user ({count} users)",
            ours_get_per_user,
            "bytes/user",
            "raw Okta JSON (GET /users/{id})",
            raw_get_per_user,
            ours_get_per_user / raw_get_per_user,
            "ours / raw",
            f"≤ {GOAL:.0%}",
            ours_get_per_user / raw_get_per_user <= GOAL,
            percent=True,
        ),
        Figure(
            "4.list_users",
            "context",
            f"okta_list_users output per user (one page of {count})",
            ours_list_per_user,
            "bytes/user",
            "raw Okta JSON (GET /users page)",
            raw_list_per_user,
            ours_list_per_user / raw_list_per_user,
            "ours / raw",
            f"≤ {GOAL:.0%}",
            ours_list_per_user / raw_list_per_user <= GOAL,
            percent=True,
        ),
    ]
    section.details.append(
        "Tool output is the ToolMessage content the model reads (the raw objects go to the "
        "artifact, which the model does not see). Raw Okta JSON is the response body as the "
        "sandbox sends it, compact, `_links` included, as Okta's is."
    )
    return section


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _bytes(content: object) -> int:
    if not isinstance(content, str):
        raise RuntimeError(f"tool output is not text: {content!r}")
    return len(content.encode())
