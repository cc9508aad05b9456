"""The org's HTTP API: one request in, one outcome out, answered as Okta's Users API answers.

No I/O: the in-process transport and the loopback server both call `SandboxApp.handle` and only
move bytes. Order of checks, as on Okta: authentication, then the org's concurrent limit and
the endpoint's rate limit, then the request itself.
"""

from __future__ import annotations

import email.utils
import hashlib
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from langchain_okta.models import USER_MANAGER_ROLES
from langchain_okta.oauth.config import MANAGE_SCOPE, READ_SCOPE, ROLES_SCOPE
from langchain_okta.sandbox.authorization import (
    CLIENT_ROLES_BUCKET,
    TOKEN_BUCKET,
    TOKEN_PATH,
    AuthorizationServer,
    Principal,
    Refusal,
    ServiceApp,
)
from langchain_okta.sandbox.expressions import (
    ExpressionError,
    compile_filter,
    compile_search,
    starts_with_query,
)
from langchain_okta.sandbox.faults import Fault, FaultQueue
from langchain_okta.sandbox.messages import (
    Disconnect,
    Outcome,
    RecordedRequest,
    SandboxRequest,
    SandboxResponse,
)
from langchain_okta.sandbox.okta_errors import (
    ApiError,
    injected_error,
    type_mismatch,
    user_not_found,
    validation_failed,
)
from langchain_okta.sandbox.profiles import InvalidProfile, non_string_attributes
from langchain_okta.sandbox.rate_limits import (
    OTHER_BUCKET,
    InFlight,
    RateLimiter,
    RateState,
    over_concurrent_limit,
)
from langchain_okta.sandbox.store import (
    StaleVersion,
    StoredUser,
    UnknownCursor,
    UserNotFound,
    UserPredicate,
    UserStore,
)
from langchain_okta.sandbox.user_objects import (
    ROLE_LABELS,
    alphanumeric,
    json_base,
    render_roles,
    render_user,
)

USERS_PATH = "/api/v1/users"
MAX_LIMIT = 200
DEFAULT_LIMIT = 200
DEFAULT_QUERY_LIMIT = 10
# The cause Okta gives with E0000029 (E0000031 on search-backed listings) for a cursor it does
# not know.
INVALID_CURSOR = "Invalid cursor."
# Enough for any test or notebook to inspect; a long benchmark must not grow without bound.
MAX_RECORDED = 100_000

_REPEATED_SLASHES = re.compile(r"/{2,}")
_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")
_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
# What is left of a JSON body cut off mid-stream when there is no real body to cut.
_CUT_OFF_BODY = b'{"id":"00u'

Handler = Callable[
    ["SandboxApp", SandboxRequest, "Route", float], tuple[bytes, list[tuple[str, str]]]
]


@dataclass(frozen=True)
class Route:
    handler: Handler
    bucket: str
    # The user segment of the path, percent-decoded once (None for /api/v1/users itself).
    user_key: str | None = None


class SandboxApp:
    """Everything one org answers with: users, rate limits, faults and the request log."""

    def __init__(
        self,
        *,
        store: UserStore,
        admin_id: str,
        token: str,
        limiter: RateLimiter,
        in_flight: InFlight,
        faults: FaultQueue,
        clock: Callable[[], float],
        schema_id: str,
        seed: int,
        authorization: AuthorizationServer,
    ) -> None:
        self._oauth = authorization
        self._store = store
        self._admin_id = admin_id
        # Authorization header values the org accepts besides OAuth 2.0 service-app tokens,
        # each with the user behind it: the API tokens, and access tokens issued to users.
        self._credentials: dict[str, str] = {}
        self._credentials_lock = threading.Lock()
        self.add_credential(f"SSWS {token}", admin_id)
        self._limiter = limiter
        self._in_flight = in_flight
        self._faults = faults
        self._clock = clock
        self._schema_id = schema_id
        self._seed = seed
        self._request_numbers = itertools.count(1)
        self._last_date = (-1, "")
        self._log: deque[RecordedRequest] = deque(maxlen=MAX_RECORDED)
        self._log_lock = threading.Lock()

    def add_credential(self, authorization: str, user_id: str) -> None:
        """Accept `authorization` (`SSWS <token>` or `Bearer <token>`) as `user_id`'s."""
        scheme, _, value = authorization.partition(" ")
        with self._credentials_lock:
            self._credentials[authorization] = user_id
            if scheme == "SSWS":
                # Okta's own SDK sends the token without the space, and Okta accepts that too.
                self._credentials[f"SSWS{value}"] = user_id

    def revoke_credential(self, authorization: str) -> None:
        """Refuse `authorization` from now on, as Okta refuses a revoked token."""
        scheme, _, value = authorization.partition(" ")
        with self._credentials_lock:
            self._credentials.pop(authorization, None)
            if scheme == "SSWS":
                self._credentials.pop(f"SSWS{value}", None)

    @property
    def recorded(self) -> list[RecordedRequest]:
        with self._log_lock:
            return list(self._log)

    @contextmanager
    def arrival(self) -> Iterator[bool]:
        """Count a request as in flight until the block ends, from its arrival (a `latency`
        fault's wait included); yields whether it is over the org's concurrent limit, which
        the front end passes on to `handle`."""
        with self._in_flight.request() as over_limit:
            yield over_limit

    def take_fault(self, method: str, raw_path: str) -> Fault | None:
        """The fault for this request, if any. Front ends apply a `latency` fault's delay
        themselves (sleeping the way their caller can wait) before calling `handle`."""
        return self._faults.take(method.upper(), raw_path)

    def handle(
        self, request: SandboxRequest, fault: Fault | None = None, *, over_limit: bool = False
    ) -> Outcome:
        """Answer one request; `over_limit`: it arrived past the org's concurrent limit."""
        method = request.method.upper()
        if fault is None or fault.kind == "latency":
            outcome: Outcome = self._serve(request, over_limit)
        else:
            # A GET changes nothing, so a body to cut off can always be produced for real.
            # Okta never applies a request it turned away with a 429.
            rejected = fault.kind == "rate_limit" or (
                fault.kind == "status" and fault.status == 429
            )
            applied = (fault.after_processing and not rejected) or (
                fault.kind == "malformed_json" and method == "GET"
            )
            served = self._serve(request, over_limit) if applied else None
            outcome = self._fail(fault, request, served)
        self._record(request, outcome, fault)
        return outcome

    # Serving

    def _serve(self, request: SandboxRequest, over_limit: bool) -> SandboxResponse:
        now = self._clock()
        request_id = self._request_id()
        if self._oauth.serves(request.raw_path):
            return self._serve_oauth(request, now, request_id)
        try:
            route: Route | ApiError = match_route(request.method.upper(), request.raw_path)
        except ApiError as error:
            route = error
        rate: RateState | None
        if isinstance(route, ApiError) and route.code == "E0000022":
            rate = None  # Okta's 405 answers carry no rate-limit headers
        elif over_limit:
            rate = over_concurrent_limit(now)
        else:
            rate = self._limiter.hit(_bucket_of(route), now)
        try:
            principal = self._principal(request)
            if rate is not None and not rate.allowed:
                raise ApiError("E0000047")
            if isinstance(route, ApiError):
                raise route
            self._oauth.require_scope(
                principal, _SCOPES[route.bucket], _base_url(request), request.raw_path
            )
            if route.handler in _WRITES and not self._may_manage_users(principal):
                raise ApiError("E0000006")
            if principal.app is not None and route.user_key == "me":
                # A service app is not a user: there is no "me" behind its token.
                raise user_not_found("me")
            if route.user_key == "me" and principal.user_id is not None:
                route = Route(route.handler, route.bucket, principal.user_id)
            body, headers = route.handler(self, request, route, now)
        except Refusal as refusal:
            return self._refusal_response(refusal, now, rate, request_id)
        except ApiError as error:
            return self._error_response(error, now, rate, request_id)
        return SandboxResponse(200, self._headers(now, rate, request_id) + headers, body)

    def _may_manage_users(self, principal: Principal) -> bool:
        if principal.app is not None:
            return bool(set(principal.app.roles) & USER_MANAGER_ROLES)
        user_id = principal.user_id or self._admin_id
        roles = {str(role.get("type")) for role in self._store.roles_of(user_id)}
        return bool(roles & USER_MANAGER_ROLES)

    def _principal(self, request: SandboxRequest) -> Principal:
        """The user behind an API token or a user's access token, or the service app behind
        an OAuth access token."""
        authorization = request.headers.get("authorization")
        scheme = (authorization or "").split(" ", 1)[0].lower()
        user_id = self._user_of(authorization)
        if user_id is not None:
            return Principal(
                None, scheme="Bearer" if scheme == "bearer" else "SSWS", user_id=user_id
            )
        if scheme in ("dpop", "bearer"):
            return self._oauth.principal(request, _base_url(request))
        raise ApiError("E0000011")

    def _user_of(self, authorization: str | None) -> str | None:
        if authorization is None:
            return None
        # A dict lookup compares strings only when their hashes match, so its timing tells
        # nothing about how close a guess came.
        with self._credentials_lock:
            return self._credentials.get(authorization)

    def _who(self, request: SandboxRequest) -> str | None:
        """Whose credential a request carried, for the log; verifies nothing."""
        authorization = request.headers.get("authorization")
        user_id = self._user_of(authorization)
        if user_id is not None or authorization is None:
            return user_id
        return self._oauth.client_of(authorization.partition(" ")[2])

    # OAuth 2.0: the token endpoint and the service app's role assignments

    def _serve_oauth(self, request: SandboxRequest, now: float, request_id: str) -> SandboxResponse:
        path = request.raw_path.rstrip("/")
        method = request.method.upper()
        client_id = _client_of_roles_path(path)
        bucket = TOKEN_BUCKET if path == TOKEN_PATH else CLIENT_ROLES_BUCKET
        rate = self._limiter.hit(bucket if path == TOKEN_PATH or client_id else OTHER_BUCKET, now)
        try:
            if path == TOKEN_PATH:
                if method != "POST":
                    raise ApiError("E0000022")
                if not rate.allowed:
                    raise ApiError("E0000047")
                status, headers, body = self._oauth.token(request, _base_url(request))
                return SandboxResponse(status, self._headers(now, rate, request_id) + headers, body)
            if client_id is None:
                raise ApiError("E0000008")
            if method != "GET":
                raise ApiError("E0000022")
            principal = self._principal(request)
            if not rate.allowed:
                raise ApiError("E0000047")
            base = _base_url(request)
            self._oauth.require_scope(principal, ROLES_SCOPE, base, request.raw_path)
            app = self._oauth.app(client_id)
            if app is None:
                raise ApiError("E0000007", f"Resource not found: {client_id} (AppInstance)")
            body = _render_client_roles(app, base)
        except Refusal as refusal:
            return self._refusal_response(refusal, now, rate, request_id)
        except ApiError as error:
            return self._error_response(error, now, rate, request_id)
        return SandboxResponse(200, self._headers(now, rate, request_id), body)

    def _refusal_response(
        self, refusal: Refusal, now: float, rate: RateState | None, request_id: str
    ) -> SandboxResponse:
        # Okta's OAuth refusals say it in WWW-Authenticate; a missing scope has no body at all.
        headers = self._headers(now, rate, request_id)
        if refusal.error_code is None:
            headers = [(name, value) for name, value in headers if name != "Content-Type"]
            return SandboxResponse(refusal.status, headers + refusal.headers, b"")
        body = ApiError(refusal.error_code).body("oae" + request_id[:22])
        return SandboxResponse(refusal.status, headers + refusal.headers, body)

    def _fail(
        self, fault: Fault, request: SandboxRequest, served: SandboxResponse | None
    ) -> Outcome:
        if fault.kind == "drop":
            return Disconnect()
        now = self._clock()
        request_id = self._request_id()
        if fault.kind == "html":
            headers = [("Content-Type", "text/html"), ("Date", self._http_date(now))]
            return SandboxResponse(502, headers, _GATEWAY_PAGE)
        # The headers went out before the body was cut off, so they are all there.
        if fault.kind == "malformed_json" and served is not None:
            return SandboxResponse(200, served.headers, served.body[: len(served.body) // 2])
        rate: RateState | None
        if fault.kind == "rate_limit" or (fault.kind == "status" and fault.status == 429):
            rate = self._limiter.exhausted(_bucket(request), now)
        elif served is not None:
            rate = _rate_of(served)
        else:
            rate = self._limiter.peek(_bucket(request), now)
        if fault.kind == "malformed_json":
            return SandboxResponse(200, self._headers(now, rate, request_id), _CUT_OFF_BODY)
        error = ApiError("E0000047") if fault.kind == "rate_limit" else injected_error(fault.status)
        return self._error_response(error, now, rate, request_id)

    def _error_response(
        self, error: ApiError, now: float, rate: RateState | None, request_id: str
    ) -> SandboxResponse:
        error_id = "oae" + request_id[:22]
        return SandboxResponse(
            error.status, self._headers(now, rate, request_id), error.body(error_id)
        )

    def _headers(
        self, now: float, rate: RateState | None, request_id: str
    ) -> list[tuple[str, str]]:
        headers = [
            ("Content-Type", "application/json"),
            ("Date", self._http_date(now)),
            ("X-Okta-Request-Id", request_id),
        ]
        return headers + rate.headers() if rate is not None else headers

    def _http_date(self, now: float) -> str:
        # Formatting costs more than the rest of a GET; the header changes once a second.
        second, text = self._last_date
        if second != int(now):
            second, text = int(now), email.utils.formatdate(int(now), usegmt=True)
            self._last_date = (second, text)
        return text

    def _request_id(self) -> str:
        # Deterministic per org and request number, shaped like Okta's opaque ids.
        number = next(self._request_numbers)
        digest = hashlib.blake2b(f"{self._seed}:{number}".encode(), digest_size=24).digest()
        return alphanumeric(digest)

    def _record(self, request: SandboxRequest, outcome: Outcome, fault: Fault | None) -> None:
        try:
            body: Any = json.loads(request.body) if request.body else None
        except ValueError:
            body = None
        record = RecordedRequest(
            method=request.method.upper(),
            path=request.raw_path,
            query=parse_qsl(request.raw_query, keep_blank_values=True),
            json=body,
            status=outcome.status if isinstance(outcome, SandboxResponse) else None,
            fault=fault.kind if fault is not None else None,
            principal=self._who(request),
        )
        with self._log_lock:
            self._log.append(record)

    # Users

    def _find(self, key: str) -> StoredUser:
        found = self._store.get(self._admin_id if key == "me" else key)
        if found is None:
            raise user_not_found(key)
        return found

    def _list_users(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        pairs = parse_qsl(request.raw_query, keep_blank_values=True)
        params = _first_values(pairs)
        search = params.get("search", "").strip() or None
        filter_ = params.get("filter", "").strip() or None
        query = params.get("q") or None
        after = params.get("after") or None
        if search is not None and filter_ is not None:
            raise ApiError("E0000033")
        by_query = query is not None and search is None and filter_ is None
        limit = _limit(params.get("limit"), DEFAULT_QUERY_LIMIT if by_query else DEFAULT_LIMIT)

        try:
            if search is not None:
                users, more = self._search(compile_search(search), params, after, limit)
            elif filter_ is not None:
                users, more = self._page(compile_filter(filter_), after, limit, everyone=True)
            elif query is not None:
                # Okta's `q` is not paged: one page of up to `limit`, no next link.
                users, more = self._page(starts_with_query(query), None, limit, everyone=False)
                more = False
            else:
                users, more = self._page(None, after, limit, everyone=False)
        except ExpressionError as error:
            raise ApiError("E0000031", causes=[str(error)]) from error

        base = _base_url(request)
        base_json = json_base(base)
        body = (
            b"["
            + b",".join(
                render_user(s.head(), s.user, base_json, full=False, schema_id=self._schema_id)
                for s in users
            )
            + b"]"
        )
        headers = [
            ("link", _page_link(base, pairs, limit, after if not by_query else None, "self"))
        ]
        if more:
            cursor = self._store.cursor_after(users[-1].id)
            headers.append(("link", _page_link(base, pairs, limit, cursor, "next")))
        return body, headers

    def _page(
        self,
        keep: UserPredicate | None,
        after: str | None,
        limit: int,
        *,
        everyone: bool,
        search_backed: bool = False,
    ) -> tuple[list[StoredUser], bool]:
        try:
            return self._store.page(
                after=after, limit=limit, keep=keep, include_deprovisioned=everyone
            )
        except UnknownCursor as error:
            raise _invalid_cursor(search_backed) from error

    def _search(
        self, keep: UserPredicate, params: Mapping[str, str], after: str | None, limit: int
    ) -> tuple[list[StoredUser], bool]:
        sort_by = params.get("sortBy", "").strip()
        if not sort_by:
            return self._page(keep, after, limit, everyone=True, search_backed=True)
        matches = _sorted(
            self._store.select(keep), sort_by, params.get("sortOrder", "").lower() == "desc"
        )
        start = 0
        if after is not None:
            ids = [stored.id for stored in matches]
            try:
                previous = self._store.user_before(after)
            except UnknownCursor as error:
                raise _invalid_cursor(search_backed=True) from error
            if previous not in ids:
                raise _invalid_cursor(search_backed=True)
            start = ids.index(previous) + 1
        return matches[start : start + limit], start + limit < len(matches)

    def _get_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        stored = self._find(_key(route))
        # Okta sends an ETag with a fetched user only, not with a created or updated one.
        return self._user_body(request, stored), [("ETag", stored.etag)]

    def _create_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        params = _first_values(parse_qsl(request.raw_query, keep_blank_values=True))
        activate = _boolean(params.get("activate"), "activate", default=True)
        body = _json_object(request.body)
        profile = _profile(body)
        try:
            stored = self._store.create(
                profile, activate=activate, password=_has_password(body), now=now
            )
        except InvalidProfile as error:
            raise validation_failed(error.causes) from error
        return self._user_body(request, stored), []

    def _update_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        patch = _profile(_json_object(request.body))
        # Partial update: sent attributes win; one sent as null is cleared.
        return self._change_profile(request, route, now, lambda current: {**current, **patch})

    def _replace_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        replacement = _profile(_json_object(request.body))
        # Okta: "Any property not specified in the request is deleted."
        return self._change_profile(request, route, now, lambda current: dict(replacement))

    def _change_profile(
        self,
        request: SandboxRequest,
        route: Route,
        now: float,
        change: Callable[[Mapping[str, Any]], dict[str, Any]],
    ) -> tuple[bytes, list[tuple[str, str]]]:
        target = self._find(_key(route))
        try:
            stored = self._store.update_profile(
                target.id, change, if_match=request.headers.get("if-match"), now=now
            )
        except StaleVersion as error:
            raise ApiError("E0000231") from error
        except UserNotFound as error:
            raise user_not_found(_key(route)) from error
        except InvalidProfile as error:
            raise validation_failed(error.causes) from error
        return self._user_body(request, stored), []

    def _user_body(self, request: SandboxRequest, stored: StoredUser) -> bytes:
        base_json = json_base(_base_url(request))
        return render_user(
            stored.head(), stored.user, base_json, full=True, schema_id=self._schema_id
        )

    def _list_roles(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        user = self._find(_key(route))
        return render_roles(self._store.roles_of(user.id), _base_url(request), user.id), []


_ROUTES: dict[tuple[str, str], tuple[Handler, str]] = {
    ("", "GET"): (SandboxApp._list_users, "GET /api/v1/users"),
    ("", "POST"): (SandboxApp._create_user, "POST /api/v1/users"),
    ("{id}", "GET"): (SandboxApp._get_user, "GET /api/v1/users/{id}"),
    ("{id}", "POST"): (SandboxApp._update_user, "POST /api/v1/users/{id}"),
    # Okta counts partial and full updates against one bucket.
    ("{id}", "PUT"): (SandboxApp._replace_user, "POST /api/v1/users/{id}"),
    ("{id}/roles", "GET"): (SandboxApp._list_roles, "GET /api/v1/users/{id}/roles"),
}


# Writes by admins whose roles are not in USER_MANAGER_ROLES get 403, as in Okta.
_WRITES = frozenset({SandboxApp._create_user, SandboxApp._update_user, SandboxApp._replace_user})


# The scope an OAuth access token needs for each endpoint (Okta's API reference).
_SCOPES = {
    "GET /api/v1/users": READ_SCOPE,
    "GET /api/v1/users/{id}": READ_SCOPE,
    "POST /api/v1/users": MANAGE_SCOPE,
    "POST /api/v1/users/{id}": MANAGE_SCOPE,
    "GET /api/v1/users/{id}/roles": ROLES_SCOPE,
}
_CLIENT_ROLES = re.compile(r"/oauth2/v1/clients/([A-Za-z0-9_-]{1,128})/roles")


def _client_of_roles_path(path: str) -> str | None:
    found = _CLIENT_ROLES.fullmatch(path)
    return found.group(1) if found else None


def _render_client_roles(app: ServiceApp, base_url: str) -> bytes:
    roles = []
    for role_type in app.roles:
        digest = hashlib.blake2b(f"{app.client_id}:{role_type}".encode(), digest_size=12)
        roles.append(
            {
                "id": "ra1" + alphanumeric(digest.digest())[:17],
                "label": ROLE_LABELS.get(role_type, role_type),
                "type": role_type,
                "status": "ACTIVE",
                "created": "2024-01-01T00:00:00.000Z",
                "lastUpdated": "2024-01-01T00:00:00.000Z",
                "assignmentType": "CLIENT",
                "_links": {
                    "assignee": {"href": f"{base_url}/oauth2/v1/clients/{app.client_id}/roles"}
                },
            }
        )
    return json.dumps(roles, separators=(",", ":")).encode()


def match_route(method: str, raw_path: str) -> Route:
    """The route for this method and path; ApiError (404 or 405) when there is none."""
    # Okta reads "//api/v1/users" as "/api/v1/users" (its own SDK has sent that).
    path = _REPEATED_SLASHES.sub("/", raw_path)
    path = path.rstrip("/") if path != "/" else path
    user_key: str | None = None
    if path == USERS_PATH:
        shape = ""
    elif path.startswith(USERS_PATH + "/"):
        segments = path[len(USERS_PATH) + 1 :].split("/")
        if len(segments) == 1:
            shape = "{id}"
        elif len(segments) == 2 and segments[1] == "roles":
            shape = "{id}/roles"
        else:
            raise ApiError("E0000008")
        user_key = unquote(segments[0])
    else:
        raise ApiError("E0000008")
    found = _ROUTES.get((shape, method))
    if found is None:
        raise ApiError("E0000022")
    handler, bucket = found
    return Route(handler, bucket, user_key)


def _bucket(request: SandboxRequest) -> str:
    try:
        return match_route(request.method.upper(), request.raw_path).bucket
    except ApiError:
        return OTHER_BUCKET


def _bucket_of(route: Route | ApiError) -> str:
    return route.bucket if isinstance(route, Route) else OTHER_BUCKET


def _page_link(
    base: str, pairs: list[tuple[str, str]], limit: int, after: str | None, rel: str
) -> str:
    """A `link` line as Okta writes it: `after` (when there is one), then `limit` (always), then
    the request's other parameters, with spaces as `+`."""
    others = [(name, value) for name, value in pairs if name not in ("after", "limit")]
    query = [("after", after)] if after else []
    query += [("limit", str(limit)), *others]
    return f'<{base}{USERS_PATH}?{urlencode(query)}>; rel="{rel}"'


def _invalid_cursor(search_backed: bool) -> ApiError:
    return ApiError("E0000031" if search_backed else "E0000029", causes=[INVALID_CURSOR])


def _rate_of(response: SandboxResponse) -> RateState | None:
    values = {name: value for name, value in response.headers if name.startswith("X-Rate-")}
    try:
        limit = int(values["X-Rate-Limit-Limit"])
        remaining = int(values["X-Rate-Limit-Remaining"])
        reset = int(values["X-Rate-Limit-Reset"])
    except KeyError:
        return None
    return RateState(remaining > 0, limit, remaining, reset)


def _key(route: Route) -> str:
    assert route.user_key is not None  # every {id} route has one
    return route.user_key


def _base_url(request: SandboxRequest) -> str:
    # The Host header is the client's to choose: only a plain host[:port] goes into URLs.
    host = request.host if _HOST.fullmatch(request.host) else "localhost"
    scheme = request.scheme if request.scheme in ("http", "https") else "http"
    return f"{scheme}://{host}"


def _limit(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise type_mismatch("limit") from None
    if limit < 1:
        raise ApiError("E0000029")
    return min(limit, MAX_LIMIT)


def _boolean(raw: str | None, name: str, *, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise type_mismatch(name)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ApiError("E0000003")
    return parsed


def _has_password(body: Mapping[str, Any]) -> bool:
    """Whether a create sends a password (its value is never kept)."""
    credentials = body.get("credentials")
    if credentials is None:
        return False
    password = credentials.get("password") if isinstance(credentials, dict) else None
    if not isinstance(credentials, dict) or not isinstance(password, dict | None):
        raise ApiError("E0000003")
    return bool(password)


def _profile(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's profile; none at all reads as empty (PUT then fails on required fields)."""
    profile = body.get("profile")
    if profile is None:
        return {}
    if not isinstance(profile, dict) or non_string_attributes(profile):
        raise ApiError("E0000003")
    return profile


def _first_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def _sorted(users: list[StoredUser], sort_by: str, descending: bool) -> list[StoredUser]:
    """Okta's search order: by the property, users with equal values by id; missing ones last."""
    keys = sort_by.split(".")

    def value(stored: StoredUser) -> Any:
        current: Any = stored.user
        for key in keys:
            current = current.get(key) if isinstance(current, Mapping) else None
        return current

    present: list[tuple[tuple[int, Any], StoredUser]] = []
    missing: list[StoredUser] = []
    for stored in sorted(users, key=lambda s: s.id):
        found = value(stored)
        if found is None or isinstance(found, Mapping | list):
            missing.append(stored)
        elif isinstance(found, str):
            present.append(((1, found.lower()), stored))
        else:
            present.append(((0, float(found)), stored))
    # Stable sorts keep id order among equal values, in either direction.
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [stored for _, stored in present] + missing
