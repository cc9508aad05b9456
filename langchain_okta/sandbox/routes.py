"""The org's HTTP API: one request in, one outcome out, answered as Okta's Users API answers.

No I/O: the in-process transport and the loopback server both call `SandboxApp.handle` and only
move bytes. Order of checks, as on Okta: authentication, then the endpoint's rate limit, then
the request itself.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from langchain_okta.models import USER_MANAGER_ROLES
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
from langchain_okta.sandbox.rate_limits import RateLimiter, RateState
from langchain_okta.sandbox.store import (
    StaleVersion,
    StoredUser,
    UnknownCursor,
    UserNotFound,
    UserPredicate,
    UserStore,
)
from langchain_okta.sandbox.user_objects import (
    alphanumeric,
    json_base,
    render_roles,
    render_user,
)

USERS_PATH = "/api/v1/users"
MAX_LIMIT = 200
DEFAULT_LIMIT = 200
DEFAULT_QUERY_LIMIT = 10
# Okta's catch-all bucket for endpoints without a limit of their own.
OTHER_BUCKET = "/api/v1/*"
# Enough for any test or notebook to inspect; a long benchmark must not grow without bound.
MAX_RECORDED = 100_000

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
        faults: FaultQueue,
        clock: Callable[[], float],
        schema_id: str,
        seed: int,
    ) -> None:
        self._store = store
        self._admin_id = admin_id
        self._authorization = f"SSWS {token}".encode()
        self._limiter = limiter
        self._faults = faults
        self._clock = clock
        self._schema_id = schema_id
        self._seed = seed
        self._request_numbers = itertools.count(1)
        self._last_date = (-1, "")
        self._log: deque[RecordedRequest] = deque(maxlen=MAX_RECORDED)
        self._log_lock = threading.Lock()

    @property
    def recorded(self) -> list[RecordedRequest]:
        with self._log_lock:
            return list(self._log)

    def take_fault(self, method: str, raw_path: str) -> Fault | None:
        """The fault for this request, if any. Front ends apply a `latency` fault's delay
        themselves (sleeping the way their caller can wait) before calling `handle`."""
        return self._faults.take(method.upper(), raw_path)

    def handle(self, request: SandboxRequest, fault: Fault | None = None) -> Outcome:
        method = request.method.upper()
        if fault is None or fault.kind == "latency":
            outcome: Outcome = self._serve(request)
        else:
            # A GET changes nothing, so a body to cut off can always be produced for real.
            # Okta never applies a request it turned away with a 429.
            rejected = fault.kind == "rate_limit" or (
                fault.kind == "status" and fault.status == 429
            )
            applied = (fault.after_processing and not rejected) or (
                fault.kind == "malformed_json" and method == "GET"
            )
            outcome = self._fail(fault, request, self._serve(request) if applied else None)
        self._record(request, outcome, fault)
        return outcome

    # Serving

    def _serve(self, request: SandboxRequest) -> SandboxResponse:
        now = self._clock()
        request_id = self._request_id()
        try:
            route: Route | ApiError = match_route(request.method.upper(), request.raw_path)
        except ApiError as error:
            route = error
        rate = self._limiter.hit(route.bucket if isinstance(route, Route) else OTHER_BUCKET, now)
        try:
            if not self._authorized(request.headers.get("authorization")):
                raise ApiError("E0000011")
            if not rate.allowed:
                raise ApiError("E0000047")
            if isinstance(route, ApiError):
                raise route
            if route.handler in _WRITES and not self._may_manage_users():
                raise ApiError("E0000006")
            body, headers = route.handler(self, request, route, now)
        except ApiError as error:
            return self._error_response(error, now, rate, request_id)
        return SandboxResponse(200, self._headers(now, rate, request_id) + headers, body)

    def _may_manage_users(self) -> bool:
        roles = {str(role.get("type")) for role in self._store.roles_of(self._admin_id)}
        return bool(roles & USER_MANAGER_ROLES)

    def _authorized(self, authorization: str | None) -> bool:
        return authorization is not None and hmac.compare_digest(
            authorization.encode(), self._authorization
        )

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
            rate = self._limiter.exhausted(now)
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
        self_url = base + request.raw_path + (f"?{request.raw_query}" if request.raw_query else "")
        headers = [("link", f'<{self_url}>; rel="self"')]
        if more:
            next_params = [(name, value) for name, value in pairs if name != "after"]
            if "limit" not in params:
                next_params.append(("limit", str(limit)))
            next_params.append(("after", users[-1].id))
            next_url = f"{base}{USERS_PATH}?{urlencode(next_params, quote_via=quote)}"
            headers.append(("link", f'<{next_url}>; rel="next"'))
        return body, headers

    def _page(
        self, keep: UserPredicate | None, after: str | None, limit: int, *, everyone: bool
    ) -> tuple[list[StoredUser], bool]:
        try:
            return self._store.page(
                after=after, limit=limit, keep=keep, include_deprovisioned=everyone
            )
        except UnknownCursor as error:
            raise ApiError("E0000029") from error

    def _search(
        self, keep: UserPredicate, params: Mapping[str, str], after: str | None, limit: int
    ) -> tuple[list[StoredUser], bool]:
        sort_by = params.get("sortBy", "").strip()
        if not sort_by:
            return self._page(keep, after, limit, everyone=True)
        matches = _sorted(
            self._store.select(keep), sort_by, params.get("sortOrder", "").lower() == "desc"
        )
        start = 0
        if after is not None:
            ids = [stored.id for stored in matches]
            if after not in ids:
                raise ApiError("E0000029")
            start = ids.index(after) + 1
        return matches[start : start + limit], start + limit < len(matches)

    def _get_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        return self._user_response(request, self._find(_key(route)))

    def _create_user(
        self, request: SandboxRequest, route: Route, now: float
    ) -> tuple[bytes, list[tuple[str, str]]]:
        params = _first_values(parse_qsl(request.raw_query, keep_blank_values=True))
        activate = _boolean(params.get("activate"), "activate", default=True)
        profile = _profile(_json_object(request.body))
        try:
            stored = self._store.create(profile, activate=activate, now=now)
        except InvalidProfile as error:
            raise validation_failed(error.causes) from error
        return self._user_response(request, stored)

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
        return self._user_response(request, stored)

    def _user_response(
        self, request: SandboxRequest, stored: StoredUser
    ) -> tuple[bytes, list[tuple[str, str]]]:
        base_json = json_base(_base_url(request))
        body = render_user(
            stored.head(), stored.user, base_json, full=True, schema_id=self._schema_id
        )
        return body, [("ETag", stored.etag)]

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


def match_route(method: str, raw_path: str) -> Route:
    """The route for this method and path; ApiError (404 or 405) when there is none."""
    path = raw_path.rstrip("/") if raw_path != "/" else raw_path
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
