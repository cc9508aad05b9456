"""7. Answering "how many" in an org of growing size: `okta_list_users` with `summary=true`
against paging every row through the same tool, as a model would have to without it.

Per org size: the bytes of tool output the model reads, the requests the server counted, and
the wall time. The summary must count exactly what the listing lists, in one request per
page, and stay under 400 bytes whatever the size.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from harness import Figure, Sandbox, Section, server_count
from langchain_core.tools import BaseTool
from listing import LIST_PATH, PAGE, Size

from langchain_okta import OktaToolkit
from langchain_okta.tools import LIST_USERS
from langchain_okta.views import SUMMARY_MAX_BYTES

# Bytes per token, roughly, for JSON with English names (for the reader's scale only).
BYTES_PER_TOKEN = 4


@dataclass
class Answered:
    """One way of answering, for one org size."""

    output_bytes: int
    requests: int
    seconds: float
    calls: int
    matched: int


@dataclass
class Compared:
    listed: int
    pages: int
    summary: Answered
    paging: Answered
    by_status: dict[str, int]


def measure(orgs: list[tuple[Size, Sandbox]]) -> Section:
    """`orgs`: each size with a sandbox started from `listing.spec(size)`, smallest first."""
    section = Section("summary", '7. "How many": a summary against paging the rows (tool output)')
    results = [_one(size, box) for size, box in orgs]
    section.data["sizes"] = [
        {
            "listed": result.listed,
            "pages": result.pages,
            "summary": vars(result.summary),
            "paging": vars(result.paging),
            "by_status": result.by_status,
        }
        for result in results
    ]
    for result in results:
        summary, paging = result.summary, result.paging
        section.figures += [
            Figure(
                f"7.bytes.{result.listed}",
                "summary",
                f"{result.listed:,} users: tool output to answer how many",
                summary.output_bytes,
                "bytes",
                f"paging the rows, {paging.calls} calls",
                paging.output_bytes,
                paging.output_bytes / summary.output_bytes,
                "paging / summary (x less)",
                f"< {SUMMARY_MAX_BYTES} bytes",
                summary.output_bytes < SUMMARY_MAX_BYTES,
                note=f"≈ {summary.output_bytes / BYTES_PER_TOKEN:,.0f} tokens against "
                f"≈ {paging.output_bytes / BYTES_PER_TOKEN:,.0f}",
            ),
            Figure(
                f"7.requests.{result.listed}",
                "summary",
                f"{result.listed:,} users: summary requests",
                summary.requests,
                "requests",
                "pages = ceil(users / 200)",
                result.pages,
                summary.requests / result.pages,
                "requests / pages",
                f"= {result.pages}",
                summary.requests == result.pages,
                note=f"paging the rows through the tool: {paging.requests} requests",
            ),
            Figure(
                f"7.time.{result.listed}",
                "summary",
                f"{result.listed:,} users: wall time",
                summary.seconds,
                "s",
                "paging the rows through the tool",
                paging.seconds,
                summary.seconds / paging.seconds,
                "summary / paging",
            ),
        ]
    section.details += [
        "Both run the toolkit's `okta_list_users` as an agent's tool node does (`invoke` with a "
        "tool call), on the same org: the summary in one call, the paging with `limit=200`, "
        "passing each `next_cursor` back until it is null. Output is the ToolMessage content "
        "the model reads. Requests are the server's own count of the list endpoint. The "
        "summary's `matched` and `by_status` are checked against the rows the paging read.",
        "By status, at the largest size: "
        + ", ".join(f"{status} {count:,}" for status, count in results[-1].by_status.items())
        + ".",
    ]
    return section


def _one(size: Size, box: Sandbox) -> Compared:
    toolkit = OktaToolkit(box.url, box.token, check_admin=False)
    tool = next(tool for tool in toolkit.get_tools() if tool.name == LIST_USERS)
    try:
        summary, shown = _timed_requests(box, lambda: _summary(tool))
        paging, statuses = _timed_requests(box, lambda: _paging(tool))
    finally:
        toolkit.client.close()
    if not shown["complete"] or shown["matched"] != size.listed:
        raise RuntimeError(f"the summary counted {shown}, expected {size.listed} users")
    if shown["by_status"] != statuses or paging.matched != size.listed:
        raise RuntimeError(f"the summary's breakdown {shown['by_status']} != listed {statuses}")
    return Compared(
        listed=size.listed,
        pages=math.ceil(size.listed / PAGE),
        summary=summary,
        paging=paging,
        by_status=shown["by_status"],
    )


def _timed_requests(box: Sandbox, run: Any) -> tuple[Answered, Any]:
    before = server_count(box, LIST_PATH, {"limit": "1"})
    start = time.perf_counter()
    answered, extra = run()
    answered.seconds = time.perf_counter() - start
    answered.requests = server_count(box, LIST_PATH, {"limit": "1"}) - before - 1
    return answered, extra


def _call(tool: BaseTool, args: dict[str, Any]) -> str:
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})
    if message.status != "success":
        raise RuntimeError(f"{tool.name} failed: {message.content}")
    return str(message.content)


def _summary(tool: BaseTool) -> tuple[Answered, dict[str, Any]]:
    content = _call(tool, {"summary": True})
    shown: dict[str, Any] = json.loads(content)
    return Answered(len(content.encode()), 0, 0.0, 1, shown["matched"]), shown


def _paging(tool: BaseTool) -> tuple[Answered, dict[str, int]]:
    output_bytes = calls = matched = 0
    statuses: dict[str, int] = {}
    cursor: str | None = None
    while True:
        content = _call(tool, {"limit": PAGE, "cursor": cursor})
        output_bytes += len(content.encode())
        calls += 1
        page = json.loads(content)
        matched += len(page["users"])
        for row in page["users"]:
            statuses[row[1]] = statuses.get(row[1], 0) + 1
        cursor = page["next_cursor"]
        if cursor is None:
            return Answered(output_bytes, 0, 0.0, calls, matched), statuses
