"""The Users API requests this package makes, and how their responses are read. No I/O.

Every request is built here from validated values, and its path is always under
`/api/v1/users`: the drivers send exactly what these functions return.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from langchain_okta.errors import OktaResponseError, error_from_response
from langchain_okta.models import OktaUser, RoleAssignment, UserPage
from langchain_okta.paging import next_cursor
from langchain_okta.paths import USERS_PATH, user_path

JsonObject = dict[str, Any]
_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class ApiRequest:
    method: Literal["GET", "POST"]
    path: str
    # The endpoint as Okta counts it for rate limits, e.g. "GET /api/v1/users/{id}".
    bucket: str
    params: tuple[tuple[str, str], ...] = ()
    body: JsonObject | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Received:
    """A response, as the driver got it."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    link_headers: Sequence[str] = field(default=())


def list_users(
    *,
    query: str | None = None,
    search: str | None = None,
    filter: str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> ApiRequest:
    params = [
        (name, value)
        for name, value in (("q", query), ("search", search), ("filter", filter), ("after", after))
        if value
    ]
    if limit is not None:
        params.append(("limit", str(limit)))
    return ApiRequest("GET", USERS_PATH, "GET /api/v1/users", tuple(params))


def get_user(user_id: str) -> ApiRequest:
    return ApiRequest("GET", user_path(user_id), "GET /api/v1/users/{id}")


def create_user(profile: Mapping[str, str], *, activate: bool) -> ApiRequest:
    return ApiRequest(
        "POST",
        USERS_PATH,
        "POST /api/v1/users",
        (("activate", "true" if activate else "false"),),
        {"profile": dict(profile)},
    )


def update_user(
    user_id: str, changes: Mapping[str, str | None], *, etag: str | None = None
) -> ApiRequest:
    """A partial update (POST): Okta changes only the attributes sent.

    Never PUT: Okta's PUT deletes every profile attribute not in the request.
    """
    headers = (("If-Match", etag),) if etag else ()
    return ApiRequest(
        "POST",
        user_path(user_id),
        "POST /api/v1/users/{id}",
        body={"profile": dict(changes)},
        headers=headers,
    )


def list_roles(user_id: str) -> ApiRequest:
    return ApiRequest("GET", user_path(user_id, "roles"), "GET /api/v1/users/{id}/roles")


def raise_for_status(response: Received) -> None:
    if response.status >= 300:
        raise error_from_response(
            response.status, response.headers.get("content-type", ""), response.body
        )


def read_user(response: Received) -> OktaUser:
    raise_for_status(response)
    return _validated(OktaUser, _json(response))


def read_user_page(response: Received) -> UserPage:
    raise_for_status(response)
    data = _json(response)
    if not isinstance(data, list):
        raise OktaResponseError("Okta returned something other than a list of users")
    users = [_validated(OktaUser, item) for item in data]
    return UserPage(users=users, next_cursor=next_cursor(response.link_headers))


@dataclass(frozen=True)
class CountedPage:
    """A page of users read for counting: each one's status, the first `keep` in full."""

    statuses: list[str | None]
    users: list[OktaUser]
    next_cursor: str | None


def read_counted_page(response: Received, keep: int = 0) -> CountedPage:
    """A page of users as a count needs it: only `id` and `status` are checked and read of
    each user beyond the first `keep`, which is most of the cost of reading a page."""
    raise_for_status(response)
    data = _json(response)
    if not isinstance(data, list):
        raise OktaResponseError("Okta returned something other than a list of users")
    statuses: list[str | None] = []
    for item in data:
        status = item.get("status") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise OktaResponseError("Okta returned an object that is not a valid OktaUser")
        if status is not None and not isinstance(status, str):
            raise OktaResponseError("Okta returned an object that is not a valid OktaUser")
        statuses.append(status)
    users = [_validated(OktaUser, item) for item in data[:keep]]
    return CountedPage(statuses, users, next_cursor(response.link_headers))


def read_roles(response: Received) -> list[RoleAssignment]:
    raise_for_status(response)
    data = _json(response)
    if not isinstance(data, list):
        raise OktaResponseError("Okta returned something other than a list of roles")
    return [_validated(RoleAssignment, item) for item in data]


def etag_of(response: Received) -> str | None:
    return response.headers.get("etag")


def _json(response: Received) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):
        raise OktaResponseError(
            f"Okta answered HTTP {response.status} with a body that is not valid JSON",
            status=response.status,
        ) from None


def _validated(model: type[_Model], data: Any) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError:
        raise OktaResponseError(
            f"Okta returned an object that is not a valid {model.__name__}"
        ) from None
