"""The four tools as an agent calls them: what reaches Okta, and what comes back to the model.

Every test runs twice, through `invoke` and through `ainvoke`, as the async path is separate.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from okta_responses import okta_error

from langchain_okta import OktaToolkit, RetrySettings
from langchain_okta.cursors import bind

ORG = "https://acme.okta.com"
TOKEN = "TOKEN-SECRET-123"
DATE = "Tue, 01 Jul 2025 12:00:00 GMT"
DATE_EPOCH = 1751371200

Call = Callable[..., ToolMessage]


def okta_user(user_id: str = "00u1", **profile: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "status": "ACTIVE",
        "created": "2024-01-02T03:04:05.000Z",
        "activated": "2024-01-02T03:05:00.000Z",
        "statusChanged": "2024-01-02T03:05:00.000Z",
        "lastLogin": None,
        "lastUpdated": "2024-06-01T00:00:00.000Z",
        "passwordChanged": None,
        "type": {"id": "oty1"},
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "email": "jane@example.com",
            "login": "jane@example.com",
            "mobilePhone": None,
            "department": "Sales",
            **profile,
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"{ORG}/api/v1/users/{user_id}"}},
    }


def view_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The fields the model is shown, empty ones left out."""
    profile = raw["profile"]
    fields = {
        "id": raw["id"],
        "status": raw["status"],
        **{name: profile[name] for name in ("login", "email", "firstName", "lastName")},
        "mobilePhone": profile.get("mobilePhone"),
        **{name: raw[name] for name in ("created", "activated", "lastLogin", "lastUpdated")},
    }
    return {name: value for name, value in fields.items() if value is not None}


def params_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def assert_compact_json(content: str) -> Any:
    value = json.loads(content)
    assert content == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


@pytest.fixture
def okta() -> Iterator[respx.Router]:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        yield router


@pytest.fixture
def tools(okta: respx.Router) -> dict[str, BaseTool]:
    toolkit = OktaToolkit(
        ORG,
        TOKEN,
        check_admin=False,
        retries=RetrySettings(backoff_base=0),
        # The router as transport, sync and async: no SSL context is built per client.
        transport=httpx.MockTransport(okta.handler),
    )
    return {tool.name: tool for tool in toolkit.get_tools()}


@pytest.fixture(params=["invoke", "ainvoke"])
def call(request: pytest.FixtureRequest, tools: dict[str, BaseTool]) -> Call:
    """Call a tool by name as an agent does, with a ToolCall, and return its ToolMessage."""

    def call_tool(name: str, **args: Any) -> ToolMessage:
        tool = tools[name]
        tool_call = {"type": "tool_call", "id": "1", "name": name, "args": args}
        if request.param == "ainvoke":
            message = asyncio.run(tool.ainvoke(tool_call))
        else:
            message = tool.invoke(tool_call)
        assert isinstance(message, ToolMessage)
        return message

    return call_tool


# -- what the model sees, and the artifact ----------------------------------------------------


LIST_COLUMNS = [
    "id",
    "status",
    "login",
    "email",
    "firstName",
    "lastName",
    "mobilePhone",
    "created",
    "lastLogin",
]


def test_list_users_content_is_a_compact_table_of_the_view_fields_and_next_cursor(
    okta: respx.Router, call: Call
) -> None:
    raw = okta_user()
    okta.get("/api/v1/users").respond(
        200,
        json=[raw],
        headers=[
            ("link", f'<{ORG}/api/v1/users?limit=20>; rel="self"'),
            ("link", f'<{ORG}/api/v1/users?after=00u1&limit=20>; rel="next"'),
        ],
    )

    message = call("okta_list_users")

    assert message.status == "success"
    profile = raw["profile"]
    row = [raw["id"], raw["status"], *(profile.get(name) for name in LIST_COLUMNS[2:7])]
    assert assert_compact_json(message.text) == {
        "columns": LIST_COLUMNS,
        "users": [[*row, raw["created"], raw["lastLogin"]]],
        "next_cursor": bind("00u1", query=None, search=None, filter=None, org=ORG),
    }


def test_list_users_last_page_has_a_null_next_cursor(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users").respond(200, json=[okta_user()])

    assert json.loads(call("okta_list_users").text)["next_cursor"] is None


def test_list_users_artifact_holds_the_raw_users_with_links(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users").respond(200, json=[okta_user("00u1"), okta_user("00u2")])

    artifact = call("okta_list_users").artifact

    assert artifact == {"users": [okta_user("00u1"), okta_user("00u2")], "next_cursor": None}


def test_get_user_content_is_the_view_and_the_artifact_the_raw_user(
    okta: respx.Router, call: Call
) -> None:
    raw = okta_user(mobilePhone="+1 555 0100")
    okta.get("/api/v1/users/00u1").respond(200, json=raw)

    message = call("okta_get_user", user_id="00u1")

    assert assert_compact_json(message.text) == {"user": view_of(raw)}
    assert message.artifact == raw


def test_get_user_by_login(okta: respx.Router, call: Call) -> None:
    route = okta.get("/api/v1/users/jane@example.com").respond(200, json=okta_user())

    call("okta_get_user", user_id="jane@example.com")

    assert route.calls.last.request.url.raw_path == b"/api/v1/users/jane%40example.com"


@pytest.mark.parametrize("method", ["invoke", "ainvoke"])
def test_get_user_takes_a_plain_string_as_the_user_id(
    okta: respx.Router, tools: dict[str, BaseTool], method: str
) -> None:
    route = okta.get("/api/v1/users/jane@example.com").respond(200, json=okta_user())
    tool = tools["okta_get_user"]

    content = (
        asyncio.run(tool.ainvoke("jane@example.com"))
        if method == "ainvoke"
        else tool.invoke("jane@example.com")
    )

    assert json.loads(content)["user"]["id"] == "00u1"
    assert route.call_count == 1


def test_get_user_by_a_login_with_a_hash_and_a_question_mark(
    okta: respx.Router, call: Call
) -> None:
    route = okta.get(url__regex=r"/api/v1/users/[^/]+$").respond(200, json=okta_user())

    message = call("okta_get_user", user_id="ops#1?@example.com")

    assert message.status == "success"
    assert route.calls.last.request.url.raw_path == b"/api/v1/users/ops%231%3F%40example.com"


# -- list arguments as Okta parameters --------------------------------------------------------


@pytest.fixture
def users(okta: respx.Router) -> respx.Route:
    return okta.get("/api/v1/users").respond(200, json=[])


def test_list_users_alone_sends_only_the_default_limit(users: respx.Route, call: Call) -> None:
    call("okta_list_users")

    assert params_of(users) == {"limit": "20"}


def test_query_alone_becomes_a_starts_with_search_that_pages(
    users: respx.Route, call: Call
) -> None:
    call("okta_list_users", query="jan")

    assert params_of(users) == {
        "search": '(profile.firstName sw "jan" or profile.lastName sw "jan" '
        'or profile.email sw "jan")',
        "limit": "20",
    }


def test_status_alone_becomes_a_status_filter(users: respx.Route, call: Call) -> None:
    call("okta_list_users", status="STAGED")

    assert params_of(users) == {"filter": 'status eq "STAGED"', "limit": "20"}


def test_search_alone_is_sent_in_parentheses(users: respx.Route, call: Call) -> None:
    call("okta_list_users", search='profile.department eq "Sales"')

    assert params_of(users) == {"search": '(profile.department eq "Sales")', "limit": "20"}


def test_search_and_status_are_joined_into_one_search(users: respx.Route, call: Call) -> None:
    call("okta_list_users", search='profile.department eq "Sales"', status="STAGED")

    assert params_of(users) == {
        "search": '(profile.department eq "Sales") and status eq "STAGED"',
        "limit": "20",
    }


def test_query_and_status_become_a_starts_with_search_on_names_and_email(
    users: respx.Route, call: Call
) -> None:
    call("okta_list_users", query="jan", status="STAGED")

    assert params_of(users) == {
        "search": '(profile.firstName sw "jan" or profile.lastName sw "jan" '
        'or profile.email sw "jan") and status eq "STAGED"',
        "limit": "20",
    }


def test_query_and_search_are_joined_into_one_search(users: respx.Route, call: Call) -> None:
    call("okta_list_users", query="jan", search='profile.title sw "VP"')

    assert params_of(users)["search"] == (
        '(profile.firstName sw "jan" or profile.lastName sw "jan" or profile.email sw "jan") '
        'and (profile.title sw "VP")'
    )


def test_quotes_and_backslashes_in_query_are_escaped_in_a_search(
    users: respx.Route, call: Call
) -> None:
    call("okta_list_users", query='O"Br\\ien', status="ACTIVE")

    assert 'profile.firstName sw "O\\"Br\\\\ien"' in params_of(users)["search"]


def test_cursor_is_sent_as_after(users: respx.Route, call: Call) -> None:
    call(
        "okta_list_users",
        cursor=bind("00u9", query=None, search=None, filter=None, org=ORG),
        limit=5,
    )

    assert params_of(users) == {"after": "00u9", "limit": "5"}


def test_a_cursor_from_a_listing_with_another_status_is_refused_without_sending(
    okta: respx.Router, call: Call
) -> None:
    okta.get("/api/v1/users").respond(
        200,
        json=[okta_user()],
        headers={"link": f'<{ORG}/api/v1/users?after=00u1&limit=1>; rel="next"'},
    )
    staged = json.loads(call("okta_list_users", status="STAGED", limit=1).text)

    message = call("okta_list_users", status="ACTIVE", cursor=staged["next_cursor"])

    assert message.status == "error"
    assert "different query, search or status" in message.text
    assert "without a cursor" in message.text
    assert okta.calls.call_count == 1


def test_a_cursor_the_tool_did_not_hand_out_is_refused_without_sending(
    users: respx.Route, call: Call
) -> None:
    message = call("okta_list_users", cursor="00u9")

    assert message.status == "error"
    assert "not a next_cursor" in message.text
    assert users.call_count == 0


def test_a_cursor_goes_on_with_the_same_listing_whatever_the_page_size(
    okta: respx.Router, call: Call
) -> None:
    route = okta.get("/api/v1/users").respond(
        200,
        json=[okta_user()],
        headers={"link": f'<{ORG}/api/v1/users?after=00u1&limit=1>; rel="next"'},
    )
    first = json.loads(call("okta_list_users", query="jan", status="ACTIVE", limit=1).text)

    message = call(
        "okta_list_users", query="jan", status="ACTIVE", limit=50, cursor=first["next_cursor"]
    )

    assert message.status == "success"
    assert route.calls.last.request.url.params["after"] == "00u1"


# -- create and update ------------------------------------------------------------------------


def test_create_user_activates_by_default_and_logs_in_with_the_email(
    okta: respx.Router, call: Call
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    message = call("okta_create_user", first_name="Jane", last_name="Doe", email="jane@example.com")

    assert params_of(route) == {"activate": "true"}
    assert body_of(route) == {
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "email": "jane@example.com",
            "login": "jane@example.com",
        }
    }
    assert assert_compact_json(message.text) == {"user": view_of(okta_user("00unew"))}
    assert message.artifact == okta_user("00unew")


def test_create_user_with_activate_false_sends_activate_false(
    okta: respx.Router, call: Call
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    call(
        "okta_create_user",
        first_name="Jane",
        last_name="Doe",
        email="jane@example.com",
        activate=False,
    )

    assert params_of(route) == {"activate": "false"}


@pytest.mark.parametrize("login", ["", "   "])
def test_create_user_with_an_empty_login_uses_the_email_as_the_description_says(
    okta: respx.Router, call: Call, login: str
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    message = call(
        "okta_create_user",
        first_name="Jane",
        last_name="Doe",
        email="jane@example.com",
        login=login,
    )

    assert message.status == "success"
    sent = json.loads(route.calls.last.request.content)["profile"]
    assert sent["login"] == "jane@example.com"


def test_create_user_sends_login_and_mobile_phone_when_given(
    okta: respx.Router, call: Call
) -> None:
    route = okta.post("/api/v1/users").respond(200, json=okta_user("00unew"))

    call(
        "okta_create_user",
        first_name="Jane",
        last_name="Doe",
        email="jane@example.com",
        login="jane.doe",
        mobile_phone="+1 555 0100",
    )

    assert body_of(route)["profile"]["login"] == "jane.doe"
    assert body_of(route)["profile"]["mobilePhone"] == "+1 555 0100"


def test_update_user_posts_only_the_given_fields_that_differ(
    okta: respx.Router, call: Call
) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(), headers={"ETag": '"v1"'})
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user(firstName="Janet"))

    call("okta_update_user", user_id="00u1", first_name="Janet", last_name="Doe")

    assert body_of(post) == {"profile": {"firstName": "Janet"}}
    assert post.calls.last.request.headers["If-Match"] == '"v1"'


def test_update_user_with_empty_mobile_phone_sends_null(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(mobilePhone="+1 555 0100"))
    post = okta.post("/api/v1/users/00u1").respond(200, json=okta_user())

    call("okta_update_user", user_id="00u1", mobile_phone="")

    assert body_of(post) == {"profile": {"mobilePhone": None}}


def test_update_user_reports_the_changed_attributes(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user(mobilePhone="+1 555 0100"))
    updated = okta_user(lastName="Roe")
    okta.post("/api/v1/users/00u1").respond(200, json=updated)

    message = call(
        "okta_update_user", user_id="00u1", last_name="Roe", mobile_phone="", first_name="Jane"
    )

    content = assert_compact_json(message.text)
    assert content == {"user": view_of(updated), "changed": ["lastName", "mobilePhone"]}
    assert message.artifact == {"user": updated, "changed": ["lastName", "mobilePhone"]}


# -- errors the agent can act on --------------------------------------------------------------


def test_not_found_points_to_okta_list_users(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users/00u9").mock(
        return_value=okta_error(404, "E0000007", "Not found: Resource not found: 00u9 (User)")
    )

    message = call("okta_get_user", user_id="00u9")

    assert message.status == "error"
    assert "E0000007" in message.text
    assert "okta_list_users" in message.text


def test_duplicate_login_points_to_okta_get_user(okta: respx.Router, call: Call) -> None:
    okta.post("/api/v1/users").mock(
        return_value=okta_error(
            400,
            "E0000001",
            "Api validation failed: login",
            "login: An object with this field already exists in the current organization",
        )
    )

    message = call("okta_create_user", first_name="Jane", last_name="Doe", email="jane@example.com")

    assert message.status == "error"
    assert "already exists" in message.text
    assert "okta_get_user" in message.text


def test_validation_error_lists_okta_causes(okta: respx.Router, call: Call) -> None:
    okta.post("/api/v1/users").mock(
        return_value=okta_error(
            400,
            "E0000001",
            "Api validation failed: profile",
            "mobilePhone: Does not match required pattern",
            "lastName: The field cannot be left blank",
        )
    )

    message = call("okta_create_user", first_name="Jane", last_name="Doe", email="jane@example.com")

    assert message.status == "error"
    assert "mobilePhone: Does not match required pattern" in message.text
    assert "lastName: The field cannot be left blank" in message.text


def test_permission_denied_names_the_admin_roles_needed(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user())
    okta.post("/api/v1/users/00u1").mock(
        return_value=okta_error(403, "E0000006", "You do not have permission to perform this")
    )

    message = call("okta_update_user", user_id="00u1", first_name="Janet")

    assert message.status == "error"
    assert "admin" in message.text
    assert "Super Administrator" in message.text


def test_invalid_token_says_so_and_not_to_retry(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users").mock(
        return_value=okta_error(401, "E0000011", "Invalid token provided")
    )

    message = call("okta_list_users")

    assert message.status == "error"
    assert "invalid or expired" in message.text
    assert "Do not retry" in message.text


def test_rate_limit_says_when_to_try_again(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users").mock(
        return_value=okta_error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            **{
                "Date": DATE,
                "X-Rate-Limit-Limit": "600",
                "X-Rate-Limit-Remaining": "0",
                "X-Rate-Limit-Reset": str(DATE_EPOCH + 45),
            },
        )
    )

    message = call("okta_list_users")

    assert message.status == "error"
    assert "try again in 45 seconds" in message.text


@pytest.mark.parametrize(
    "failure",
    [
        okta_error(500, "E0000009", "Internal Server Error"),
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.ConnectError("Connection refused"),
    ],
    ids=["5xx", "not-json", "no-connection"],
)
def test_okta_failures_come_back_as_error_messages(
    okta: respx.Router, call: Call, failure: httpx.Response | Exception
) -> None:
    okta.get("/api/v1/users/00u1").mock(side_effect=lambda request: _raise_or_return(failure))

    message = call("okta_get_user", user_id="00u1")

    assert message.status == "error"
    assert "try again in a minute" in message.text


def _raise_or_return(failure: httpx.Response | Exception) -> httpx.Response:
    if isinstance(failure, Exception):
        raise failure
    return failure


# -- argument errors: explained, and nothing sent ---------------------------------------------


def test_unknown_argument_names_the_allowed_ones(okta: respx.Router, call: Call) -> None:
    message = call("okta_update_user", user_id="00u1", department="Sales")

    assert message.status == "error"
    assert "department is not an argument of this tool" in message.text
    assert "user_id, first_name, last_name, email, login, mobile_phone" in message.text
    assert okta.calls.call_count == 0


def test_bad_email_is_refused_before_any_request(okta: respx.Router, call: Call) -> None:
    message = call("okta_create_user", first_name="Jane", last_name="Doe", email="jane-at-example")

    assert message.status == "error"
    assert "email" in message.text
    assert "email address" in message.text
    assert okta.calls.call_count == 0


@pytest.mark.parametrize("user_id", ["../groups", "00u1/roles", "a%2Fb", "a\\b"])
def test_user_id_that_could_change_the_path_is_refused_before_any_request(
    okta: respx.Router, call: Call, user_id: str
) -> None:
    message = call("okta_get_user", user_id=user_id)

    assert message.status == "error"
    assert "user_id" in message.text
    assert okta.calls.call_count == 0


@pytest.mark.parametrize(
    "identity",
    [{"email": "jane/doe@example.com"}, {"email": "jane@example.com", "login": "jane/doe"}],
    ids=["email-as-login", "login"],
)
def test_a_login_with_a_slash_is_refused_with_advice_about_the_login_not_a_user_id(
    okta: respx.Router, call: Call, identity: dict[str, str]
) -> None:
    message = call("okta_create_user", first_name="Jane", last_name="Doe", **identity)

    assert message.status == "error"
    assert okta.calls.call_count == 0
    assert "login" in message.text
    assert "user_id" not in message.text


def test_update_without_any_change_is_refused_before_any_request(
    okta: respx.Router, call: Call
) -> None:
    message = call("okta_update_user", user_id="00u1")

    assert message.status == "error"
    assert "at least one of" in message.text
    assert okta.calls.call_count == 0


def test_status_outside_oktas_list_is_refused_before_any_request(
    okta: respx.Router, call: Call
) -> None:
    message = call("okta_list_users", status="DELETED")

    assert message.status == "error"
    assert "status" in message.text
    assert okta.calls.call_count == 0


# -- secrecy ----------------------------------------------------------------------------------


def test_the_token_never_appears_in_any_output_or_artifact(okta: respx.Router, call: Call) -> None:
    okta.get("/api/v1/users").respond(200, json=[okta_user()])
    okta.get("/api/v1/users/00u1").respond(200, json=okta_user())
    okta.post("/api/v1/users/00u1").respond(200, json=okta_user(firstName="Janet"))
    okta.post("/api/v1/users").mock(
        return_value=okta_error(401, "E0000011", "Invalid token provided")
    )

    messages = [
        call("okta_list_users"),
        call("okta_get_user", user_id="00u1"),
        call("okta_update_user", user_id="00u1", first_name="Janet"),
        call("okta_create_user", first_name="Jane", last_name="Doe", email="jane@example.com"),
        call("okta_get_user", user_id="../groups"),
    ]

    assert [message.status for message in messages].count("error") == 2
    for message in messages:
        assert TOKEN not in message.text
        assert TOKEN not in repr(message.artifact)


# -- arguments sent as one JSON string ---------------------------------------------------------


def test_arguments_sent_as_one_json_object_string_are_parsed_not_searched_for(
    users: respx.Route, call: Call
) -> None:
    message = call("okta_list_users", query='{"status": "STAGED", "limit": 5}')

    assert message.status == "success"
    assert params_of(users) == {"filter": 'status eq "STAGED"', "limit": "5"}


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_plain_string_input_holding_a_json_object_is_parsed_into_the_arguments(
    users: respx.Route, tools: dict[str, BaseTool], mode: str
) -> None:
    tool = tools["okta_list_users"]
    text = ' {"search": "profile.department eq \\"Sales\\""}'

    asyncio.run(tool.ainvoke(text)) if mode == "ainvoke" else tool.invoke(text)

    assert params_of(users) == {"search": '(profile.department eq "Sales")', "limit": "20"}


def test_a_string_that_starts_like_a_json_object_but_is_not_one_is_refused_unsent(
    users: respx.Route, call: Call
) -> None:
    message = call("okta_list_users", query='{"status": "STAGED", "limit": 5')

    assert message.status == "error"
    assert "Pass each argument as a field of its own" in message.text
    assert "query, search, status, limit, cursor, summary" in message.text
    assert users.call_count == 0


def test_json_arguments_are_checked_like_any_others(users: respx.Route, call: Call) -> None:
    message = call("okta_list_users", query='{"status": "GONE", "department": "Sales"}')

    assert message.status == "error"
    assert "department is not an argument of this tool" in message.text
    assert users.call_count == 0
