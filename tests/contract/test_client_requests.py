"""Every request an agent makes the toolkit send is one Okta's spec declares, correctly formed.

The tools run for real (`OktaToolkit(...).get_tools()`, and the admin check) against respx,
which answers as Okta would and records each request. Each recorded request is then checked
against the operation its method and path address in Okta's Management API spec: declared
parameters only, values matching their schemas, required ones present, a body that validates.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
import respx
from langchain_core.messages import ToolMessage
from spec import OktaSpec, Operation, error_messages

from langchain_okta import OktaToolkit
from langchain_okta.approvals import apreview_call, preview_call
from langchain_okta.cursors import bind

ORG_URL = "https://acme.okta.com"
TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ-0123456789"
JANE_ID = "00u1ab2CDefGHij3k4l5"
ADMIN_ID = "00u0adm1NIStrat0r123"
JANE_LOGIN = "jane.doe@example.com"
ETAG = 'W/"3f1c2a9b8e7d6c5a"'
# Okta's documented maximum page size for listUsers (the spec gives only the default, 200).
DOCUMENTED_MAX_LIMIT = 200
# Headers HTTP and httpx set on every request, and those OpenAPI says are not parameters
# (Accept, Content-Type, Authorization); any other header must be a declared parameter.
STANDARD_HEADERS = frozenset(
    {
        "host",
        "accept",
        "accept-encoding",
        "connection",
        "user-agent",
        "authorization",
        "content-type",
        "content-length",
    }
)


@dataclass(frozen=True)
class Action:
    """What an agent (or the toolkit's admin check) does, and the operations it should cause."""

    tool: str | None  # None: OktaClient.check_admin()
    args: dict[str, Any]
    operations: tuple[str, ...]
    run_async: bool = False
    expected_query: dict[str, str] = field(default_factory=dict)
    preview: bool = False  # the tool call's preview, for its approval, not the call itself


NEW_PERSON = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada.lovelace@example.com"}

ACTIONS = [
    pytest.param(Action("okta_list_users", {}, ("listUsers",)), id="list-everyone"),
    pytest.param(
        Action(
            "okta_list_users",
            {"query": "jan"},
            ("listUsers",),
            expected_query={
                "search": '(profile.firstName sw "jan" or profile.lastName sw "jan" '
                'or profile.email sw "jan")'
            },
        ),
        id="list-by-query",
    ),
    pytest.param(
        Action(
            "okta_list_users",
            {"search": 'profile.department eq "Sales"'},
            ("listUsers",),
            expected_query={"search": '(profile.department eq "Sales")'},
        ),
        id="list-by-search",
    ),
    pytest.param(
        Action(
            "okta_list_users",
            {"status": "STAGED"},
            ("listUsers",),
            expected_query={"filter": 'status eq "STAGED"'},
        ),
        id="list-by-status",
    ),
    pytest.param(
        Action("okta_list_users", {"query": "jan", "status": "ACTIVE"}, ("listUsers",)),
        id="list-by-query-and-status",
    ),
    pytest.param(
        Action(
            "okta_list_users",
            # The tool's cursor wraps Okta's `after`, bound to the listing's filters (none).
            {
                "limit": 200,
                "cursor": bind(JANE_ID, query=None, search=None, filter=None, org=ORG_URL),
            },
            ("listUsers",),
            expected_query={"limit": "200", "after": JANE_ID},
        ),
        id="list-next-page",
    ),
    pytest.param(
        Action(
            "okta_list_users",
            {"search": 'profile.title sw "VP"', "status": "ACTIVE", "limit": 5},
            ("listUsers",),
            run_async=True,
        ),
        id="list-by-search-and-status-async",
    ),
    pytest.param(Action("okta_get_user", {"user_id": JANE_ID}, ("getUser",)), id="get-by-id"),
    pytest.param(Action("okta_get_user", {"user_id": JANE_LOGIN}, ("getUser",)), id="get-by-login"),
    pytest.param(Action("okta_get_user", {"user_id": "me"}, ("getUser",)), id="get-me"),
    pytest.param(
        Action("okta_get_user", {"user_id": JANE_ID}, ("getUser",), run_async=True),
        id="get-by-id-async",
    ),
    pytest.param(
        Action(
            "okta_create_user",
            {**NEW_PERSON, "mobile_phone": "+1 555 0100", "activate": True},
            ("createUser",),
            expected_query={"activate": "true"},
        ),
        id="create-activated",
    ),
    pytest.param(
        Action(
            "okta_create_user",
            {**NEW_PERSON, "activate": False},
            ("createUser",),
            expected_query={"activate": "false"},
        ),
        id="create-staged",
    ),
    pytest.param(
        Action(
            "okta_create_user",
            {**NEW_PERSON, "login": "ada@corp.example.com"},
            ("createUser",),
            run_async=True,
        ),
        id="create-with-login-async",
    ),
    pytest.param(
        Action(
            "okta_update_user",
            {"user_id": JANE_ID, "first_name": "Janet", "last_name": "Doe-Smith"},
            ("getUser", "updateUser"),
        ),
        id="update-names",
    ),
    pytest.param(
        Action(
            "okta_update_user",
            {"user_id": JANE_LOGIN, "email": "janet@example.com", "login": "janet@example.com"},
            ("getUser", "updateUser"),
        ),
        id="update-by-login",
    ),
    pytest.param(
        Action(
            "okta_update_user", {"user_id": JANE_ID, "mobile_phone": ""}, ("getUser", "updateUser")
        ),
        id="update-clear-phone",
    ),
    pytest.param(
        Action(
            "okta_update_user",
            {"user_id": JANE_ID, "mobile_phone": "+1 555 0199"},
            ("getUser", "updateUser"),
            run_async=True,
        ),
        id="update-phone-async",
    ),
    pytest.param(
        Action(
            "okta_update_user",
            {"user_id": JANE_LOGIN, "email": "j@x.com"},
            ("getUser",),
            preview=True,
        ),
        id="preview-update",
    ),
    pytest.param(
        Action(
            "okta_create_user",
            {**NEW_PERSON, "login": 'ada "the countess"@example.com'},
            ("listUsers",),
            expected_query={
                "search": 'profile.login eq "ada \\"the countess\\"@example.com" '
                'or profile.email eq "ada.lovelace@example.com" '
                'or (profile.firstName eq "Ada" and profile.lastName eq "Lovelace")',
                "limit": "200",
            },
            preview=True,
        ),
        id="preview-create",
    ),
    pytest.param(
        Action("okta_create_user", NEW_PERSON, ("listUsers",), run_async=True, preview=True),
        id="preview-create-async",
    ),
    pytest.param(Action(None, {}, ("getUser", "listAssignedRolesForUser")), id="check-admin"),
    pytest.param(
        Action(None, {}, ("getUser", "listAssignedRolesForUser"), run_async=True),
        id="check-admin-async",
    ),
]


# Okta, as respx plays it


def okta_user(
    user_id: str = JANE_ID, *, status: str = "ACTIVE", **profile: str | None
) -> dict[str, Any]:
    stamp = "2024-03-01T09:30:00.000Z"
    activated = status != "STAGED"
    return {
        "id": user_id,
        "status": status,
        "created": stamp,
        "activated": stamp if activated else None,
        "statusChanged": stamp if activated else None,
        "lastLogin": None,
        "lastUpdated": stamp,
        "passwordChanged": None,
        "type": {"id": "oty1ab2CDefGHij3k4l5"},
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "email": JANE_LOGIN,
            "login": JANE_LOGIN,
            "mobilePhone": "+1 555 0123",
            **profile,
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"{ORG_URL}/api/v1/users/{user_id}"}},
    }


ADMIN = okta_user(
    ADMIN_ID,
    firstName="Ada",
    lastName="Admin",
    email="admin@example.com",
    login="admin@example.com",
)
ROLES = [
    {
        "id": "ra1b2c3d4E5F6G7H8I9J",
        "label": "Super Organization administrator",
        "type": "SUPER_ADMIN",
        "status": "ACTIVE",
        "created": "2019-02-06T16:17:40.000Z",
        "lastUpdated": "2019-02-06T16:17:40.000Z",
        "assignmentType": "USER",
        "_links": {"assignee": {"href": f"{ORG_URL}/api/v1/users/{ADMIN_ID}"}},
    }
]


def _rate_headers() -> dict[str, str]:
    now = time.time()
    return {
        "Date": email.utils.formatdate(now, usegmt=True),
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "599",
        "X-Rate-Limit-Reset": str(int(now) + 60),
    }


def _json(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers={**_rate_headers(), **headers})


def _user_key(request: httpx.Request) -> str:
    return unquote(request.url.raw_path.decode().split("?")[0].split("/")[4])


def _stored(key: str) -> dict[str, Any]:
    return ADMIN if key in ("me", ADMIN_ID) else okta_user()


def _list_users(request: httpx.Request) -> httpx.Response:
    self_link = f'<{request.url}>; rel="self"'
    return httpx.Response(
        200, json=[okta_user()], headers=[*_rate_headers().items(), ("link", self_link)]
    )


def _get_user(request: httpx.Request) -> httpx.Response:
    return _json(_stored(_user_key(request)), ETag=ETAG)


def _create_user(request: httpx.Request) -> httpx.Response:
    activate = request.url.params.get("activate", "true") == "true"
    profile = json.loads(request.content)["profile"]
    return _json(okta_user(status="PROVISIONED" if activate else "STAGED", **profile))


def _update_user(request: httpx.Request) -> httpx.Response:
    current = _stored(_user_key(request))
    changes = json.loads(request.content)["profile"]
    return _json({**current, "profile": {**current["profile"], **changes}}, ETag='W/"next"')


def _list_roles(request: httpx.Request) -> httpx.Response:
    return _json(ROLES if _user_key(request) == ADMIN_ID else [])


@contextmanager
def mock_okta() -> Iterator[respx.MockRouter]:
    """Okta's Users API on ORG_URL, recording every request."""
    with respx.mock(base_url=ORG_URL, assert_all_called=False) as router:
        user = r"^/api/v1/users/[^/]+"
        router.get("/api/v1/users").mock(side_effect=_list_users)
        router.post("/api/v1/users").mock(side_effect=_create_user)
        router.get(path__regex=user + "$").mock(side_effect=_get_user)
        router.post(path__regex=user + "$").mock(side_effect=_update_user)
        router.get(path__regex=user + "/roles$").mock(side_effect=_list_roles)
        yield router


@pytest.fixture
def okta_api() -> Iterator[respx.MockRouter]:
    with mock_okta() as router:
        yield router


@pytest.fixture(scope="module")
def toolkit() -> Iterator[OktaToolkit]:
    """One toolkit for the module: its HTTP client is costly to make (TLS context)."""
    toolkit = OktaToolkit(ORG_URL, TOKEN, check_admin=False)
    yield toolkit
    toolkit.client.close()


def perform(toolkit: OktaToolkit, action: Action) -> None:
    if action.tool is None:
        client = toolkit.client
        if action.run_async:
            asyncio.run(client.acheck_admin())
        else:
            client.check_admin()
        return
    if action.preview:
        preview = (
            asyncio.run(apreview_call(toolkit.client, action.tool, action.args))
            if action.run_async
            else preview_call(toolkit.client, action.tool, action.args)
        )
        assert preview is not None
        return
    tool = next(tool for tool in toolkit.get_tools() if tool.name == action.tool)
    call = {"type": "tool_call", "id": "call-1", "name": tool.name, "args": action.args}
    result = asyncio.run(tool.ainvoke(call)) if action.run_async else tool.invoke(call)
    assert isinstance(result, ToolMessage)
    assert result.status == "success", result.content


@pytest.fixture(scope="module", params=ACTIONS)
def action(request: pytest.FixtureRequest) -> Action:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sent(toolkit: OktaToolkit, action: Action) -> list[httpx.Request]:
    """The requests the action made, in order; made once and checked by many tests."""
    with mock_okta() as router:
        perform(toolkit, action)
        requests = [call.request for call in router.calls]
    assert requests, "the action sent no request"
    return requests


# Reading a request against the spec


def raw_path(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii").partition("?")[0]


def query_pairs(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)


def operation_of(okta_spec: OktaSpec, request: httpx.Request) -> tuple[Operation, dict[str, str]]:
    matched = okta_spec.match(request.method, raw_path(request))
    assert matched is not None, f"{request.method} {raw_path(request)} is not in Okta's spec"
    return matched


def value_errors(
    okta_spec: OktaSpec, operation: Operation, location: str, name: str, value: str
) -> list[str]:
    parameter = operation.parameter(location, name)
    assert parameter is not None
    validator = okta_spec.validator_at(parameter.pointer)
    return [
        f"{location} parameter {name}={value!r}: {message}"
        for message in error_messages(validator, parameter.typed(value))
    ]


# Every request, whatever the action


def test_action_sends_the_expected_operations(
    okta_spec: OktaSpec, action: Action, sent: list[httpx.Request]
) -> None:
    assert [operation_of(okta_spec, r)[0].operation_id for r in sent] == list(action.operations)


def test_path_parameters_match_their_schemas(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, values = operation_of(okta_spec, request)
        assert {p.name for p in operation.in_location("path")} == set(values)
        for name, value in values.items():
            assert value_errors(okta_spec, operation, "path", name, value) == []


def test_query_parameters_are_declared_by_the_operation(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        undeclared = [
            name for name, _ in query_pairs(request) if operation.parameter("query", name) is None
        ]
        assert undeclared == [], f"{operation.operation_id} declares no {undeclared}"


def test_query_parameters_are_sent_at_most_once(sent: list[httpx.Request]) -> None:
    for request in sent:
        names = [name for name, _ in query_pairs(request)]
        assert len(names) == len(set(names)), f"repeated query parameters in {request.url}"


def test_query_parameter_values_match_their_schemas(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        errors = [
            error
            for name, value in query_pairs(request)
            if operation.parameter("query", name) is not None
            for error in value_errors(okta_spec, operation, "query", name, value)
        ]
        assert errors == []


def test_query_parameters_are_the_expected_ones(action: Action, sent: list[httpx.Request]) -> None:
    sent_query = dict(query_pairs(sent[-1]))
    assert {name: sent_query.get(name) for name in action.expected_query} == action.expected_query


def test_required_parameters_are_present(okta_spec: OktaSpec, sent: list[httpx.Request]) -> None:
    for request in sent:
        operation, path_values = operation_of(okta_spec, request)
        present = {
            "path": set(path_values),
            "query": {name for name, _ in query_pairs(request)},
            "header": {name.lower() for name in request.headers},
        }
        missing = [
            f"{p.location} {p.name}"
            for p in operation.parameters.values()
            if p.required
            and p.location in present
            and (p.name.lower() if p.location == "header" else p.name) not in present[p.location]
        ]
        assert missing == [], f"{operation.operation_id} requires {missing}"


def test_extra_headers_are_declared_parameters(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        undeclared = [
            name
            for name in request.headers
            if name.lower() not in STANDARD_HEADERS and operation.parameter("header", name) is None
        ]
        assert undeclared == [], f"{operation.operation_id} declares no header {undeclared}"


def test_header_parameter_values_match_their_schemas(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        errors = [
            error
            for name, value in request.headers.items()
            if operation.parameter("header", name) is not None
            for error in value_errors(okta_spec, operation, "header", name, value)
        ]
        assert errors == []


def test_api_token_is_sent_as_the_spec_security_scheme(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    scheme = okta_spec.document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["in"]) == ("apiKey", "header")
    for request in sent:
        assert request.headers[scheme["name"]] == f"SSWS {TOKEN}"


def test_a_body_is_sent_exactly_when_the_operation_takes_one(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        takes_body = bool(operation.request_body_media_types)
        assert bool(request.content) == takes_body, operation.operation_id
        if operation.request_body_required:
            assert request.content, f"{operation.operation_id} requires a body"


def test_body_media_type_is_declared(okta_spec: OktaSpec, sent: list[httpx.Request]) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        if request.content:
            media_type = request.headers["content-type"].split(";")[0].strip()
            assert media_type in operation.request_body_media_types


def test_json_body_validates_against_the_request_schema(
    okta_spec: OktaSpec, sent: list[httpx.Request]
) -> None:
    for request in sent:
        operation, _ = operation_of(okta_spec, request)
        if not request.content:
            continue
        assert operation.request_body_pointer is not None
        validator = okta_spec.validator_at(operation.request_body_pointer)
        assert error_messages(validator, json.loads(request.content)) == []


# What particular operations must carry


@pytest.mark.parametrize("activate", [True, False])
def test_create_user_sends_activate_as_a_boolean_query_parameter(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit, activate: bool
) -> None:
    perform(toolkit, Action("okta_create_user", {**NEW_PERSON, "activate": activate}, ()))
    [request] = [call.request for call in okta_api.calls]
    declared = okta_spec.operation("POST", "/api/v1/users").parameter("query", "activate")
    assert declared is not None
    assert declared.type == "boolean"
    assert dict(query_pairs(request)) == {"activate": str(activate).lower()}


@pytest.mark.parametrize("activate", [True, False])
def test_create_user_body_is_a_create_user_request(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit, activate: bool
) -> None:
    args = {**NEW_PERSON, "mobile_phone": "+1 555 0100", "activate": activate}
    perform(toolkit, Action("okta_create_user", args, ()))
    [request] = [call.request for call in okta_api.calls]
    body = json.loads(request.content)
    assert error_messages(okta_spec.schema_validator("CreateUserRequest"), body) == []
    assert body == {
        "profile": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada.lovelace@example.com",
            "login": "ada.lovelace@example.com",
            "mobilePhone": "+1 555 0100",
        }
    }


@pytest.mark.parametrize(
    ("tool_name", "args", "schema"),
    [
        pytest.param(
            "okta_create_user", {**NEW_PERSON, "login": "ada"}, "CreateUserRequest", id="create-ada"
        ),
        pytest.param(
            "okta_create_user",
            {**NEW_PERSON, "login": "a@bc"},
            "CreateUserRequest",
            id="create-a@bc",
        ),
        pytest.param(
            "okta_update_user",
            {"user_id": JANE_ID, "login": "ada"},
            "UpdateUserRequest",
            id="update",
        ),
    ],
)
def test_tools_never_send_a_login_shorter_than_the_spec_allows(
    okta_spec: OktaSpec,
    okta_api: respx.MockRouter,
    toolkit: OktaToolkit,
    tool_name: str,
    args: dict[str, Any],
    schema: str,
) -> None:
    """UserProfile.login has minLength 5: refuse a shorter login rather than send it."""
    tool = next(tool for tool in toolkit.get_tools() if tool.name == tool_name)
    tool.invoke({"type": "tool_call", "id": "c", "name": tool_name, "args": args})
    validator = okta_spec.schema_validator(schema)
    sent_bodies = [
        json.loads(call.request.content) for call in okta_api.calls if call.request.content
    ]
    assert [error for body in sent_bodies for error in error_messages(validator, body)] == []


def test_update_user_is_a_partial_post_never_a_put(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    perform(toolkit, Action("okta_update_user", {"user_id": JANE_ID, "first_name": "Janet"}, ()))
    update = okta_api.calls[-1].request
    operation, values = operation_of(okta_spec, update)
    assert (operation.operation_id, values) == ("updateUser", {"id": JANE_ID})
    assert not any(call.request.method == "PUT" for call in okta_api.calls)
    assert json.loads(update.content) == {"profile": {"firstName": "Janet"}}


def test_update_user_body_is_an_update_user_request(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    args = {"user_id": JANE_ID, "first_name": "Janet", "mobile_phone": ""}
    perform(toolkit, Action("okta_update_user", args, ()))
    body = json.loads(okta_api.calls[-1].request.content)
    assert body == {"profile": {"firstName": "Janet", "mobilePhone": None}}
    assert error_messages(okta_spec.schema_validator("UpdateUserRequest"), body) == []


def test_update_user_sends_if_match_with_the_etag_okta_gave(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    perform(toolkit, Action("okta_update_user", {"user_id": JANE_ID, "first_name": "Janet"}, ()))
    update = okta_api.calls[-1].request
    declared = okta_spec.operation("POST", "/api/v1/users/{id}").parameter("header", "If-Match")
    assert declared is not None
    assert update.headers["If-Match"] == ETAG


def test_update_by_login_posts_to_the_user_id(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    perform(toolkit, Action("okta_update_user", {"user_id": JANE_LOGIN, "first_name": "Janet"}, ()))
    get, update = (call.request for call in okta_api.calls)
    assert operation_of(okta_spec, get)[1] == {"id": JANE_LOGIN}
    assert operation_of(okta_spec, update)[1] == {"id": JANE_ID}


def test_get_user_by_login_sends_the_login_as_one_path_segment(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    perform(toolkit, Action("okta_get_user", {"user_id": JANE_LOGIN}, ()))
    operation, values = operation_of(okta_spec, okta_api.calls[-1].request)
    assert (operation.operation_id, values) == ("getUser", {"id": JANE_LOGIN})


def test_check_admin_lists_the_roles_of_the_id_behind_me(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    access = toolkit.client.check_admin()
    me, roles = (call.request for call in okta_api.calls)
    assert operation_of(okta_spec, me) == (
        okta_spec.operation("GET", "/api/v1/users/{id}"),
        {"id": "me"},
    )
    operation, values = operation_of(okta_spec, roles)
    assert (operation.operation_id, values) == ("listAssignedRolesForUser", {"userId": ADMIN_ID})
    assert access.roles == ("SUPER_ADMIN",)


@pytest.mark.parametrize("limit", [1, 20, 200])
def test_list_users_limit_stays_within_okta_page_size(
    okta_spec: OktaSpec, okta_api: respx.MockRouter, toolkit: OktaToolkit, limit: int
) -> None:
    perform(toolkit, Action("okta_list_users", {"limit": limit}, ()))
    schema = okta_spec.operation("GET", "/api/v1/users").parameter("query", "limit")
    assert schema is not None
    maximum = schema.schema.get("maximum", DOCUMENTED_MAX_LIMIT)
    sent_limit = int(dict(query_pairs(okta_api.calls[-1].request))["limit"])
    assert 1 <= sent_limit <= maximum
    assert sent_limit == limit


def test_list_users_never_combines_search_with_filter(
    okta_api: respx.MockRouter, toolkit: OktaToolkit
) -> None:
    """Okta answers E0000033 to a request with both."""
    perform(
        toolkit,
        Action("okta_list_users", {"search": 'profile.title sw "VP"', "status": "ACTIVE"}, ()),
    )
    names = {name for name, _ in query_pairs(okta_api.calls[-1].request)}
    assert not {"search", "filter"} <= names
    assert not {"search", "q"} <= names


# The answers respx gives must themselves be Okta's, or the checks above prove little.


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        pytest.param("UserGetSingleton", okta_user(), id="user"),
        pytest.param("UserGetSingleton", ADMIN, id="admin"),
        pytest.param("User", okta_user(status="STAGED"), id="staged-user"),
        pytest.param("StandardRole", ROLES[0], id="role"),
    ],
)
def test_mock_answers_follow_the_spec(okta_spec: OktaSpec, schema: str, body: Any) -> None:
    assert error_messages(okta_spec.schema_validator(schema), body) == []
