"""Where the approval middleware gets the Okta client of a run: one fixed client, or the run's
person's pooled one.

`OktaToolkit` acts with one credential, so every preview and approved write of its approval
middleware goes through its one client (`FixedClient`). `OktaConnectedToolkit` acts for the
person of each run, so each of them borrows that person's pooled client for as long as it
takes, resolved from the run (`langchain_okta.person_clients`). The middleware itself is the
same for both (`langchain_okta.approval_middleware`).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.tools import BaseTool

from langchain_okta.client import OktaClient


class ClientSource(Protocol):
    """The client a step of a run sends with.

    `client_for` / `aclient_for` lend it for one step (a preview, a re-check, an approved
    write), from the run's agent state and runtime (LangGraph's `Runtime` in a middleware hook
    or a description, the `ToolRuntime` of a tool call). When no client can be had for the run
    they raise an `OktaError` (or `OktaClientClosedError`) that says why, before anything is
    sent; with `write=True` also when the run's person may not write. An error raised inside
    the block may leave it as another error that says whose problem it is (a refused
    credential: reconnect).
    """

    def client_for(
        self, state: Any, runtime: Any, *, write: bool = False
    ) -> AbstractContextManager[OktaClient]: ...

    def aclient_for(
        self, state: Any, runtime: Any, *, write: bool = False
    ) -> AbstractAsyncContextManager[OktaClient]: ...

    def node_tool(self, tool: BaseTool) -> BaseTool:
        """`tool` (a one-off approved write) as the agent's tool node will call it."""
        ...


class FixedClient:
    """One client for every run: `OktaToolkit`'s."""

    def __init__(self, client: OktaClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"FixedClient({self.client!r})"

    def client_for(
        self, state: Any, runtime: Any, *, write: bool = False
    ) -> AbstractContextManager[OktaClient]:
        return nullcontext(self.client)

    def aclient_for(
        self, state: Any, runtime: Any, *, write: bool = False
    ) -> AbstractAsyncContextManager[OktaClient]:
        return nullcontext(self.client)

    def node_tool(self, tool: BaseTool) -> BaseTool:
        return tool


def source_of(client: OktaClient | ClientSource) -> ClientSource:
    return FixedClient(client) if isinstance(client, OktaClient) else client


@dataclass(frozen=True)
class CallClient:
    """The client of one tool call: its source, and the run the call belongs to."""

    source: ClientSource
    state: Any = None
    runtime: Any = None
    write: bool = True

    @classmethod
    def of(cls, client: OktaClient | CallClient) -> CallClient:
        return client if isinstance(client, CallClient) else cls(FixedClient(client))

    def client(self) -> AbstractContextManager[OktaClient]:
        return self.source.client_for(self.state, self.runtime, write=self.write)

    def aclient(self) -> AbstractAsyncContextManager[OktaClient]:
        return self.source.aclient_for(self.state, self.runtime, write=self.write)

    def __repr__(self) -> str:
        # The state holds the conversation: not for reprs.
        return f"CallClient({self.source!r}, write={self.write})"
