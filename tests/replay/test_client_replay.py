"""Real Okta answers, read by OktaClient and the four tools as Okta sent them.

Every recorded answer to a Users API request this package makes (pages of users, users,
created and updated users, role lists), and every recorded error body, is served byte for
byte through an `httpx.MockTransport`, and what comes out is checked against the recording
itself: ids, statuses, names and the next page's cursor; for an error, its class and what the
model is told to do. The recordings are Okta's own (`recorded.py`), not written by us.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from recorded import (
    CREATE_USER,
    GET_USER,
    LIST_ROLES,
    LIST_USERS,
    REPLACE_USER,
    UPDATE_USER,
    Exchange,
    Response,
    answers,
    cassettes,
    errors,
)

from langchain_okta import (
    OktaAdminCheckError,
    OktaAuthenticationError,
    OktaClient,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaToolkit,
    OktaValidationError,
    RetrySettings,
)
from langchain_okta.cursors import bind, unbind
from langchain_okta.errors import OktaError, OktaInvalidCursorError
from langchain_okta.models import USER_MANAGER_ROLES
from langchain_okta.settings import OktaSettings
from langchain_okta.views import listed_users

TOKEN = "replay-token-0123456789"
READ = (LIST_USERS, GET_USER, CREATE_USER, UPDATE_USER, REPLACE_USER, LIST_ROLES)
ANSWERS = answers()
ERRORS = errors()
# What each recorded error becomes, and the words of what the model is told to do next.
EXPECTED: dict[tuple[int, str | None], tuple[type[OktaError], str]] = {
    (400, "E0000001"): (OktaValidationError, "Fix the fields named in the causes"),
    (400, "E0000003"): (OktaValidationError, "correct it or tell the user"),
    (400, "E0000226"): (OktaValidationError, "correct it or tell the user"),
    (400, "E0000029"): (OktaInvalidCursorError, "drop it and call okta_list_users again"),
    (400, "E0000031"): (OktaInvalidCursorError, "drop it and call okta_list_users again"),
    (401, "E0000004"): (OktaAuthenticationError, "invalid or expired"),
    (401, "E0000015"): (OktaPermissionError, "The API token is valid"),
    (403, "E0000032"): (OktaPermissionError, "for the reason above"),
    (403, "E0000038"): (OktaPermissionError, "current status"),
    (404, "E0000007"): (OktaNotFoundError, "No such user"),
    (404, None): (OktaNotFoundError, "check the org URL"),
    (405, "E0000022"): (OktaNotFoundError, "Do not retry"),
    (429, "E0000047"): (OktaRateLimitError, "try again in"),
}


def _named(found: list[Exchange]) -> dict[str, Any]:
    return {"argvalues": found, "ids": [exchange.name for exchange in found]}


def _of(operation: str) -> list[Exchange]:
    return [exchange for exchange in ANSWERS if exchange.operation == operation]


def _http_response(recorded: Response) -> httpx.Response:
    headers = [(name, value) for name, values in recorded.headers.items() for value in values]
    return httpx.Response(recorded.status, headers=headers, content=(recorded.body or "").encode())


class Okta:
    """Answers the client with recorded responses, and keeps what it was sent."""

    def __init__(self, answer: Callable[[httpx.Request], Response]) -> None:
        self._answer = answer
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return _http_response(self._answer(request))


def _client(exchange: Exchange, okta: Okta) -> OktaClient:
    # One attempt: a recorded answer is what Okta said, and asking again would get it again.
    settings = OktaSettings(
        org_url=exchange.request.base_url,
        api_token=TOKEN,
        retries=RetrySettings(max_attempts=1),
    )
    return OktaClient(settings, transport=httpx.MockTransport(okta))


def _tools(client: OktaClient) -> dict[str, BaseTool]:
    toolkit = OktaToolkit(client=client, check_admin=False)
    return {tool.name: tool for tool in toolkit.get_tools()}


def _call(tool: BaseTool, **args: Any) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


def _names(user: dict[str, Any]) -> tuple[Any, ...]:
    profile = user["profile"]
    return (user["id"], user["status"], profile.get("firstName"), profile.get("lastName"))


def _next_cursor(recorded: Response) -> str | None:
    return next((link.after for link in recorded.links if link.rel == "next"), None)


# The client's listing arguments, by the Okta parameter each is sent as.
LISTING = {"query": "q", "search": "search", "filter": "filter"}


def _okta_after(cursor: str | None, listing: dict[str, str | None], org: str) -> str | None:
    """Okta's `after` inside a cursor this package handed out for that listing of `org`."""
    return unbind(cursor, **listing, org=org) if cursor is not None else None


def test_the_replay_covers_every_operation_and_some_errors_of_each_kind():
    assert {exchange.operation for exchange in ANSWERS} == set(READ)
    assert {(e.response.status, e.response.error_code) for e in ERRORS} == set(EXPECTED)


# Pages of users


@pytest.mark.parametrize("exchange", **_named(_of(LIST_USERS)))
def test_a_recorded_page_is_read_with_every_user_and_the_next_cursor(exchange: Exchange):
    okta = Okta(lambda request: exchange.response)
    params = dict(exchange.request.params)

    listing = {name: params.get(okta) for name, okta in LISTING.items()}
    # The cursor this package would have handed out for the recorded `after`.
    after = params.get("after")
    with _client(exchange, okta) as client:
        org = client.settings.org_url
        page = client.list_users(
            **listing,
            limit=int(params["limit"]) if "limit" in params else None,
            cursor=bind(after, **listing, org=org) if after else None,
        )

    assert [_names(user.raw()) for user in page.users] == [
        _names(user) for user in exchange.response.json()
    ]
    assert _okta_after(page.next_cursor, listing, org) == _next_cursor(exchange.response)
    assert [user.raw() for user in page.users] == exchange.response.json()
    # The request this package makes for those arguments is the one Okta answered.
    assert sorted(okta.sent[0].url.params.multi_items()) == sorted(exchange.request.params)


@pytest.mark.parametrize("exchange", **_named(_of(LIST_USERS)))
def test_a_recorded_page_reaches_the_model_as_a_table_with_the_next_cursor(exchange: Exchange):
    params = dict(exchange.request.params)
    status = re.fullmatch(r'status eq "(\w+)"', params.get("filter", ""))
    args = {"limit": int(params.get("limit", 20))}
    if status:
        args["status"] = status[1]
    listing = {"query": None, "search": None, "filter": params.get("filter")}
    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        org = client.settings.org_url
        if "after" in params:
            args["cursor"] = bind(params["after"], **listing, org=org)
        message = _call(_tools(client)["okta_list_users"], **args)

    assert message.status == "success"
    rows = listed_users(str(message.content))
    recorded = exchange.response.json()
    assert [(r["id"], r["status"], r["firstName"], r["lastName"]) for r in rows] == [
        _names(user) for user in recorded
    ]
    next_cursor = json.loads(str(message.content))["next_cursor"]
    assert _okta_after(next_cursor, listing, org) == _next_cursor(exchange.response)


# Users


@pytest.mark.parametrize("exchange", **_named(_of(GET_USER) + _of(REPLACE_USER)))
def test_a_recorded_user_is_read_whole(exchange: Exchange):
    # A replace answers with the user as a fetch does; this package never sends a PUT.
    user_id = unquote(exchange.request.user_key or "")

    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        user = client.get_user(user_id)
        message = _call(_tools(client)["okta_get_user"], user_id=user_id)

    recorded = exchange.response.json()
    assert user.raw() == recorded
    shown = json.loads(str(message.content))["user"]
    assert (shown["id"], shown["status"], shown.get("firstName"), shown.get("lastName")) == (
        _names(recorded)
    )


@pytest.mark.parametrize("exchange", **_named(_of(CREATE_USER)))
def test_a_recorded_create_answer_is_read_as_the_user_created(exchange: Exchange):
    recorded = exchange.response.json()
    sent = exchange.request.json()
    profile = (sent or recorded)["profile"]
    activate = dict(exchange.request.params).get("activate", "true") == "true"
    args = {
        "first_name": profile["firstName"],
        "last_name": profile["lastName"],
        "email": profile["email"],
        "login": profile["login"],
        "activate": activate,
    }
    if profile.get("mobilePhone"):
        args["mobile_phone"] = profile["mobilePhone"]

    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        message = _call(_tools(client)["okta_create_user"], **args)

    assert message.status == "success"
    shown = json.loads(str(message.content))["user"]
    assert (shown["id"], shown["status"], shown["firstName"], shown["lastName"]) == (
        _names(recorded)
    )
    assert message.artifact == recorded


@pytest.mark.parametrize("exchange", **_named(_of(UPDATE_USER)))
def test_a_recorded_update_answer_is_read_as_the_updated_user(exchange: Exchange):
    updated = exchange.response.json()
    # Before the update the first name differed, so the tool has a change to send.
    before = {**updated, "profile": {**updated["profile"], "firstName": "Before"}}
    before_response = Response(200, exchange.response.headers, json.dumps(before))
    okta = Okta(lambda request: before_response if request.method == "GET" else exchange.response)
    user_id = unquote(exchange.request.user_key or "")

    with _client(exchange, okta) as client:
        message = _call(
            _tools(client)["okta_update_user"],
            user_id=user_id,
            first_name=updated["profile"]["firstName"],
        )

    assert message.status == "success"
    assert [request.method for request in okta.sent] == ["GET", "POST"]
    content = json.loads(str(message.content))
    assert content["changed"] == ["firstName"]
    assert content["user"]["id"] == updated["id"]
    assert content["user"]["status"] == updated["status"]


# Role lists: the admin check


def _user_with_id(exchange: Exchange, user_id: str) -> Response:
    cassette = next(c for c in cassettes() if c.name == exchange.cassette)
    return next(
        e.response
        for e in cassette.exchanges
        if e.operation == CREATE_USER and (e.response.json() or {}).get("id") == user_id
    )


@pytest.mark.parametrize("exchange", **_named(_of(LIST_ROLES)))
def test_a_recorded_role_list_decides_the_admin_check(exchange: Exchange):
    user_id = unquote(exchange.request.user_key or "")
    me = _user_with_id(exchange, user_id)
    okta = Okta(lambda request: me if request.url.path.endswith("/me") else exchange.response)
    types = {role["type"] for role in exchange.response.json()}

    with _client(exchange, okta) as client:
        admin = client.check_admin()

    assert admin.user_id == user_id
    assert admin.roles == tuple(sorted(types))
    assert admin.can_write == bool(types & USER_MANAGER_ROLES)


@pytest.mark.parametrize("exchange", **_named(_of(LIST_ROLES)))
def test_a_recorded_role_list_gives_the_toolkit_its_tools_or_refuses_a_non_admin(
    exchange: Exchange,
):
    me = _user_with_id(exchange, unquote(exchange.request.user_key or ""))
    okta = Okta(lambda request: me if request.url.path.endswith("/me") else exchange.response)

    with _client(exchange, okta) as client:
        if exchange.response.json():
            toolkit = OktaToolkit(client=client)
            assert len(toolkit.get_tools()) == 4
        else:
            with pytest.raises(OktaAdminCheckError, match="holds no Okta admin role"):
                OktaToolkit(client=client)


# Errors


def _expected(exchange: Exchange) -> tuple[type[OktaError], str]:
    return EXPECTED[(exchange.response.status, exchange.response.error_code)]


@pytest.mark.parametrize("exchange", **_named(ERRORS))
def test_a_recorded_error_becomes_its_typed_error(exchange: Exchange):
    error_class, _ = _expected(exchange)

    with (
        _client(exchange, Okta(lambda request: exchange.response)) as client,
        pytest.raises(OktaError) as raised,
    ):
        client.get_user("00uReplayedUser00001")

    assert type(raised.value) is error_class
    assert raised.value.status == exchange.response.status
    assert raised.value.error_code == exchange.response.error_code


@pytest.mark.parametrize("exchange", **_named(ERRORS))
def test_a_recorded_error_tells_the_model_what_to_do(exchange: Exchange):
    _, advice = _expected(exchange)

    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        message = _call(_tools(client)["okta_get_user"], user_id="00uReplayedUser00001")

    assert message.status == "error"
    assert advice in str(message.content)
    body = exchange.response.json()
    if exchange.response.error_code:
        assert body["errorSummary"] in str(message.content)
    assert ".." not in str(message.content)
    assert "empty body" not in str(message.content)


@pytest.mark.parametrize(
    "tool", ["okta_list_users", "okta_get_user", "okta_create_user", "okta_update_user"]
)
@pytest.mark.parametrize(
    "exchange",
    # One of each kind of recorded error, through each tool.
    **_named(list({(e.response.status, e.response.error_code): e for e in ERRORS}.values())),
)
def test_each_kind_of_recorded_error_reaches_the_model_the_same_way_from_every_tool(
    exchange: Exchange, tool: str
):
    _, advice = _expected(exchange)
    args = {
        "okta_list_users": {},
        "okta_get_user": {"user_id": "00uReplayedUser00001"},
        "okta_create_user": {"first_name": "A", "last_name": "B", "email": "a.b@example.com"},
        "okta_update_user": {"user_id": "00uReplayedUser00001", "first_name": "C"},
    }[tool]

    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        message = _call(_tools(client)[tool], **args)

    assert message.status == "error"
    assert advice in str(message.content)


@pytest.mark.parametrize(
    "exchange", **_named([e for e in ERRORS if e.response.error_code == "E0000047"])
)
def test_a_recorded_rate_limit_says_how_long_to_wait_by_oktas_own_clock(exchange: Exchange):
    reset = int(exchange.response.header("x-rate-limit-reset") or 0)
    wait = max(1, round(min(reset - (exchange.response.date or 0), 120)))

    with _client(exchange, Okta(lambda request: exchange.response)) as client:
        message = _call(_tools(client)["okta_get_user"], user_id="00uReplayedUser00001")

    assert f"try again in {wait} seconds" in str(message.content)
