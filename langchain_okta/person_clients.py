"""The client source of `OktaConnectedToolkit`'s approvals: each run's own person's pooled client.

Each step of an approval (the previews before the pause, a re-check when a call is shown again,
the approved write) resolves the run's connection as the connected tools do, leases that
person's client from the toolkit's pool for the step only, and releases it after. A write
(and its preview) first checks the person may write. A credential Okta refuses (401) becomes
`OktaReconnectError`, and its client leaves the pool, as in the connected tools.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolRuntime

from langchain_okta.client import OktaClient
from langchain_okta.connection_errors import OktaWriteNotAllowedError
from langchain_okta.errors import OktaAuthenticationError
from langchain_okta.pool import ClientPool, PooledClient
from langchain_okta.rights import Rights
from langchain_okta.tools import Output

if TYPE_CHECKING:
    from langchain_okta.connected import OktaConnectedToolkit


class PersonClients:
    """Lends each step of a run the pooled client of the run's person (a `ClientSource`)."""

    def __init__(self, toolkit: OktaConnectedToolkit) -> None:
        self._toolkit = toolkit

    def __repr__(self) -> str:
        return "PersonClients()"

    @contextmanager
    def client_for(self, state: Any, runtime: Any, *, write: bool = False) -> Iterator[OktaClient]:
        toolkit, pool = self._toolkit, self._toolkit.pool
        connection = toolkit.connection(_tool_runtime(state, runtime))
        entry = pool.lease(connection)
        try:
            with _refused_credential(pool, entry):
                if write:
                    _may_write(pool.rights(entry, connection))
                yield entry.client
        finally:
            pool.release(entry)

    @asynccontextmanager
    async def aclient_for(
        self, state: Any, runtime: Any, *, write: bool = False
    ) -> AsyncIterator[OktaClient]:
        toolkit, pool = self._toolkit, self._toolkit.pool
        connection = await toolkit.aconnection(_tool_runtime(state, runtime))
        entry = await pool.alease(connection)
        try:
            with _refused_credential(pool, entry):
                if write:
                    _may_write(await pool.arights(entry, connection))
                yield entry.client
        finally:
            await pool.arelease(entry)

    def node_tool(self, tool: BaseTool) -> BaseTool:
        """`tool` as the connected tools' node calls it: it is given the run's runtime (the
        node injects it by the tool's name), which the approved write does not need."""
        from langchain_okta.connected import OktaConnectedTool

        func, coroutine = getattr(tool, "func", None), getattr(tool, "coroutine", None)
        assert func is not None
        assert coroutine is not None

        def run(*text: str, runtime: Any = None, **kwargs: Any) -> Output:
            return func(*text, **kwargs)  # type: ignore[no-any-return]

        async def arun(*text: str, runtime: Any = None, **kwargs: Any) -> Output:
            return await coroutine(*text, **kwargs)  # type: ignore[no-any-return]

        return OktaConnectedTool.from_function(
            func=run,
            coroutine=arun,
            name=tool.name,
            description=tool.description,
            args_schema=tool.args_schema,
            response_format="content_and_artifact",
            handle_tool_error=True,
            handle_validation_error=tool.handle_validation_error,
        )


def _tool_runtime(state: Any, runtime: Any) -> ToolRuntime | None:
    """What the connection resolver reads: a tool call's runtime, or one made as the tools
    will see it from a middleware hook's (see `rights_middleware.tool_runtime_of`)."""
    if runtime is None or isinstance(runtime, ToolRuntime):
        return runtime
    from langchain_okta.rights_middleware import tool_runtime_of

    return tool_runtime_of(state, runtime)


def _may_write(rights: Rights) -> None:
    if not rights.can_write:
        raise OktaWriteNotAllowedError(rights.who, rights.why_read_only)


@contextmanager
def _refused_credential(pool: ClientPool, entry: PooledClient) -> Iterator[None]:
    """A credential Okta refused: the person must reconnect, and its client leaves the pool."""
    try:
        yield
    except OktaAuthenticationError as exc:
        refused = pool.refused(entry, exc)
        if refused is None or refused is exc:
            raise
        raise refused from None
