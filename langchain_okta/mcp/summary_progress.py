"""A summary's progress as MCP progress notifications, one per page read.

The list tool already reports each page of a summary as a LangChain custom event
(`events.py`); this callback handler, passed to the tool's run, forwards those events to
the client that asked for progress (a `progressToken` on its call). A client that did not
ask gets nothing: the SDK's `report_progress` sends only against a token.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from mcp.server.session import ServerSession

from langchain_okta.events import SUMMARY_PROGRESS_EVENT


class SummaryProgress(AsyncCallbackHandler):
    """Forwards `okta_summary_progress` events of one tool call to its MCP request."""

    def __init__(self, session: ServerSession) -> None:
        self._session = session

    async def on_custom_event(
        self,
        name: str,
        data: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if name != SUMMARY_PROGRESS_EVENT:
            return
        # Pages, not users, as the progress value: MCP wants it to grow with every
        # notification, and a page of a filtered listing may add no user.
        pages, matched = data["pages"], data["matched"]
        more = "; reading the next page" if data["more"] else "; last page"
        await self._session.report_progress(
            progress=pages,
            message=f"{matched} users counted in {pages} page{'s' if pages != 1 else ''}{more}",
        )
