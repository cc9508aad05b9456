"""OktaClient, sync and async, against a mocked Okta org: the requests it sends and what it
makes of the answers."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
from collections.abc import AsyncIterator, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx
from okta_responses import okta_error

from langchain_okta import (
    InvalidUserIdError,
    OktaAuthenticationError,
    OktaClient,
    OktaCursorMismatchError,
    OktaDuplicateLoginError,
    OktaError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaServerError,
    OktaSettings,
    OktaUser,
    OktaValidationError,
    RetrySettings,
    Timeouts,
    __version__,
)
from langchain_okta.cursors import bind, unbind

ORG = "https://acme.okta.com"
TOKEN = "TOKEN-SECRET-123"
FAST = RetrySettings(backoff_base=0, backoff_max=0)
# A fixed Okta clock: rate-limit resets are read against the response's Date, not ours.
DATE = "Tue, 01 Jul 2025 12:00:00 GMT"
DATE_EPOCH = 1751371200
UNSAFE_IDS = ["../groups", "a%2Fb", "00u1/roles", "..", "a\\b", "%252e%252e", "a\r\nb"]


def okta_user(user_id: str = "00u1", **profile: str) -> dict[str, Any]:
    values = {
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane@example.com",
        "login": "jane@example.com",
        **profile,
    }
    return {
        "id": user_id,
        "status": "ACTIVE",
        "profile": values,
        "_links": {"self": {"href": f"{ORG}/api/v1/users/{user_id}"}},
    }


def just_created(user_id: str) -> httpx.Response:
    """A new user as the lookup after an unsure create finds it: created now, by Okta's Date."""
    now = time.time()
    body = {
        **okta_user(user_id),
        "status": "PROVISIONED",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)),
    }
    return httpx.Response(200, json=body, headers={"date": formatdate(now, usegmt=True)})


def page(*users: dict[str, Any], after: str | None = None) -> httpx.Response:
    links = [("link", f'<{ORG}/api/v1/users?limit=2>; rel="self"')]
    if after:
        links.append(("link", f'<{ORG}/api/v1/users?after={after}&limit=2>; rel="next"'))
    return httpx.Response(200, json=list(users), headers=links)


def rate_limited(seconds_to_reset: int) -> httpx.Response:
    return okta_error(
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        **{
            "Date": DATE,
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(DATE_EPOCH + seconds_to_reset),
        },
    )


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


NEW_PROFILE = {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}


@pytest.fixture
def okta() -> Iterator[respx.Router]:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        yield router


@pytest.fixture
def settings() -> OktaSettings:
    return OktaSettings(org_url=ORG, api_token=TOKEN, retries=FAST)


@pytest.fixture
def client(okta: respx.Router, settings: OktaSettings) -> Iterator[OktaClient]:
    # Mounting the router as the transport skips building an SSL context per test.
    with OktaClient(settings, transport=httpx.MockTransport(okta.handler)) as okta_client:
        yield okta_client


@pytest.fixture
async def aclient(okta: respx.Router, settings: OktaSettings) -> AsyncIterator[OktaClient]:
    async with OktaClient(settings, transport=httpx.MockTransport(okta.handler)) as okta_client:
        yield okta_client


# -- what every request carries ---------------------------------------------------------------


def test_every_request_carries_the_token_accept_and_user_agent(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").respond(200, json=okta_user())

    client.get_user("00u1")

    headers = route.calls.last.request.headers
    assert headers["Authorization"] == f"SSWS {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == f"langchain-okta/{__version__}"


async def test_every_async_request_carries_the_token_accept_and_user_agent(
    okta: respx.Router, aclient: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").respond(200, json=okta_user())

    await aclient.aget_user("00u1")

    headers = route.calls.last.request.headers
    assert headers["Authorization"] == f"SSWS {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == f"langchain-okta/{__version__}"


def test_requests_have_the_configured_finite_timeouts(okta: respx.Router) -> None:
    route = okta.get("/api/v1/users/00u1").respond(200, json=okta_user())
    settings = OktaSettings(org_url=ORG, api_token=TOKEN, timeouts=Timeouts(connect=2, read=7))

    with OktaClient(settings) as client:
        client.get_user("00u1")

    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout == {"connect": 2, "read": 7, "write": 7, "pool": 7}
    assert all(math.isfinite(seconds) for seconds in timeout.values())


async def test_async_requests_have_the_default_finite_timeouts(
    okta: respx.Router, aclient: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").respond(200, json=okta_user())

    await aclient.aget_user("00u1")

    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout == {"connect": 5, "read": 30, "write": 30, "pool": 30}


# -- listing ----------------------------------------------------------------------------------


def test_list_users_sends_each_given_parameter_under_okta_name(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users").mock(return_value=page())

    listing = {"query": "jan", "search": 'profile.department eq "Sales"'}
    listing["filter"] = 'status eq "ACTIVE"'
    client.list_users(**listing, limit=50, cursor=bind("00u9", **listing, org=ORG))

    assert dict(route.calls.last.request.url.params) == {
        "q": "jan",
        "search": 'profile.department eq "Sales"',
        "filter": 'status eq "ACTIVE"',
        "limit": "50",
        "after": "00u9",
    }


def test_a_cursor_sent_with_other_filters_is_refused_without_sending(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users").mock(return_value=page(okta_user(), after="00u2"))
    cursor = client.list_users(filter='status eq "STAGED"', limit=1).next_cursor

    with pytest.raises(OktaCursorMismatchError, match="different query, search or status"):
        client.list_users(filter='status eq "ACTIVE"', limit=1, cursor=cursor)

    assert route.call_count == 1


@pytest.mark.parametrize("cut", [1, 2, 4])
def test_a_cursor_cut_short_is_refused_without_sending(
    okta: respx.Router, client: OktaClient, cut: int
) -> None:
    route = okta.get("/api/v1/users").mock(return_value=page(okta_user(), after="00u2abcdefgh"))
    cursor = client.list_users(limit=1).next_cursor or ""

    with pytest.raises(OktaCursorMismatchError, match="changed or cut short"):
        client.list_users(limit=1, cursor=cursor[:-cut])

    assert route.call_count == 1


def test_list_users_sends_no_parameter_that_was_not_given(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users").mock(return_value=page())

    client.list_users()

    assert route.calls.last.request.url.query == b""


def test_next_cursor_is_read_from_the_next_link_among_separate_link_headers(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users").mock(return_value=page(okta_user(), after="00u2"))

    result = client.list_users(limit=2)

    assert [user.id for user in result.users] == ["00u1"]
    assert unbind(result.next_cursor or "", query=None, search=None, filter=None, org=ORG) == "00u2"


def test_next_cursor_is_read_from_a_single_comma_joined_link_header(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users").respond(
        200,
        json=[okta_user()],
        headers={
            "link": f'<{ORG}/api/v1/users?limit=2>; rel="self", '
            f'<{ORG}/api/v1/users?after=00u2&limit=2>; rel="next"'
        },
    )

    cursor = client.list_users(limit=2).next_cursor
    assert unbind(cursor or "", query=None, search=None, filter=None, org=ORG) == "00u2"


def test_a_next_link_to_another_host_only_lends_its_cursor(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users").mock(
        side_effect=[
            httpx.Response(
                200,
                json=[okta_user("00u1")],
                headers={"link": '<https://evil.example/api/v1/users?after=c1>; rel="next"'},
            ),
            page(okta_user("00u2")),
        ]
    )

    assert [user.id for user in client.iter_users()] == ["00u1", "00u2"]
    assert route.calls.last.request.url.host == "acme.okta.com"
    assert route.calls.last.request.url.params["after"] == "c1"


def test_last_page_has_no_next_cursor(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users").mock(return_value=page(okta_user()))

    assert client.list_users().next_cursor is None


def test_iter_users_walks_every_page(okta: respx.Router, client: OktaClient) -> None:
    route = okta.get("/api/v1/users").mock(
        side_effect=[
            page(okta_user("00u1"), okta_user("00u2"), after="c1"),
            page(okta_user("00u3"), okta_user("00u4"), after="c2"),
            page(okta_user("00u5")),
        ]
    )

    ids = [user.id for user in client.iter_users(filter='status eq "ACTIVE"', limit=2)]

    assert ids == ["00u1", "00u2", "00u3", "00u4", "00u5"]
    assert route.call_count == 3
    sent = [call.request.url.params for call in route.calls]
    assert [params.get("after") for params in sent] == [None, "c1", "c2"]
    assert all(params["filter"] == 'status eq "ACTIVE"' for params in sent)


async def test_aiter_users_walks_every_page(okta: respx.Router, aclient: OktaClient) -> None:
    route = okta.get("/api/v1/users").mock(
        side_effect=[page(okta_user("00u1"), after="c1"), page(okta_user("00u2"))]
    )

    ids = [user.id async for user in aclient.aiter_users(limit=1)]

    assert ids == ["00u1", "00u2"]
    assert route.call_count == 2
    assert route.calls.last.request.url.params["after"] == "c1"


def test_iter_users_stops_with_an_error_when_next_links_go_round_in_a_circle(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users").mock(
        side_effect=[
            page(okta_user("00u1"), after="A"),
            page(okta_user("00u2"), after="B"),
            page(okta_user("00u3"), after="A"),
        ]
        + [page(okta_user("00u9"), after="B")] * 10
    )
    seen = []

    with pytest.raises(OktaResponseError, match="leads back to a page already read"):
        seen.extend(user.id for user in client.iter_users(limit=1))

    assert seen == ["00u1", "00u2", "00u3"]
    assert route.call_count == 3


async def test_aiter_users_stops_with_an_error_when_next_links_go_round_in_a_circle(
    okta: respx.Router, aclient: OktaClient
) -> None:
    okta.get("/api/v1/users").mock(
        side_effect=[page(okta_user("00u1"), after="A"), page(okta_user("00u2"), after="B")]
        + [page(okta_user("00u3"), after="A")] * 10
    )
    seen: list[str] = []

    async def walk() -> None:
        async for user in aclient.aiter_users(limit=1):
            seen.append(user.id)

    with pytest.raises(OktaResponseError, match="leads back to a page already read"):
        await walk()

    assert seen == ["00u1", "00u2", "00u3"]


# -- getting ----------------------------------------------------------------------------------


def test_get_user_by_id_returns_everything_okta_sent(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user())

    user = client.get_user("00u1")

    assert user.id == "00u1"
    assert user.profile.email == "jane@example.com"
    assert user.raw() == okta_user()


def test_get_user_by_login_sends_it_as_one_percent_encoded_segment(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users/jane@example.com").respond(200, json=okta_user())

    client.get_user("jane@example.com")

    assert route.calls.last.request.url.raw_path == b"/api/v1/users/jane%40example.com"


async def test_aget_user_by_login_sends_it_as_one_percent_encoded_segment(
    okta: respx.Router, aclient: OktaClient
) -> None:
    route = okta.get("/api/v1/users/jane@example.com").respond(200, json=okta_user())

    await aclient.aget_user("jane@example.com")

    assert route.calls.last.request.url.raw_path == b"/api/v1/users/jane%40example.com"


@pytest.mark.parametrize("user_id", UNSAFE_IDS)
def test_get_user_refuses_an_id_that_could_change_the_path_without_a_request(
    okta: respx.Router, client: OktaClient, user_id: str
) -> None:
    with pytest.raises(InvalidUserIdError):
        client.get_user(user_id)

    assert okta.calls.call_count == 0


@pytest.mark.parametrize("user_id", UNSAFE_IDS)
def test_update_user_refuses_an_id_that_could_change_the_path_without_a_request(
    okta: respx.Router, client: OktaClient, user_id: str
) -> None:
    with pytest.raises(InvalidUserIdError):
        client.update_user(user_id, {"firstName": "Janet"})

    assert okta.calls.call_count == 0


async def test_aget_user_refuses_an_unsafe_id_without_a_request(
    okta: respx.Router, aclient: OktaClient
) -> None:
    with pytest.raises(InvalidUserIdError):
        await aclient.aget_user("../groups")

    assert okta.calls.call_count == 0


# -- creating ---------------------------------------------------------------------------------


def test_create_posts_the_profile_with_activate_true_by_default(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user())

    client.create_user(NEW_PROFILE)

    request = route.calls.last.request
    assert request.method == "POST"
    assert dict(request.url.params) == {"activate": "true"}


def test_create_with_activate_false_sends_activate_false(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user())

    client.create_user(NEW_PROFILE, activate=False)

    assert dict(route.calls.last.request.url.params) == {"activate": "false"}


def test_create_sends_only_the_profile_fields_given_with_login_defaulting_to_email(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user())

    client.create_user(NEW_PROFILE)

    assert body_of(route.calls.last.request) == {
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "email": "jane@example.com",
            "login": "jane@example.com",
        }
    }


def test_create_keeps_an_explicit_login_and_mobile_phone(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user())

    client.create_user({**NEW_PROFILE, "login": "jdoe", "mobilePhone": "+1 555 0100"})

    profile = body_of(route.calls.last.request)["profile"]
    assert profile["login"] == "jdoe"
    assert profile["mobilePhone"] == "+1 555 0100"


def test_create_leaves_out_empty_profile_fields(okta: respx.Router, client: OktaClient) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user())

    client.create_user({**NEW_PROFILE, "mobilePhone": ""})

    assert "mobilePhone" not in body_of(route.calls.last.request)["profile"]


def test_create_returns_the_created_user(okta: respx.Router, client: OktaClient) -> None:
    okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    assert client.create_user(NEW_PROFILE).id == "00unew"


async def test_acreate_posts_the_profile(okta: respx.Router, aclient: OktaClient) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    user = await aclient.acreate_user(NEW_PROFILE, activate=False)

    assert user.id == "00unew"
    assert dict(route.calls.last.request.url.params) == {"activate": "false"}
    assert body_of(route.calls.last.request)["profile"]["login"] == "jane@example.com"


def test_create_with_a_taken_login_raises_duplicate_login_after_one_post(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.post("/api/v1/users").mock(
        return_value=okta_error(
            400,
            "E0000001",
            "Api validation failed: login",
            "login: An object with this field already exists in the current organization",
        )
    )

    with pytest.raises(OktaDuplicateLoginError):
        client.create_user(NEW_PROFILE)

    assert route.call_count == 1


def test_dropped_connection_on_create_finds_the_user_by_login_instead_of_posting_again(
    okta: respx.Router, client: OktaClient
) -> None:
    post = okta.post("/api/v1/users").mock(
        side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response.")
    )
    lookup = okta.get("/api/v1/users/jane@example.com").mock(return_value=just_created("00unew"))

    user = client.create_user(NEW_PROFILE)

    assert user.id == "00unew"
    assert post.call_count == 1
    assert lookup.calls.last.request.url.raw_path == b"/api/v1/users/jane%40example.com"


async def test_dropped_connection_on_acreate_finds_the_user_by_login_instead_of_posting_again(
    okta: respx.Router, aclient: OktaClient
) -> None:
    post = okta.post("/api/v1/users").mock(
        side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response.")
    )
    okta.get("/api/v1/users/jane@example.com").mock(return_value=just_created("00unew"))

    user = await aclient.acreate_user(NEW_PROFILE)

    assert user.id == "00unew"
    assert post.call_count == 1


def test_dropped_connection_on_create_posts_again_when_the_login_is_not_found(
    okta: respx.Router, client: OktaClient
) -> None:
    post = okta.post("/api/v1/users").mock(
        side_effect=[
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            httpx.Response(200, json=okta_user("00unew")),
        ]
    )
    okta.get("/api/v1/users/jane@example.com").mock(
        return_value=okta_error(404, "E0000007", "Not found: Resource not found")
    )

    assert client.create_user(NEW_PROFILE).id == "00unew"
    assert post.call_count == 2


def test_create_that_never_connected_is_sent_again_without_a_lookup(
    okta: respx.Router, client: OktaClient
) -> None:
    post = okta.post("/api/v1/users").mock(
        side_effect=[
            httpx.ConnectError("Connection refused"),
            httpx.Response(200, json=okta_user("00unew")),
        ]
    )

    assert client.create_user(NEW_PROFILE).id == "00unew"
    assert post.call_count == 2
    assert okta.calls.call_count == 2


# -- updating ---------------------------------------------------------------------------------


def test_update_is_a_partial_post_of_only_the_changed_attributes_with_if_match(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(), headers={"ETag": 'W/"v1"'})
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user(firstName="Janet"))

    user, changed = client.update_user("00u1", {"firstName": "Janet", "lastName": "Doe"})

    request = post.calls.last.request
    assert request.method == "POST"
    assert body_of(request) == {"profile": {"firstName": "Janet"}}
    assert request.headers["If-Match"] == 'W/"v1"'
    assert changed == ["firstName"]
    assert user.profile.firstName == "Janet"


def test_update_by_login_posts_to_the_user_id(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users/jane@example.com").respond(200, json=okta_user("00u1"))
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user(lastName="Roe"))

    client.update_user("jane@example.com", {"lastName": "Roe"})

    assert post.call_count == 1


def test_update_clearing_an_attribute_sends_null(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(mobilePhone="+1 555 0100"))
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user())

    _, changed = client.update_user("00u1", {"mobilePhone": None})

    assert body_of(post.calls.last.request) == {"profile": {"mobilePhone": None}}
    assert changed == ["mobilePhone"]


def test_update_that_changes_nothing_sends_no_post(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user())
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user())

    user, changed = client.update_user("00u1", {"firstName": "Jane"})

    assert changed == []
    assert user.id == "00u1"
    assert not post.called


def test_update_after_an_etag_mismatch_rereads_the_user_and_tries_again(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users/00u1").mock(
        side_effect=[
            httpx.Response(200, json=okta_user(), headers={"ETag": '"v1"'}),
            httpx.Response(200, json=okta_user(), headers={"ETag": '"v2"'}),
        ]
    )
    post = okta.post("/api/v1/users/00u1").mock(
        side_effect=[
            okta_error(412, "E0000231", "The resource has been modified"),
            httpx.Response(200, json=okta_user(firstName="Janet")),
        ]
    )

    user, _ = client.update_user("00u1", {"firstName": "Janet"})

    assert user.profile.firstName == "Janet"
    assert [call.request.headers["If-Match"] for call in post.calls] == ['"v1"', '"v2"']


async def test_aupdate_is_a_partial_post_of_only_the_changed_attributes(
    okta: respx.Router, aclient: OktaClient
) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(), headers={"ETag": '"v1"'})
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user(email="j@example.org"))

    _, changed = await aclient.aupdate_user("00u1", {"email": "j@example.org", "firstName": "Jane"})

    assert body_of(post.calls.last.request) == {"profile": {"email": "j@example.org"}}
    assert post.calls.last.request.headers["If-Match"] == '"v1"'
    assert changed == ["email"]


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "error_type"),
    [
        (okta_error(400, "E0000001", "Api validation failed"), OktaValidationError),
        (okta_error(401, "E0000011", "Invalid token provided"), OktaAuthenticationError),
        (okta_error(403, "E0000006", "You do not have permission"), OktaPermissionError),
        (okta_error(404, "E0000007", "Not found: Resource not found"), OktaNotFoundError),
        (rate_limited(seconds_to_reset=30), OktaRateLimitError),
        (okta_error(501, "E0000060", "Unsupported operation"), OktaServerError),
    ],
    ids=["400", "401", "403", "404", "429", "501"],
)
def test_okta_error_responses_raise_typed_exceptions(
    okta: respx.Router, client: OktaClient, response: httpx.Response, error_type: type[OktaError]
) -> None:
    okta.get("/api/v1/users/00u1").mock(return_value=response)

    with pytest.raises(error_type) as raised:
        client.get_user("00u1")

    assert raised.value.status == response.status_code
    assert raised.value.error_code == response.json()["errorCode"]


def test_an_okta_error_keeps_its_summary_causes_and_error_id(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.post("/api/v1/users").mock(
        return_value=okta_error(
            400,
            "E0000001",
            "Api validation failed: email",
            "email: Does not match required pattern",
        )
    )

    with pytest.raises(OktaValidationError) as raised:
        client.create_user(NEW_PROFILE)

    assert raised.value.summary == "Api validation failed: email"
    assert raised.value.causes == ("email: Does not match required pattern",)
    assert raised.value.error_id == "oae123"


def test_an_error_without_a_json_body_is_still_typed_by_status(
    okta: respx.Router, client: OktaClient
) -> None:
    okta.get("/api/v1/users/00u1").respond(404, text="<html>Not Found</html>")

    with pytest.raises(OktaNotFoundError) as raised:
        client.get_user("00u1")

    assert raised.value.status == 404


async def test_async_errors_raise_the_same_typed_exceptions(
    okta: respx.Router, aclient: OktaClient
) -> None:
    okta.get("/api/v1/users/00u9").mock(
        return_value=okta_error(404, "E0000007", "Not found: Resource not found")
    )

    with pytest.raises(OktaNotFoundError):
        await aclient.aget_user("00u9")


# -- retries ----------------------------------------------------------------------------------


def test_a_server_error_on_get_is_retried_and_then_succeeds(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").mock(
        side_effect=[
            okta_error(503, "E0000010", "Service is in read only mode"),
            httpx.Response(200, json=okta_user()),
        ]
    )

    assert client.get_user("00u1").id == "00u1"
    assert route.call_count == 2


async def test_a_server_error_on_async_get_is_retried_and_then_succeeds(
    okta: respx.Router, aclient: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").mock(
        side_effect=[
            okta_error(500, "E0000009", "Internal Server Error"),
            httpx.Response(200, json=okta_user()),
        ]
    )

    assert (await aclient.aget_user("00u1")).id == "00u1"
    assert route.call_count == 2


def test_a_lasting_server_error_gives_up_after_max_attempts(okta: respx.Router) -> None:
    route = okta.get("/api/v1/users/00u1").mock(
        return_value=okta_error(500, "E0000009", "Internal Server Error")
    )
    settings = OktaSettings(
        org_url=ORG, api_token=TOKEN, retries=RetrySettings(max_attempts=3, backoff_base=0)
    )

    with OktaClient(settings) as client, pytest.raises(OktaServerError):
        client.get_user("00u1")

    assert route.call_count == 3


def test_a_rate_limited_get_is_retried_once_the_window_has_reset(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").mock(
        side_effect=[rate_limited(seconds_to_reset=0), httpx.Response(200, json=okta_user())]
    )

    assert client.get_user("00u1").id == "00u1"
    assert route.call_count == 2


def test_a_rate_limit_resetting_beyond_the_wait_budget_raises_with_retry_after(
    okta: respx.Router, client: OktaClient
) -> None:
    route = okta.get("/api/v1/users/00u1").mock(return_value=rate_limited(seconds_to_reset=30))

    with pytest.raises(OktaRateLimitError) as raised:
        client.get_user("00u1")

    assert raised.value.retry_after == 30
    assert route.call_count == 1


# -- secrecy ----------------------------------------------------------------------------------


def test_client_repr_and_str_hide_the_token(client: OktaClient) -> None:
    for text in (repr(client), str(client), repr(client.settings), str(client.settings)):
        assert TOKEN not in text
    assert ORG in repr(client)


def test_exceptions_do_not_contain_the_token(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users/00u1").mock(
        return_value=okta_error(401, "E0000011", "Invalid token provided")
    )
    errors: list[Exception] = []
    for user_id in ("00u1", "../groups"):
        with pytest.raises((OktaError, InvalidUserIdError)) as raised:
            client.get_user(user_id)
        errors.append(raised.value)

    for error in errors:
        assert TOKEN not in f"{error!s} {error!r} {error.args!r} {vars(error)!r}"


def test_the_token_is_never_logged(
    okta: respx.Router, client: OktaClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user())
    okta.get("/api/v1/users/00u9").mock(
        return_value=okta_error(401, "E0000011", "Invalid token provided")
    )

    client.get_user("00u1")
    with pytest.raises(OktaAuthenticationError):
        client.get_user("00u9")

    assert caplog.records, "expected httpx to log the requests"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(vars(record))


# -- transport behaviour ----------------------------------------------------------------------


def test_redirects_are_not_followed(okta: respx.Router, client: OktaClient) -> None:
    okta.get("/api/v1/users/00u1").respond(302, headers={"Location": "https://evil.example/x"})

    with pytest.raises(OktaError) as raised:
        client.get_user("00u1")

    assert raised.value.status == 302
    assert okta.calls.call_count == 1


class RecordingTransport(httpx.MockTransport):
    def __init__(self) -> None:
        super().__init__(lambda request: httpx.Response(200, json=okta_user()))
        self.closed = False

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_leaving_the_context_manager_closes_the_http_client(settings: OktaSettings) -> None:
    transport = RecordingTransport()

    with OktaClient(settings, transport=transport) as client:
        client.get_user("00u1")
        assert not transport.closed

    assert transport.closed


async def test_leaving_the_async_context_manager_closes_the_async_http_client(
    settings: OktaSettings,
) -> None:
    transport = RecordingTransport()

    async with OktaClient(settings, transport=transport) as client:
        await client.aget_user("00u1")
        assert not transport.closed

    assert transport.closed


def test_a_callers_own_http_client_is_left_open(settings: OktaSettings) -> None:
    with httpx.Client(transport=RecordingTransport()) as http:
        with OktaClient(settings, http_client=http) as client:
            client.get_user("00u1")

        assert not http.is_closed


class _LoopbackOkta(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a pooled connection outlives a loop

    def do_GET(self) -> None:
        body = json.dumps(okta_user()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_org() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1: respx mocks below the connection pool, where a
    connection bound to a finished event loop would go unnoticed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LoopbackOkta)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_async_client_works_across_two_event_loops(loopback_org: str) -> None:
    client = OktaClient(OktaSettings(org_url=loopback_org, api_token=TOKEN))

    async def get_then_close() -> OktaUser:
        async with client:
            return await client.aget_user("00u1")

    first = asyncio.run(client.aget_user("00u1"))
    second = asyncio.run(get_then_close())

    assert first.id == second.id == "00u1"
