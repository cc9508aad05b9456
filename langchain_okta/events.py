"""A summary's progress as LangChain custom events, one per page, for streaming UIs.

They reach the callbacks of the tool's run: `astream_events` yields them as
`on_custom_event` named SUMMARY_PROGRESS_EVENT, with `{"pages", "matched", "more"}`.
Outside a run (a tool function called directly) there is no one to tell, and nothing is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.callbacks import adispatch_custom_event, dispatch_custom_event
from langchain_core.runnables.config import (
    ensure_config,
    get_async_callback_manager_for_config,
    get_callback_manager_for_config,
)

from langchain_okta.progress import PageProgress, ProgressCallback

SUMMARY_PROGRESS_EVENT = "okta_summary_progress"


def event_data(progress: PageProgress) -> dict[str, Any]:
    return {"pages": progress.pages, "matched": progress.users, "more": progress.more}


def progress_events() -> ProgressCallback | None:
    """A callback that dispatches each page's progress to the current run, or None outside one."""
    config = ensure_config()
    if get_callback_manager_for_config(config).parent_run_id is None:
        return None

    def dispatch(progress: PageProgress) -> None:
        dispatch_custom_event(SUMMARY_PROGRESS_EVENT, event_data(progress), config=config)

    return dispatch


@asynccontextmanager
async def async_progress_events() -> AsyncIterator[ProgressCallback | None]:
    """The same for async code: each event is dispatched in a task of its own (the plan
    calls back without awaiting), in page order, and all are awaited before the block ends.

    Each task waits for the one before it: LangChain runs a sync handler's callback on a
    thread pool, where a later event could otherwise overtake an earlier one."""
    config = ensure_config()
    if get_async_callback_manager_for_config(config).parent_run_id is None:
        yield None
        return
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Task[None]] = []

    async def send(data: dict[str, Any], after: asyncio.Task[None] | None) -> None:
        if after is not None:
            await after
        await adispatch_custom_event(SUMMARY_PROGRESS_EVENT, data, config=config)

    def dispatch(progress: PageProgress) -> None:
        after = pending[-1] if pending else None
        pending.append(loop.create_task(send(event_data(progress), after)))

    try:
        yield dispatch
    finally:
        await asyncio.gather(*pending)
