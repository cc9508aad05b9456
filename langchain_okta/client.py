"""OktaClient: the sync and async drivers that carry out the plans over httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import httpx

from langchain_okta import api, approved_writes, plans, previews, summaries, transport_errors, turns
from langchain_okta.api import Received
from langchain_okta.attempts import ACCEPT_ENCODING, AttemptCut, BodyReader, timed_out
from langchain_okta.bindings import CreateBinding, TurnApprovals, UpdateBinding
from langchain_okta.closing import Closing
from langchain_okta.connections import (
    AsyncTransportFactory,
    Connections,
    OktaClientClosedError,
    running_loop,
)
from langchain_okta.errors import OktaConfigurationError
from langchain_okta.in_flight import InFlightLimit
from langchain_okta.models import AdminAccess, OktaUser, UserPage
from langchain_okta.paging import Walk
from langchain_okta.plans import ANSWERS_CANNOT_COME, Context, Plan, Send, Sleep
from langchain_okta.previews import CreatePreview, UpdatePreview
from langchain_okta.progress import PageProgress, ProgressCallback
from langchain_okta.rate_limits import RateLimitTracker
from langchain_okta.retries import TransportFailure
from langchain_okta.settings import OktaSettings
from langchain_okta.summaries import SummaryLimits, UserSummary
from langchain_okta.sync_deadline import ATTEMPT_DEADLINE, keep_to_deadlines
from langchain_okta.version import __version__

if TYPE_CHECKING:
    from langchain_okta.oauth.access import ServiceAppAccess
    from langchain_okta.oauth.session import OAuthSession

T = TypeVar("T")

USER_AGENT = f"langchain-okta/{__version__}"


class OktaClient(Closing):
    """One authenticated connection to an Okta org, shared by all the tools.

    Safe to use from any number of threads and event loops at once: it makes one
    `httpx.Client` and one `httpx.AsyncClient` per event loop, each on first use, closes a
    loop's connections when that loop shuts down, and keeps at most
    `settings.max_concurrency` requests in flight across all of them together. Pass
    `transport` to send through another HTTP stack or something in process: an httpx
    transport (sync, async or both), such as the sandbox org's, or, for async calls, a
    transport factory (e.g. `httpx_aiohttp.AiohttpTransport`, the class), which gives each
    event loop a transport of its own, closed with that loop. An async transport instance
    with connections serves one event loop at a time: a call from a second loop while the
    first lives raises `TransportInUseError`. Or pass pre-built `http_client` /
    `async_http_client` (which the caller then owns and closes).
    `rate_limits`, a tracker shared by the clients of one org (each person's own credential),
    keeps them within the org's budget together; `in_flight`, a bound shared the same way,
    keeps their requests in flight together within it (else `settings.max_concurrency`
    bounds this client's own).

    `close()` (any thread) or `await aclose()` (any loop), or leaving `with` / `async with`,
    closes everything for good: a call after that raises `OktaClientClosedError`.
    """

    def __init__(
        self,
        settings: OktaSettings,
        *,
        transport: httpx.BaseTransport
        | httpx.AsyncBaseTransport
        | AsyncTransportFactory
        | None = None,
        async_transport: httpx.AsyncBaseTransport | AsyncTransportFactory | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limits: RateLimitTracker | None = None,
        in_flight: InFlightLimit | None = None,
    ) -> None:
        self.settings = settings
        # With an OAuth 2.0 service app, its session authorizes every request in the plans.
        self.oauth_session = _oauth_session(settings)
        self._context = Context(
            retries=settings.retries,
            clock=time.monotonic,
            # Shared when given: every client of one org then keeps to Okta's budget together.
            rate_limits=rate_limits
            or RateLimitTracker(unknown_window_requests=settings.max_concurrency),
            authorizer=self.oauth_session,
            org_url=settings.org_url,
        )
        self._timeout = httpx.Timeout(settings.timeouts.read, connect=settings.timeouts.connect)
        self._transport = transport if isinstance(transport, httpx.BaseTransport) else None
        self._async_transport = async_transport or _async_side(transport)
        # Loading the CA certificates takes tens of milliseconds: once per client, not once
        # per event loop, and not on a loop's thread when the toolkit is built with acreate.
        needs_tls = (http_client is None and self._transport is None) or (
            async_http_client is None and self._async_transport is None
        )
        self._tls = httpx.create_ssl_context() if needs_tls else None
        self._connections = Connections(
            settings.max_concurrency,
            new_sync=self._new_http if http_client is None else lambda: http_client,
            owns_sync=http_client is None,
            new_async=(
                self._new_async_http if async_http_client is None else lambda _: async_http_client
            ),
            async_transport=self._async_transport,
            owns_async=async_http_client is None,
            in_flight=in_flight,
        )
        self._host = settings.org_url.partition("://")[2]

    def __repr__(self) -> str:
        return f"OktaClient(org_url={self.settings.org_url!r})"

    @property
    def closed(self) -> bool:
        return self._connections.closed

    # -- operations -------------------------------------------------------------------------

    def list_users(
        self,
        *,
        query: str | None = None,
        search: str | None = None,
        filter: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> UserPage:
        """One page of users; pass the page's `next_cursor` back as `cursor` for the next.

        The cursor is bound to this listing's `query`, `search` and `filter`, and to this
        org: sent with others, or to another org, it raises OktaCursorMismatchError (nothing
        is sent).
        """
        return self._run(
            plans.list_users(
                self._context, query=query, search=search, filter=filter, limit=limit, cursor=cursor
            )
        )

    async def alist_users(
        self,
        *,
        query: str | None = None,
        search: str | None = None,
        filter: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> UserPage:
        return await self._arun(
            plans.list_users(
                self._context, query=query, search=search, filter=filter, limit=limit, cursor=cursor
            )
        )

    def iter_users(
        self,
        *,
        search: str | None = None,
        filter: str | None = None,
        limit: int = 200,
        progress: ProgressCallback | None = None,
    ) -> Iterator[OktaUser]:
        """Every matching user, page by page, holding one page in memory at a time.

        `progress`, if given, is called with a `PageProgress` as each page arrives (e.g.
        `lambda p: bar.update(p.page_users)` for a tqdm bar).
        """
        cursor: str | None = None
        walk = Walk()
        users = 0
        while True:
            page = self.list_users(search=search, filter=filter, limit=limit, cursor=cursor)
            if progress is not None:
                users += len(page.users)
                progress(_page_progress(walk.pages + 1, users, page))
            yield from page.users
            cursor = walk.follow(page.next_cursor)
            if cursor is None:
                return

    async def aiter_users(
        self,
        *,
        search: str | None = None,
        filter: str | None = None,
        limit: int = 200,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[OktaUser]:
        cursor: str | None = None
        walk = Walk()
        users = 0
        while True:
            page = await self.alist_users(search=search, filter=filter, limit=limit, cursor=cursor)
            if progress is not None:
                users += len(page.users)
                progress(_page_progress(walk.pages + 1, users, page))
            for user in page.users:
                yield user
            cursor = walk.follow(page.next_cursor)
            if cursor is None:
                return

    def summarize_users(
        self,
        *,
        search: str | None = None,
        filter: str | None = None,
        limits: SummaryLimits | None = None,
        progress: ProgressCallback | None = None,
    ) -> UserSummary:
        """How many users match, by status, and the first few, without holding them all.

        Reads every page (200 users each) within `limits` (default: 20 s, half of the list
        endpoint's rate-limit window). When it stops early, `complete` is False and the
        counts are lower bounds. `progress` is called with a `PageProgress` per page.
        """
        return self._run(self._summary_plan(search, filter, limits, progress))

    async def asummarize_users(
        self,
        *,
        search: str | None = None,
        filter: str | None = None,
        limits: SummaryLimits | None = None,
        progress: ProgressCallback | None = None,
    ) -> UserSummary:
        return await self._arun(self._summary_plan(search, filter, limits, progress))

    def get_user(self, user_id: str) -> OktaUser:
        """A user by id (`00u...`), login, or login shortname."""
        return self._run(plans.get_user(self._context, user_id))

    async def aget_user(self, user_id: str) -> OktaUser:
        return await self._arun(plans.get_user(self._context, user_id))

    def create_user(self, profile: Mapping[str, str], *, activate: bool = True) -> OktaUser:
        """Create a user; with `activate`, Okta emails them an activation link."""
        return self._run(plans.create_user(self._context, _new_profile(profile), activate=activate))

    async def acreate_user(self, profile: Mapping[str, str], *, activate: bool = True) -> OktaUser:
        return await self._arun(
            plans.create_user(self._context, _new_profile(profile), activate=activate)
        )

    def update_user(
        self, user_id: str, changes: Mapping[str, str | None]
    ) -> tuple[OktaUser, list[str]]:
        """Partially update a profile; returns the user and the attributes that changed."""
        return self._run(plans.update_user(self._context, user_id, changes))

    async def aupdate_user(
        self, user_id: str, changes: Mapping[str, str | None]
    ) -> tuple[OktaUser, list[str]]:
        return await self._arun(plans.update_user(self._context, user_id, changes))

    def preview_update(self, user_id: str, changes: Mapping[str, str | None]) -> UpdatePreview:
        """What `update_user` would change, read from the org with one GET; writes nothing.

        Raises the client's errors (e.g. OktaNotFoundError) without retrying: a preview
        sends one request at most.
        """
        return self._run(previews.preview_update(self._context, user_id, changes))

    async def apreview_update(
        self, user_id: str, changes: Mapping[str, str | None]
    ) -> UpdatePreview:
        return await self._arun(previews.preview_update(self._context, user_id, changes))

    def preview_create(self, profile: Mapping[str, str], *, activate: bool = True) -> CreatePreview:
        """What `create_user` would do, and the users with the same login, email or name,
        found with one search; writes nothing. Raises the client's errors without retrying."""
        return self._run(_create_preview_plan(self._context, profile, activate))

    async def apreview_create(
        self, profile: Mapping[str, str], *, activate: bool = True
    ) -> CreatePreview:
        return await self._arun(_create_preview_plan(self._context, profile, activate))

    # -- approvals (see langchain_okta.approval_middleware) ------------------------------------

    def preview_turn(
        self, calls: Sequence[turns.WriteCall], message_id: str | None = None
    ) -> TurnApprovals:
        """Preview the write calls of one model message, each in the light of the ones
        before it, with what approving each binds; one request per call, never raises."""
        return self._run(turns.preview_turn(self._context, calls, message_id))

    async def apreview_turn(
        self, calls: Sequence[turns.WriteCall], message_id: str | None = None
    ) -> TurnApprovals:
        return await self._arun(turns.preview_turn(self._context, calls, message_id))

    def update_approved(
        self, binding: UpdateBinding, changes: Mapping[str, str | None]
    ) -> tuple[OktaUser, list[str]]:
        """Update the user a reviewer approved, as they saw it, or raise
        OktaApprovalStaleError and write nothing."""
        return self._run(approved_writes.update_approved(self._context, binding, changes))

    async def aupdate_approved(
        self, binding: UpdateBinding, changes: Mapping[str, str | None]
    ) -> tuple[OktaUser, list[str]]:
        return await self._arun(approved_writes.update_approved(self._context, binding, changes))

    def create_approved(
        self, binding: CreateBinding, profile: Mapping[str, str], *, activate: bool = True
    ) -> OktaUser:
        """Create the user a reviewer approved, unless someone the preview did not show now
        has its login, email or name (then OktaApprovalStaleError, nothing created)."""
        plan = approved_writes.create_approved(
            self._context, binding, _new_profile(profile), activate=activate
        )
        return self._run(plan)

    async def acreate_approved(
        self, binding: CreateBinding, profile: Mapping[str, str], *, activate: bool = True
    ) -> OktaUser:
        plan = approved_writes.create_approved(
            self._context, binding, _new_profile(profile), activate=activate
        )
        return await self._arun(plan)

    def read_user_version(self, user_id: str) -> tuple[OktaUser, str | None]:
        """A user and its ETag, with one request (no retry), as a preview reads it."""
        request = api.get_user(user_id)
        return self._run(previews.one_request(self._context, request, plans.user_and_etag))

    def check_admin(self) -> AdminAccess:
        """The admin behind the token and their role types."""
        return self._run(plans.check_admin(self._context))

    async def acheck_admin(self) -> AdminAccess:
        return await self._arun(plans.check_admin(self._context))

    def check_service_app(self) -> ServiceAppAccess:
        """Obtain a token for the OAuth 2.0 service app; its granted scopes and admin roles."""
        return self._run(self._service_app_plan())

    async def acheck_service_app(self) -> ServiceAppAccess:
        return await self._arun(self._service_app_plan())

    def _service_app_plan(self) -> Plan[ServiceAppAccess]:
        from langchain_okta.oauth.plans import check_service_app

        if self.oauth_session is None:
            raise OktaConfigurationError("this client uses an API token, not a service app")
        return check_service_app(self.oauth_session, self._context)

    def _summary_plan(
        self,
        search: str | None,
        filter: str | None,
        limits: SummaryLimits | None,
        progress: ProgressCallback | None,
    ) -> Plan[UserSummary]:
        return summaries.summarize_users(
            self._context,
            search=search,
            filter=filter,
            limits=limits or SummaryLimits(),
            progress=progress,
        )

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection, for good; from any thread, in or out of an event loop.

        Called inside a running loop, it cannot wait for that loop's own connections: they
        close as soon as the loop runs again (`await aclose()` waits for them).
        """
        self._connections.close()

    async def aclose(self) -> None:
        """Close every connection, for good, from any event loop, and wait until they are."""
        await self._connections.aclose()

    # -- drivers ----------------------------------------------------------------------------

    def _run(self, plan: Plan[T]) -> T:
        blocks_a_loop = ANSWERS_CANNOT_COME.set(True) if running_loop() is not None else None
        try:
            step = next(plan)
            while True:
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                    step = plan.send(None)
                else:
                    step = plan.send(self._send(step))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        finally:
            plan.close()
            if blocks_a_loop is not None:
                ANSWERS_CANNOT_COME.reset(blocks_a_loop)

    async def _arun(self, plan: Plan[T]) -> T:
        try:
            step = next(plan)
            while True:
                if isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                    step = plan.send(None)
                else:
                    step = plan.send(await self._asend(step))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        finally:
            plan.close()

    def _send(self, step: Send) -> Received | TransportFailure:
        http = self._connections.acquire()
        try:
            return self._attempt(http, step)
        except httpx.RequestError as exc:
            return _transport_failure(exc, self._host)
        except AttemptCut as cut:
            return cut.failure(self._host)
        except RuntimeError:
            self._raise_if_closed()
            raise
        finally:
            self._connections.release()

    async def _asend(self, step: Send) -> Received | TransportFailure:
        http = await self._connections.aacquire()
        try:
            async with asyncio.timeout(self.settings.timeouts.attempt):
                return await self._aattempt(http, step)
        except httpx.RequestError as exc:
            return _transport_failure(exc, self._host)
        except AttemptCut as cut:
            return cut.failure(self._host)
        except TimeoutError:
            return timed_out(self.settings.timeouts.attempt).failure(self._host)
        except RuntimeError:
            self._raise_if_closed()
            raise
        finally:
            self._connections.release()

    def _attempt(self, http: httpx.Client, step: Send) -> Received:
        # A sync read cannot be interrupted: this client's own connections wait at most until
        # the deadline (sync_deadline); through a transport passed in, it is checked as each
        # chunk arrives, so a trickling answer is cut at most one read timeout past it.
        attempt = self.settings.timeouts.attempt
        deadline = time.monotonic() + attempt
        bound = ATTEMPT_DEADLINE.set(deadline)
        try:
            response = http.send(self._build(http, step), stream=True)
            try:
                reader = self._body_reader(response, deadline)
                if response.is_stream_consumed:
                    reader.add(response.content)
                else:
                    for chunk in response.iter_raw():
                        reader.add(chunk)
                return _received(response, reader.body())
            finally:
                response.close()
        except (httpx.ReadTimeout, httpx.WriteTimeout):
            if time.monotonic() >= deadline:
                raise timed_out(attempt) from None
            raise
        finally:
            ATTEMPT_DEADLINE.reset(bound)

    async def _aattempt(self, http: httpx.AsyncClient, step: Send) -> Received:
        deadline = time.monotonic() + self.settings.timeouts.attempt
        response = await http.send(self._build(http, step), stream=True)
        try:
            reader = self._body_reader(response, deadline)
            if response.is_stream_consumed:
                reader.add(response.content)
            else:
                async for chunk in response.aiter_raw():
                    reader.add(chunk)
            return _received(response, reader.body())
        finally:
            await response.aclose()

    def _body_reader(self, response: httpx.Response, deadline: float) -> BodyReader:
        # A body the transport has read already (a test double) is decoded already too.
        encoding = "" if response.is_stream_consumed else response.headers.get("content-encoding")
        return BodyReader(
            encoding or "",
            max_bytes=self.settings.max_response_bytes,
            deadline=deadline,
            attempt_seconds=self.settings.timeouts.attempt,
            clock=time.monotonic,
        )

    def _raise_if_closed(self) -> None:
        # httpx refuses to send through a client that a close from elsewhere just closed.
        if self._connections.closed:
            raise OktaClientClosedError() from None

    def _build(self, http: httpx.Client | httpx.AsyncClient, step: Send) -> httpx.Request:
        request, credentials = step.request, step.credentials
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": USER_AGENT,
            **dict(request.headers),
        }
        if credentials is None:
            headers["Authorization"] = _api_token_authorization(self.settings)
        else:
            # An OAuth 2.0 session's plan decided these (token, DPoP proof): sent as they are.
            headers.update(credentials.headers)
        return http.build_request(
            request.method,
            self.settings.org_url + request.path,
            # None rather than (): httpx would otherwise rebuild the URL's query for nothing.
            params=request.params or None,
            json=request.body,
            data=dict(credentials.form) if credentials is not None and credentials.form else None,
            headers=headers,
            timeout=self._timeout,
        )

    def _new_http(self) -> httpx.Client:
        http = httpx.Client(
            transport=self._transport,
            verify=self._tls or True,
            timeout=self._timeout,
            follow_redirects=False,
        )
        # Through a transport passed in, the caller's connections are the caller's own.
        return http if self._transport is not None else keep_to_deadlines(http)

    def _new_async_http(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=transport,
            verify=self._tls or True,
            timeout=self._timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=self.settings.max_concurrency),
        )


def _async_side(
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | AsyncTransportFactory | None,
) -> httpx.AsyncBaseTransport | AsyncTransportFactory | None:
    """What async calls send through: an async transport, a factory of them, or None."""
    if isinstance(transport, httpx.AsyncBaseTransport):
        return transport
    if transport is None or isinstance(transport, httpx.BaseTransport):
        return None
    if not callable(transport):
        raise TypeError(
            "transport must be an httpx transport or a function that makes an async one, "
            f"not {type(transport).__name__}"
        )
    return transport


def _oauth_session(settings: OktaSettings) -> OAuthSession | None:
    if settings.auth is None:
        return None
    from langchain_okta.oauth.session import OAuthSession

    timeouts = settings.timeouts
    # Calls waiting on one token request give up on it after it could have timed out.
    lease = settings.retries.max_wait + timeouts.connect + timeouts.read
    return OAuthSession(settings.org_url, settings.auth, lease_seconds=lease)


def _api_token_authorization(settings: OktaSettings) -> str:
    if settings.access_token is not None:
        return f"Bearer {settings.access_token.get_secret_value()}"
    if settings.api_token is None:
        raise OktaConfigurationError("no API token: requests must be authorized by the session")
    return f"SSWS {settings.api_token.get_secret_value()}"


def _page_progress(pages: int, users: int, page: UserPage) -> PageProgress:
    return PageProgress(
        pages=pages, users=users, page_users=len(page.users), more=page.next_cursor is not None
    )


def _new_profile(profile: Mapping[str, str]) -> dict[str, str]:
    """The create profile with `login` defaulting to `email`, checked to be path-safe.

    The login must work as a path segment because an unsure create is checked by fetching
    the user by login.
    """
    return turns.new_profile(profile)


def _create_preview_plan(
    ctx: Context, profile: Mapping[str, str], activate: bool
) -> Plan[CreatePreview]:
    return previews.preview_create(
        ctx, _new_profile(profile), activate=activate, login_from_email=not profile.get("login")
    )


def _received(response: httpx.Response, body: bytes) -> Received:
    return Received(
        status=response.status_code,
        # A plain dict: httpx.Headers decodes its whole list on every lookup, and the plans
        # look up half a dozen headers per response.
        headers=dict(response.headers.items()),
        body=body,
        link_headers=response.headers.get_list("link"),
    )


def _transport_failure(exc: httpx.RequestError, host: str) -> TransportFailure:
    return TransportFailure(
        reason=transport_errors.describe(exc, host),
        may_have_reached_okta=not isinstance(exc, transport_errors.NOT_SENT),
        cause=transport_errors.without_request(exc),
    )
