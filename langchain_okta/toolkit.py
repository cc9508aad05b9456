"""OktaToolkit: configuration, the admin check, and which tools to hand out."""

from __future__ import annotations

import asyncio
import difflib
import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import httpx
from langchain_core.tools import BaseTool, BaseToolkit
from pydantic import ConfigDict, PrivateAttr, SecretStr

from langchain_okta.approvals import DEFAULT_DECISIONS, approval_policy
from langchain_okta.client import OktaClient
from langchain_okta.closing import Closing
from langchain_okta.connections import AsyncTransportFactory, import_async_stack, running_loop
from langchain_okta.errors import OktaAdminCheckError, OktaAuthenticationError
from langchain_okta.models import AdminAccess
from langchain_okta.oauth.access import ServiceAppAccess, decide_read_only
from langchain_okta.oauth.config import PrivateKeyJwt
from langchain_okta.settings import OktaSettings, RetrySettings, Timeouts
from langchain_okta.summaries import SummaryLimits
from langchain_okta.tools import build_tools

if TYPE_CHECKING:
    from langchain.agents.middleware import AgentMiddleware, InterruptOnConfig


class OktaToolkit(Closing, BaseToolkit):
    """Tools for an agent to list, get, create and update Okta users.

    ```python
    toolkit = OktaToolkit()  # OKTA_ORG_URL and OKTA_API_TOKEN from the environment
    agent = create_agent(model, toolkit.get_tools())
    ```

    In async code (FastAPI, LangGraph, Jupyter), build it with
    `toolkit = await OktaToolkit.acreate(...)`: the same arguments, with the admin check
    awaited, so the event loop keeps running meanwhile. Close it when done, with `close()`,
    `await aclose()`, `with` or `async with`; that closes its connections.

    On creation it checks that the token belongs to an Okta admin and reads the admin's
    roles. With an OAuth 2.0 service app instead (`auth=PrivateKeyJwt(...)`), it obtains a
    token and reads the app's roles where it may; the scopes Okta granted decide the tools
    (`granted_scopes`), as the roles do for a token. The configuration is fixed once built:
    assigning a field raises, and `get_tools()` always follows `read_only` and what the
    check found.

    Args:
        org_url: The org's address, e.g. `https://acme.okta.com`. Default: the
            `OKTA_ORG_URL` (or `OKTA_CLIENT_ORGURL`) environment variable.
        api_token: An Okta API token, sent as `SSWS <token>`. Default: the `OKTA_API_TOKEN`
            (or `OKTA_CLIENT_TOKEN`) environment variable.
        auth: Instead of a token, an OAuth 2.0 service app: `PrivateKeyJwt(client_id=...,
            private_key=..., key_id=..., scopes=...)` (needs `langchain-okta[oauth]`).
            Default: `OKTA_CLIENT_ID` with `OKTA_PRIVATE_KEY` or `OKTA_PRIVATE_KEY_PATH`
            (and `OKTA_KEY_ID`, `OKTA_SCOPES`). Both ways at once is an error.
        read_only: `None` (default): the write tools only when the admin's roles allow
            managing users, else the read tools and a warning saying why. `True`: the read
            tools only. `False`: the write tools too, or an `OktaAdminCheckError` when the
            roles do not allow them. For a service app the granted scopes decide the same
            way, and `True` does not even ask Okta for `okta.users.manage`.
        check_admin: `True` (default): check on creation, with `GET /api/v1/users/me` and
            that user's roles, that the token belongs to an Okta admin. `False`: send
            nothing, and hand out the tools `read_only` asks for.
        client: An `OktaClient` to use instead of making one (e.g. shared by two
            toolkits); then leave out `org_url`, `api_token`, `transport`, `timeouts`,
            `retries` and `max_concurrency`. Closing the toolkit leaves it open.
        transport: What to send through instead of httpx's own connections: an httpx
            transport (sync, async or both), such as the sandbox org's `org.transport()` or
            a test double; or, for async calls, a transport factory such as
            `httpx_aiohttp.AiohttpTransport` (the class) or `lambda:
            httpx.AsyncHTTPTransport(...)`, which gives each event loop a transport of its
            own, closed with that loop. An async transport instance that holds connections
            serves one event loop at a time (`TransportInUseError` from a second loop while
            the first lives): pass a factory when several loops share the toolkit.
        timeouts: `Timeouts(connect=5, read=30)` by default, in seconds.
        retries: `RetrySettings(max_attempts=4, max_wait=20)` by default: how hard one tool
            call tries before it reports an error.
        max_concurrency: How many requests may be in flight at once, across all threads and
            event loops together (1 to 35; default 10).
        summary_limits: How far `okta_list_users` with `summary=true` may go:
            `SummaryLimits(seconds=20, rate_share=0.5)` by default, a time budget and the
            share of the list endpoint's rate-limit window it may use.

    Attributes:
        client: The `OktaClient` all the tools share (and so its rate limits).
        read_only: Whether only the read tools are handed out.
        admin: What the admin check found, or `None` when it was skipped.
        summary_limits: The bounds of a summary.

    Raises:
        OktaConfigurationError: The org URL or token is missing or malformed.
        OktaAuthenticationError: Okta rejected the token.
        OktaAdminCheckError: The token's user is no admin, or `read_only=False` was asked
            of an admin whose roles only read.
        TypeError: An argument the toolkit does not take (a typo such as `readonly=`).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True, extra="forbid")

    client: OktaClient
    read_only: bool = False
    admin: AdminAccess | ServiceAppAccess | None = None
    summary_limits: SummaryLimits = SummaryLimits()
    _owns_client: bool = PrivateAttr(default=False)

    def __init__(
        self,
        org_url: str | None = None,
        api_token: str | SecretStr | None = None,
        *,
        auth: PrivateKeyJwt | None = None,
        read_only: bool | None = None,
        check_admin: bool = True,
        client: OktaClient | None = None,
        transport: httpx.BaseTransport
        | httpx.AsyncBaseTransport
        | AsyncTransportFactory
        | None = None,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
        summary_limits: SummaryLimits | None = None,
        **unknown: Any,
    ) -> None:
        _refuse_unknown(unknown)
        reach = _Reach(org_url, api_token, auth, transport, timeouts, retries, max_concurrency)
        made = client is None
        if client is None:
            client = reach.new_client(read_only)
        else:
            reach.refuse_with_a_client()
        try:
            if check_admin and running_loop() is not None:
                warnings.warn(
                    "OktaToolkit() checks the admin with blocking requests, which stall this "
                    "running event loop until Okta answers; in async code use "
                    "`toolkit = await OktaToolkit.acreate(...)` (same arguments)",
                    RuntimeWarning,
                    stacklevel=2,
                )
            admin = _checked(client) if check_admin else None
            decided = (
                decide_read_only(admin, read_only)
                if isinstance(admin, ServiceAppAccess)
                else _decide_read_only(admin, read_only)
            )
            self._set_up(client, admin, decided, summary_limits, owns_client=made)
        except BaseException:
            if made:
                client.close()
            raise

    @classmethod
    async def acreate(
        cls,
        org_url: str | None = None,
        api_token: str | SecretStr | None = None,
        *,
        auth: PrivateKeyJwt | None = None,
        read_only: bool | None = None,
        check_admin: bool = True,
        client: OktaClient | None = None,
        transport: httpx.BaseTransport
        | httpx.AsyncBaseTransport
        | AsyncTransportFactory
        | None = None,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
        summary_limits: SummaryLimits | None = None,
        **unknown: Any,
    ) -> OktaToolkit:
        """Build the toolkit in async code, without blocking the event loop.

        Takes the same arguments as `OktaToolkit(...)` and gives the same toolkit; the admin
        check is awaited on the async path.

        ```python
        async with await OktaToolkit.acreate() as toolkit:
            agent = create_agent(model, toolkit.get_tools())
            await agent.ainvoke(...)
        ```
        """
        _refuse_unknown(unknown)
        reach = _Reach(org_url, api_token, auth, transport, timeouts, retries, max_concurrency)
        made = client is None
        if client is None:
            # Making a client loads the CA certificates: tens of milliseconds, off the loop.
            client = await asyncio.to_thread(reach.new_client, read_only)
        else:
            reach.refuse_with_a_client()
        try:
            # The same for what httpx imports on its first async request.
            await asyncio.to_thread(import_async_stack)
            admin = await _achecked(client) if check_admin else None
            decided = (
                decide_read_only(admin, read_only)
                if isinstance(admin, ServiceAppAccess)
                else _decide_read_only(admin, read_only)
            )
            toolkit = cls.__new__(cls)
            toolkit._set_up(client, admin, decided, summary_limits, owns_client=made)
        except BaseException:
            if made:
                await client.aclose()
            raise
        return toolkit

    def _set_up(
        self,
        client: OktaClient,
        admin: AdminAccess | ServiceAppAccess | None,
        read_only: bool,
        summary_limits: SummaryLimits | None,
        *,
        owns_client: bool,
    ) -> None:
        super().__init__(
            client=client,
            admin=admin,
            read_only=read_only,
            summary_limits=summary_limits or SummaryLimits(),
        )
        self._owns_client = owns_client

    @property
    def admin_roles(self) -> tuple[str, ...]:
        """The admin role types the check found (empty when it was skipped)."""
        return self.admin.roles if self.admin else ()

    @property
    def granted_scopes(self) -> tuple[str, ...]:
        """The scopes Okta granted the service app (empty for an API token, or unchecked)."""
        return self.admin.scopes if isinstance(self.admin, ServiceAppAccess) else ()

    def get_tools(self) -> list[BaseTool]:
        """The read tools, and the write tools unless `read_only` or the admin's roles forbid."""
        # Read from the fields on every call: a copy made with `model_copy(update=...)`
        # must hand out what its own fields say.
        cannot_write = self.admin is not None and not self.admin.can_write
        return build_tools(
            self.client,
            read_only=self.read_only or cannot_write,
            summary_limits=self.summary_limits,
        )

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the toolkit's connections for good (not those of a `client=` it was given)."""
        if self._owns_client:
            self.client.close()

    async def aclose(self) -> None:
        """Close the toolkit's connections for good, from any event loop, and wait for it."""
        if self._owns_client:
            await self.client.aclose()

    def approval_middleware(
        self,
        *,
        allowed_decisions: Sequence[str] = DEFAULT_DECISIONS,
        interrupt_mode: Literal["batched", "per_call"] = "batched",
    ) -> list[AgentMiddleware[Any, Any, Any]]:
        """Middleware for `create_agent(middleware=...)`: approvals that bind.

        Each write call pauses for `allowed_decisions` (default approve, edit, reject) with a
        preview read from the org before the pause, in the light of the calls before it in
        the same model message; the approved write happens only on the org as that preview
        showed it, or nothing is written and the model is told what changed. Pass the list
        as it is, in that order, with a checkpointer. See `langchain_okta.approval_middleware`.
        """
        from langchain_okta.approval_middleware import approval_middleware

        return approval_middleware(
            self.client,
            [tool.name for tool in self.get_tools()],
            allowed_decisions=allowed_decisions,
            interrupt_mode=interrupt_mode,
        )

    def approval_policy(
        self, *, allowed_decisions: Sequence[str] = DEFAULT_DECISIONS
    ) -> dict[str, bool | InterruptOnConfig]:
        """`interrupt_on` for LangChain's HumanInTheLoopMiddleware, for these tools.

        The write tools pause for `allowed_decisions` (default approve, edit, reject), each
        described by a preview read from the org in the light of the write calls before it
        in the same message; the read tools do not pause. The preview is true when read, but
        does not bind the write: an approved call runs on the org as it is when it runs.
        For writes held to what the reviewer saw, use `approval_middleware()`. See
        `langchain_okta.approvals`.
        """
        return approval_policy(
            self.client,
            [tool.name for tool in self.get_tools()],
            allowed_decisions=allowed_decisions,
        )

    def __repr__(self) -> str:
        # Read the fields without pydantic's attribute lookup: a toolkit whose construction
        # failed (seen in a traceback or a debugger) has none of them.
        fields = vars(self)
        client = fields.get("client")
        if not isinstance(client, OktaClient):
            return "OktaToolkit(<not built>)"
        admin = fields.get("admin")
        roles = admin.roles if isinstance(admin, AdminAccess | ServiceAppAccess) else ()
        scopes = f"granted_scopes={admin.scopes!r}, " if isinstance(admin, ServiceAppAccess) else ""
        return (
            f"OktaToolkit(org_url={client.settings.org_url!r}, {scopes}"
            f"admin_roles={roles!r}, read_only={fields.get('read_only')})"
        )

    __str__ = __repr__


# pydantic would show the fields (`admin=`...) as constructor arguments; show the real ones.
OktaToolkit.__signature__ = inspect.signature(OktaToolkit.__init__).replace(
    parameters=[
        parameter
        for parameter in inspect.signature(OktaToolkit.__init__).parameters.values()
        if parameter.name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]
)


@dataclass(frozen=True)
class _Reach:
    """The constructor's arguments that say how to reach Okta; `client=` replaces them."""

    org_url: str | None
    api_token: str | SecretStr | None
    auth: PrivateKeyJwt | None
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | AsyncTransportFactory | None
    timeouts: Timeouts | None
    retries: RetrySettings | None
    max_concurrency: int | None

    def new_client(self, read_only: bool | None) -> OktaClient:
        settings = OktaSettings.resolve(
            self.org_url,
            self.api_token,
            auth=self.auth,
            timeouts=self.timeouts,
            retries=self.retries,
            max_concurrency=self.max_concurrency,
        )
        if read_only is True and settings.auth is not None:
            # Least privilege: a read-only toolkit's token cannot write, even if leaked.
            settings = settings.model_copy(update={"auth": settings.auth.without_manage_scope()})
        return OktaClient(settings, transport=self.transport)

    def refuse_with_a_client(self) -> None:
        passed = [item.name for item in fields(self) if getattr(self, item.name) is not None]
        if passed:
            raise TypeError(
                "OktaToolkit(client=...) reaches Okta through that client; leave out "
                f"{', '.join(passed)} (they would be ignored), or leave out client"
            )


def _refuse_unknown(unknown: dict[str, Any]) -> None:
    """A typo such as `readonly=True` must not pass unnoticed: it may be a safety switch."""
    if not unknown:
        return
    accepted = [
        name
        for name, parameter in inspect.signature(OktaToolkit.__init__).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    named = []
    for name in unknown:
        close = difflib.get_close_matches(name, accepted, n=1)
        named.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    plural = "s" if len(named) > 1 else ""
    raise TypeError(
        f"OktaToolkit got unexpected keyword argument{plural} {', '.join(named)}; "
        f"it takes {', '.join(accepted)}"
    )


def _checked(client: OktaClient) -> AdminAccess | ServiceAppAccess:
    if client.oauth_session is not None:
        # A service app has no /users/me: its token proves the key, client id and scopes.
        return client.check_service_app()
    return _checked_admin(client)


async def _achecked(client: OktaClient) -> AdminAccess | ServiceAppAccess:
    if client.oauth_session is not None:
        return await client.acheck_service_app()
    return await _achecked_admin(client)


def _checked_admin(client: OktaClient) -> AdminAccess:
    try:
        admin = client.check_admin()
    except OktaAuthenticationError as exc:
        raise _token_refused(client, exc) from None
    return _an_admin(admin)


async def _achecked_admin(client: OktaClient) -> AdminAccess:
    try:
        admin = await client.acheck_admin()
    except OktaAuthenticationError as exc:
        raise _token_refused(client, exc) from None
    return _an_admin(admin)


def _token_refused(client: OktaClient, exc: OktaAuthenticationError) -> OktaAuthenticationError:
    return OktaAuthenticationError(
        f"the API token is invalid or expired ({client.settings.org_url} answered "
        f"{exc.error_code or exc.status}); create a new token in the Admin Console under "
        "Security > API > Tokens",
        status=exc.status,
        error_code=exc.error_code,
        error_id=exc.error_id,
    )


def _an_admin(admin: AdminAccess) -> AdminAccess:
    if admin.roles_visible and not admin.roles:
        raise OktaAdminCheckError(
            f"this token belongs to {admin.login or admin.user_id}, who holds no Okta admin "
            "role; the toolkit is for Okta admins. Use a token created by an admin."
        )
    return admin


def _decide_read_only(admin: AdminAccess | None, requested: bool | None) -> bool:
    if requested is True or admin is None or admin.can_write:
        return bool(requested)
    why = (
        f"the roles of {admin.login or admin.user_id} ({', '.join(admin.roles)}) do not "
        "allow creating or updating users"
        if admin.roles_visible
        else f"the roles of {admin.login or admin.user_id} could not be read with this token"
    )
    if requested is False:
        raise OktaAdminCheckError(f"write tools were requested, but {why}")
    warnings.warn(
        f"OktaToolkit: only the read tools are available: {why}.", UserWarning, stacklevel=3
    )
    return True
