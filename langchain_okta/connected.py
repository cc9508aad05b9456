"""`OktaConnectedToolkit`: one deployed agent, each person's own Okta credential.

The tools are the toolkit's four, with the same names, schemas and descriptions: the model's
view does not change. What changes is where the credential comes from: each call reads the
run's `OktaConnection` from LangChain's runtime (`agent.invoke(..., context=...)`), or from a
resolver the app supplies, and sends through that connection's pooled client (see
`langchain_okta.pool`). The connection is injected by LangGraph, never an argument the model
writes, and is left out of the tool's callback inputs, its messages and its artifacts.
"""

# No `from __future__ import annotations`: LangChain reads the tool functions' type hints
# (`runtime: ToolRuntime`) to inject the runtime.

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

import httpx
from langchain_core.tools import BaseTool, BaseToolkit, ToolException
from langgraph.prebuilt import ToolRuntime
from pydantic import BaseModel, ConfigDict, PrivateAttr

from langchain_okta.arguments import CreateUserArgs, GetUserArgs, ListUsersArgs, UpdateUserArgs
from langchain_okta.client import OktaClient
from langchain_okta.closing import Closing
from langchain_okta.connection import OktaConnection
from langchain_okta.connection_errors import (
    OktaConnectionLookupError,
    OktaNotConnectedError,
    OktaOrgNotAllowedError,
    OktaWriteNotAllowedError,
)
from langchain_okta.connections import OktaClientClosedError, holds_no_connections
from langchain_okta.errors import OktaError
from langchain_okta.pool import ClientPool, OrgShare, PooledClient, PoolLimits
from langchain_okta.settings import RetrySettings, Timeouts, normalise_org_url
from langchain_okta.summaries import SummaryLimits
from langchain_okta.tool_names import CREATE_USER, GET_USER, LIST_USERS, UPDATE_USER
from langchain_okta.tools import (
    _DESCRIPTIONS,
    OktaTool,
    Output,
    _explain_invalid_arguments,
    build_tools,
)

if TYPE_CHECKING:
    from langchain.agents.middleware import AgentMiddleware, InterruptOnConfig

ConnectionResolver = Callable[[ToolRuntime], OktaConnection | None]
AsyncConnectionResolver = Callable[[ToolRuntime], Awaitable[OktaConnection | None]]
Transport = httpx.BaseTransport | httpx.AsyncBaseTransport

logger = logging.getLogger(__name__)

WRITE_TOOLS = frozenset({CREATE_USER, UPDATE_USER})
CONTEXT_FIELD = "okta_connection"
_SCHEMAS: dict[str, type[BaseModel]] = {
    LIST_USERS: ListUsersArgs,
    GET_USER: GetUserArgs,
    CREATE_USER: CreateUserArgs,
    UPDATE_USER: UpdateUserArgs,
}
_INNER_TOOLS = "tools"


def connection_from_context(runtime: ToolRuntime) -> OktaConnection | None:
    """The default resolver: the run's context is the connection, or holds it as
    `okta_connection` (an attribute of a dataclass or model, or a key of a dict)."""
    context = runtime.context
    # Plain attribute and type checks first: pydantic's and the ABCs' isinstance are slow,
    # and this runs on every tool call.
    found = getattr(context, CONTEXT_FIELD, None)
    if found is None:
        if context is None or type(context) is OktaConnection:
            return context
        if isinstance(context, Mapping):
            found = context.get(CONTEXT_FIELD)
        elif isinstance(context, OktaConnection):
            return context
    return found if _is_connection(found) else None


def _is_connection(value: object) -> TypeGuard[OktaConnection]:
    return type(value) is OktaConnection or isinstance(value, OktaConnection)


class OktaConnectedToolkit(Closing, BaseToolkit):
    """The four Okta tools for an agent that acts for many people, each with their own
    Okta credential, resolved per run.

    ```python
    toolkit = OktaConnectedToolkit()
    agent = create_agent(
        model, toolkit.get_tools(), middleware=[toolkit.middleware()], context_schema=Ctx
    )
    agent.invoke({"messages": [...]}, context=Ctx(okta_connection=OktaConnection(...)))
    ```

    Args:
        resolve: `(runtime) -> OktaConnection | None`: how a run finds its person's
            connection (e.g. the LangGraph user in `runtime.config["configurable"]
            ["langgraph_auth_user"]`, looked up in the app's credential store). Default:
            `connection_from_context`, the run's `context` or its `okta_connection`. It is
            called in async runs too, so it must not block; give `aresolve` for I/O.
        aresolve: The same, as a coroutine function: used by async runs (and by sync runs,
            off any event loop, when `resolve` is not given).
        allowed_orgs: The org URLs this app serves; a connection to any other is refused.
            Default: any org.
        pool_limits: `PoolLimits(max_clients=100, idle_seconds=300, rights_seconds=300)`.
        transports: An httpx transport per org URL that holds no connections of its own (the
            sandbox orgs' `transport()`s, `httpx.MockTransport`), shared by every client of
            that org; other orgs are reached over the network.
        max_concurrency: How many requests may be in flight to one org at once, across all
            its people's clients together (default 10; Okta refuses requests past an org's
            concurrent limit, 35 to 75 by org type, with a 429). Each org's rate-limit
            windows are likewise tracked once for all its people.
        timeouts, retries, summary_limits: as for `OktaToolkit`, for every pooled client.

    `get_tools()` always hands out all four tools: whether a person may write is known
    only per run. `middleware()` removes the write tools from the model's list for a person
    whose rights only read, and the write tools refuse such a person themselves as well.
    Close the toolkit (or use `with` / `async with`) to close every pooled client.

    For a person to approve each write, pass `*toolkit.approval_middleware()` first in
    `middleware=` (with a checkpointer): approvals that bind, as `OktaToolkit`'s, with every
    preview and approved write sent with the run's own person's credential; the write happens
    only on the org as its preview showed it, and only while that person may still write.
    `approval_policy()` is the plain `interrupt_on` of LangChain's HumanInTheLoopMiddleware,
    previewed per person but not binding the write.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    _pool: ClientPool = PrivateAttr()
    _resolution: "_Resolution" = PrivateAttr()
    _summary_limits: SummaryLimits = PrivateAttr(default_factory=SummaryLimits)

    def __init__(
        self,
        *,
        resolve: ConnectionResolver | None = None,
        aresolve: AsyncConnectionResolver | None = None,
        allowed_orgs: Iterable[str] | None = None,
        pool_limits: PoolLimits | None = None,
        transports: Mapping[str, Transport] | None = None,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
        summary_limits: SummaryLimits | None = None,
    ) -> None:
        super().__init__()
        if aresolve is not None and not inspect.iscoroutinefunction(aresolve):
            raise TypeError("aresolve must be a coroutine function (async def); use resolve=")
        by_org = {normalise_org_url(url): t for url, t in (transports or {}).items()}
        for url, transport in by_org.items():
            if not holds_no_connections(transport):
                raise TypeError(_SHARED_TRANSPORT.format(url=url, kind=type(transport).__name__))
        concurrency = max_concurrency or 10

        def make_client(connection: OktaConnection, share: OrgShare) -> OktaClient:
            settings = connection.settings(
                timeouts=timeouts, retries=retries, max_concurrency=concurrency
            )
            transport = by_org.get(connection.org_url)
            return OktaClient(
                settings,
                transport=transport,
                rate_limits=share.rate_limits,
                in_flight=share.in_flight,
            )

        self._pool = ClientPool(make_client, limits=pool_limits, org_concurrency=concurrency)
        self._resolution = _Resolution(
            resolve if resolve is not None or aresolve is not None else connection_from_context,
            aresolve,
            None if allowed_orgs is None else frozenset(normalise_org_url(u) for u in allowed_orgs),
        )
        self._summary_limits = summary_limits or SummaryLimits()

    def __repr__(self) -> str:
        allowed = self._resolution.allowed
        orgs = "any" if allowed is None else sorted(allowed)
        return f"OktaConnectedToolkit(allowed_orgs={orgs!r}, pool={self._pool!r})"

    __str__ = __repr__

    @property
    def pool(self) -> ClientPool:
        """The pooled clients, one per (org, credential)."""
        return self._pool

    def get_tools(self) -> list[BaseTool]:
        """The four tools; the write tools refuse a person whose rights only read."""
        return [self._tool(name) for name in (LIST_USERS, GET_USER, CREATE_USER, UPDATE_USER)]

    def middleware(self) -> "AgentMiddleware[Any, Any]":
        """Agent middleware that offers the model the write tools only for a person who may
        write (needs `langchain`)."""
        from langchain_okta.rights_middleware import OktaRightsMiddleware

        return OktaRightsMiddleware(self)

    def approval_policy(
        self, *, allowed_decisions: Sequence[str] = ("approve", "edit", "reject")
    ) -> "dict[str, bool | InterruptOnConfig]":
        """`interrupt_on` for LangChain's HumanInTheLoopMiddleware, as `OktaToolkit`'s: the
        write tools pause, each described by a preview read with the run's person's own
        connection; the read tools do not pause. The preview does not bind the write: an
        approved call runs on the org as it is when it runs. For writes held to what the
        reviewer saw, use `approval_middleware()`."""
        from langchain_okta.connected_approvals import connected_approval_policy

        return connected_approval_policy(self, allowed_decisions=allowed_decisions)

    def approval_middleware(
        self,
        *,
        allowed_decisions: Sequence[str] = ("approve", "edit", "reject"),
        interrupt_mode: Literal["batched", "per_call"] = "batched",
    ) -> "list[AgentMiddleware[Any, Any, Any]]":
        """Middleware for `create_agent(middleware=...)`: approvals that bind, per person.

        As `OktaToolkit.approval_middleware()`: each write call pauses for
        `allowed_decisions` with a preview read before the pause, and the approved write
        happens only on the org as that preview showed it, or nothing is written and the
        model is told what changed. Here every preview, re-check and approved write goes
        through the run's own person's pooled client, and the write is refused when the
        person may not write by then (rights, reconnect, org, closed toolkit), whatever the
        reviewer decided. Pass the list as it is, in that order, with a checkpointer.
        """
        from langchain_okta.approval_middleware import approval_middleware
        from langchain_okta.person_clients import PersonClients

        return approval_middleware(
            PersonClients(self),
            [LIST_USERS, GET_USER, CREATE_USER, UPDATE_USER],
            allowed_decisions=allowed_decisions,
            interrupt_mode=interrupt_mode,
        )

    def close(self) -> None:
        """Close every pooled client, for good."""
        self._pool.close()

    async def aclose(self) -> None:
        await self._pool.aclose()

    # -- one call ---------------------------------------------------------------------------

    def connection(self, runtime: ToolRuntime | None) -> OktaConnection:
        """The run's connection, checked against `allowed_orgs`; raises an OktaError that
        says whose problem it is."""
        return self._resolution.connection(runtime)

    async def aconnection(self, runtime: ToolRuntime | None) -> OktaConnection:
        return await self._resolution.aconnection(runtime)

    def _tool(self, name: str) -> BaseTool:
        schema = _SCHEMAS[name]
        write = name in WRITE_TOOLS
        # Plain locals: a pydantic model's private attributes cost a lookup chain each.
        pool, resolution, limits = self._pool, self._resolution, self._summary_limits

        def run(*text: str, runtime: ToolRuntime = None, **kwargs: Any) -> Output:  # type: ignore[assignment]
            entry = None
            try:
                connection = resolution.connection(runtime)
                entry = pool.lease(connection)
                rights = pool.rights(entry, connection)
                if write and not rights.can_write:
                    raise OktaWriteNotAllowedError(rights.who, rights.why_read_only)
                inner = _inner_tools(entry, limits)[name]
                return _call_inner(inner, pool, entry, text, kwargs)
            except (OktaError, OktaClientClosedError) as exc:
                raise _for_agent(exc, pool, entry) from None
            finally:
                if entry is not None:
                    pool.release(entry)

        async def arun(*text: str, runtime: ToolRuntime = None, **kwargs: Any) -> Output:  # type: ignore[assignment]
            entry = None
            try:
                # Without an async resolver, no coroutine: `aconnection` would call this.
                if resolution.aresolve is None:
                    connection = resolution.connection(runtime)
                else:
                    connection = await resolution.aconnection(runtime)
                entry = await pool.alease(connection)
                # Nearly always known: read without making a coroutine for it.
                rights = pool.known_rights(entry) or await pool.arights(entry, connection)
                if write and not rights.can_write:
                    raise OktaWriteNotAllowedError(rights.who, rights.why_read_only)
                inner = _inner_tools(entry, limits)[name]
                return await _acall_inner(inner, pool, entry, text, kwargs)
            except (OktaError, OktaClientClosedError) as exc:
                raise _for_agent(exc, pool, entry) from None
            finally:
                if entry is not None:
                    await pool.arelease(entry)

        return OktaConnectedTool.from_function(
            func=run,
            coroutine=arun,
            name=name,
            description=_DESCRIPTIONS[name],
            args_schema=schema,
            response_format="content_and_artifact",
            handle_tool_error=True,
            handle_validation_error=_explain_invalid_arguments(schema),
        )


class _Resolution:
    """How a run finds its connection: the app's resolver(s), and the orgs it allows."""

    __slots__ = ("allowed", "aresolve", "resolve")

    def __init__(
        self,
        resolve: ConnectionResolver | None,
        aresolve: AsyncConnectionResolver | None,
        allowed: frozenset[str] | None,
    ) -> None:
        self.resolve = resolve
        self.aresolve = aresolve
        self.allowed = allowed

    def connection(self, runtime: ToolRuntime | None) -> OktaConnection:
        """The run's connection, checked against `allowed_orgs`; raises an OktaError that
        says whose problem it is."""
        if runtime is None:
            raise OktaNotConnectedError(
                "the tool was called outside an agent run, without LangChain's runtime"
            )
        try:
            if self.resolve is not None:
                found = self.resolve(runtime)
            else:
                assert self.aresolve is not None
                found = _run_coroutine(self.aresolve(runtime))
        except OktaError:
            raise
        except Exception as exc:
            raise _resolver_failed(exc) from None
        return self._allowed_connection(found)

    async def aconnection(self, runtime: ToolRuntime | None) -> OktaConnection:
        if runtime is None or self.aresolve is None:
            return self.connection(runtime)
        try:
            found = await self.aresolve(runtime)
        except OktaError:
            raise
        except Exception as exc:
            raise _resolver_failed(exc) from None
        return self._allowed_connection(found)

    def _allowed_connection(self, found: object) -> OktaConnection:
        if found is None:
            raise OktaNotConnectedError(
                "the app's resolver found none for this run (pass the person's OktaConnection "
                f"as the run's context, or as its `{CONTEXT_FIELD}`)"
            )
        if not _is_connection(found):
            raise OktaNotConnectedError(
                f"the app's resolver returned a {type(found).__name__}, not an OktaConnection"
            )
        if self.allowed is not None and found.org_url not in self.allowed:
            raise OktaOrgNotAllowedError(found.org_url)
        return found


class OktaConnectedTool(OktaTool):
    """A connected toolkit tool: the toolkit's schema, plus the runtime LangGraph injects."""

    def _parse_input(
        self, tool_input: str | dict[str, Any], tool_call_id: str | None
    ) -> str | dict[str, Any]:
        # The schemas forbid unknown fields (a typo from the model must not pass), so the
        # injected runtime is set aside while the model's arguments are checked.
        if isinstance(tool_input, dict) and _RUNTIME in tool_input:
            arguments = {k: v for k, v in tool_input.items() if k != _RUNTIME}
            parsed = super()._parse_input(arguments, tool_call_id)
            assert isinstance(parsed, dict)
            # A dict of LangChain's own making (the validated arguments): added to in place.
            parsed[_RUNTIME] = tool_input[_RUNTIME]
            return parsed
        return super()._parse_input(tool_input, tool_call_id)

    @property
    def _injected_args_keys(self) -> frozenset[str]:
        # LangChain reads this from the function's signature and type hints on every call
        # (twice); it is the same every time.
        return _INJECTED

    def __repr__(self) -> str:
        return f"OktaConnectedTool(name={self.name!r})"

    __str__ = __repr__


_SHARED_TRANSPORT = (
    "transports[{url!r}] is a {kind}, which keeps connections of its own: every person's "
    "client of that org would send through it, and the first one closed would close it under "
    "the others. Pass a transport that holds none (a SandboxOrg's transport(), "
    "httpx.MockTransport, or one whose serves_any_event_loop is true), or leave the org out "
    "to reach it over the network."
)
_RUNTIME = "runtime"
_INJECTED = frozenset({_RUNTIME})
_CLOSED = (
    "The app's Okta connections are closed (it is shutting down or restarting). Nothing was "
    "sent. Tell the user to try again in a moment."
)


def _for_agent(
    exc: OktaError | OktaClientClosedError, pool: ClientPool, entry: PooledClient | None
) -> ToolException:
    """What the model reads for a failed call; a refused credential's client leaves the pool."""
    if isinstance(exc, OktaClientClosedError):
        return ToolException(_CLOSED)
    if entry is not None:
        pool.refused(entry, exc)
    return ToolException(exc.for_agent())


def _inner_tools(entry: PooledClient, summary_limits: SummaryLimits) -> dict[str, BaseTool]:
    """The toolkit's own tools on this pooled client, built once per client."""
    tools = entry.extras.get(_INNER_TOOLS)
    if tools is None:
        # Two runs may build them at once: equivalent lists, the last one kept.
        built = build_tools(entry.client, read_only=False, summary_limits=summary_limits)
        tools = entry.extras[_INNER_TOOLS] = {tool.name: tool for tool in built}
    return tools


def _call_inner(
    inner: BaseTool, pool: ClientPool, entry: PooledClient, text: Sequence[str], kwargs: Any
) -> Output:
    func = getattr(inner, "func", None)
    assert func is not None
    try:
        return func(*text, **kwargs)  # type: ignore[no-any-return]
    except ToolException as exc:
        _raise_if_refused(exc, pool, entry)
        raise


async def _acall_inner(
    inner: BaseTool, pool: ClientPool, entry: PooledClient, text: Sequence[str], kwargs: Any
) -> Output:
    coroutine = getattr(inner, "coroutine", None)
    assert coroutine is not None
    try:
        return await coroutine(*text, **kwargs)  # type: ignore[no-any-return]
    except ToolException as exc:
        _raise_if_refused(exc, pool, entry)
        raise


def _raise_if_refused(exc: ToolException, pool: ClientPool, entry: PooledClient) -> None:
    """A 401 on a call: the credential expired or was revoked since it was checked."""
    refused = pool.refused(entry, exc.__cause__)
    if refused is not None:
        raise refused from None


def _resolver_failed(exc: Exception) -> OktaConnectionLookupError:
    # The app's own failure (its store is down...): its log keeps the traceback.
    logger.error("the app's Okta connection resolver failed", exc_info=exc)
    return OktaConnectionLookupError(f"the app could not look it up ({type(exc).__name__})")


def _run_coroutine(awaitable: Awaitable[Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(awaitable))
    raise OktaNotConnectedError(
        "only an async resolver (aresolve) was given, and a sync tool call cannot await it "
        "inside a running event loop; give resolve= too, or run the agent with ainvoke"
    )


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
