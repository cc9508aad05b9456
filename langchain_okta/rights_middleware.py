"""Agent middleware that offers the model the write tools only for a person who may write.

Whether a person may write is known only per run (their credential's roles or scopes), so
the connected toolkit hands out all four tools and this middleware removes the write tools
from each model call of a run whose person may only read. The tools refuse such a person
themselves too: this only spares the model a tool it cannot use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.tools import BaseTool
from langgraph.config import get_config
from langgraph.prebuilt import ToolRuntime

from langchain_okta.connections import OktaClientClosedError
from langchain_okta.errors import OktaError

if TYPE_CHECKING:
    from langchain_okta.connected import OktaConnectedToolkit

_WRITE_TOOLS = frozenset({"okta_create_user", "okta_update_user"})


class OktaRightsMiddleware(AgentMiddleware[Any, Any]):
    """Removes `okta_create_user` and `okta_update_user` from the model's tools for a run
    whose person may only read (or whose rights cannot be learned: the safe side)."""

    def __init__(self, toolkit: OktaConnectedToolkit) -> None:
        super().__init__()
        self._toolkit = toolkit

    def __repr__(self) -> str:
        return "OktaRightsMiddleware()"

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> Any:
        return handler(self._offered(request, self._may_write(request)))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> Any:
        return await handler(self._offered(request, await self._amay_write(request)))

    def _may_write(self, request: ModelRequest[Any]) -> bool:
        if not _offers_writes(request):
            return True
        pool = self._toolkit.pool
        try:
            connection = self._toolkit.connection(_tool_runtime(request))
            entry = pool.lease(connection)
        except (OktaError, OktaClientClosedError):
            return False  # the tools will say what is wrong, if the model calls them
        try:
            return pool.rights(entry, connection).can_write
        except (OktaError, OktaClientClosedError) as exc:
            pool.refused(entry, exc)  # a refused credential's client leaves the pool
            return False
        finally:
            pool.release(entry)

    async def _amay_write(self, request: ModelRequest[Any]) -> bool:
        if not _offers_writes(request):
            return True
        pool = self._toolkit.pool
        try:
            connection = await self._toolkit.aconnection(_tool_runtime(request))
            entry = await pool.alease(connection)
        except (OktaError, OktaClientClosedError):
            return False
        try:
            return (await pool.arights(entry, connection)).can_write
        except (OktaError, OktaClientClosedError) as exc:
            pool.refused(entry, exc)  # a refused credential's client leaves the pool
            return False
        finally:
            await pool.arelease(entry)

    @staticmethod
    def _offered(request: ModelRequest[Any], may_write: bool) -> ModelRequest[Any]:
        if may_write:
            return request
        tools = [tool for tool in request.tools if _name(tool) not in _WRITE_TOOLS]
        return request.override(tools=tools)


def _offers_writes(request: ModelRequest[Any]) -> bool:
    return any(_name(tool) in _WRITE_TOOLS for tool in request.tools)


def _name(tool: BaseTool | dict[str, Any]) -> str | None:
    return tool.name if isinstance(tool, BaseTool) else tool.get("name")


def _tool_runtime(request: ModelRequest[Any]) -> ToolRuntime:
    return tool_runtime_of(request.state, request.runtime)


def tool_runtime_of(state: Any, runtime: Any) -> ToolRuntime:
    """What the tools' resolver reads, as the tools will see it in this run, from what a
    middleware hook is given (the agent's state and LangGraph's `Runtime`)."""
    return ToolRuntime(
        state=dict(state or {}),
        context=runtime.context,
        config=get_config(),
        stream_writer=runtime.stream_writer,
        tool_call_id=None,
        store=runtime.store,
    )
