"""OktaToolkit: configuration, the admin check, and which tools it hands out."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from langchain_core.tools import BaseTool

from langchain_okta import (
    OktaAdminCheckError,
    OktaAuthenticationError,
    OktaConfigurationError,
    OktaToolkit,
)

ORG = "https://acme.okta.com"
TOKEN = "TOKEN-SECRET-123"
ADMIN_ID = "00uadmin"
ADMIN_LOGIN = "admin@acme.com"
READ_TOOLS = ["okta_list_users", "okta_get_user"]
ALL_TOOLS = [*READ_TOOLS, "okta_create_user", "okta_update_user"]
ENV_VARIABLES = ("OKTA_ORG_URL", "OKTA_API_TOKEN", "OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN")


def okta_error(status: int, code: str, summary: str) -> httpx.Response:
    body = {"errorCode": code, "errorSummary": summary, "errorId": "oae123", "errorCauses": []}
    return httpx.Response(status, json=body)


def roles(*types: str) -> list[dict[str, Any]]:
    return [
        {"id": f"ra{index}", "type": role, "status": "ACTIVE", "label": role.title()}
        for index, role in enumerate(types)
    ]


def names(tools: list[BaseTool]) -> list[str]:
    return [tool.name for tool in tools]


@pytest.fixture
def okta() -> Iterator[respx.Router]:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        yield router


@pytest.fixture
def me(okta: respx.Router) -> respx.Route:
    admin = {"id": ADMIN_ID, "status": "ACTIVE", "profile": {"login": ADMIN_LOGIN}}
    return okta.get("/api/v1/users/me").respond(200, json=admin)


@pytest.fixture
def role_route(okta: respx.Router, me: respx.Route) -> respx.Route:
    return okta.get(f"/api/v1/users/{ADMIN_ID}/roles")


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# -- the admin check --------------------------------------------------------------------------


def test_admin_check_reads_me_then_the_roles_of_that_user_id(
    okta: respx.Router, role_route: respx.Route
) -> None:
    role_route.respond(200, json=roles("SUPER_ADMIN"))

    OktaToolkit(ORG, TOKEN)

    sent = [(call.request.method, call.request.url.path) for call in okta.calls]
    assert sent == [("GET", "/api/v1/users/me"), ("GET", f"/api/v1/users/{ADMIN_ID}/roles")]
    assert all(call.request.headers["Authorization"] == f"SSWS {TOKEN}" for call in okta.calls)


def test_super_admin_gets_all_four_tools(role_route: respx.Route) -> None:
    role_route.respond(200, json=roles("SUPER_ADMIN"))

    toolkit = OktaToolkit(ORG, TOKEN)

    assert names(toolkit.get_tools()) == ALL_TOOLS
    assert toolkit.admin_roles == ("SUPER_ADMIN",)
    assert toolkit.read_only is False


def test_group_admin_among_other_roles_gets_all_four_tools(role_route: respx.Route) -> None:
    role_route.respond(200, json=roles("USER_ADMIN", "HELP_DESK_ADMIN"))

    toolkit = OktaToolkit(ORG, TOKEN)

    assert names(toolkit.get_tools()) == ALL_TOOLS
    assert toolkit.admin_roles == ("HELP_DESK_ADMIN", "USER_ADMIN")


def test_a_user_without_admin_role_is_refused_by_login(role_route: respx.Route) -> None:
    role_route.respond(200, json=[])

    with pytest.raises(OktaAdminCheckError) as raised:
        OktaToolkit(ORG, TOKEN)

    assert ADMIN_LOGIN in str(raised.value)
    assert "no Okta admin role" in str(raised.value)


def test_an_invalid_token_is_reported_as_invalid_or_expired(
    me: respx.Route, role_route: respx.Route
) -> None:
    me.mock(return_value=okta_error(401, "E0000011", "Invalid token provided"))

    with pytest.raises(OktaAuthenticationError, match="invalid or expired") as raised:
        OktaToolkit(ORG, TOKEN)

    assert raised.value.status == 401
    assert not role_route.called


def test_read_only_admin_gets_the_read_tools_and_a_warning_saying_why(
    role_route: respx.Route,
) -> None:
    role_route.respond(200, json=roles("READ_ONLY_ADMIN"))

    with pytest.warns(UserWarning, match="only the read tools") as caught:
        toolkit = OktaToolkit(ORG, TOKEN)

    assert names(toolkit.get_tools()) == READ_TOOLS
    assert toolkit.read_only is True
    message = str(caught[0].message)
    assert "READ_ONLY_ADMIN" in message
    assert "do not allow creating or updating users" in message


def test_the_read_only_warning_points_at_the_callers_line(role_route: respx.Route) -> None:
    role_route.respond(200, json=roles("READ_ONLY_ADMIN"))

    with pytest.warns(UserWarning, match="only the read tools") as caught:
        OktaToolkit(ORG, TOKEN)

    assert caught[0].filename == __file__


def test_read_only_admin_asking_for_write_tools_gets_a_clear_error(
    role_route: respx.Route,
) -> None:
    role_route.respond(200, json=roles("READ_ONLY_ADMIN"))

    with pytest.raises(OktaAdminCheckError, match="write tools were requested") as raised:
        OktaToolkit(ORG, TOKEN, read_only=False)

    assert "READ_ONLY_ADMIN" in str(raised.value)


def test_read_only_true_gives_the_read_tools_without_a_warning(role_route: respx.Route) -> None:
    role_route.respond(200, json=roles("SUPER_ADMIN"))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        toolkit = OktaToolkit(ORG, TOKEN, read_only=True)

    assert names(toolkit.get_tools()) == READ_TOOLS


def test_roles_that_cannot_be_read_give_the_read_tools_and_a_warning(
    role_route: respx.Route,
) -> None:
    role_route.mock(return_value=okta_error(403, "E0000006", "You do not have permission"))

    with pytest.warns(UserWarning, match="could not be read"):
        toolkit = OktaToolkit(ORG, TOKEN)

    assert names(toolkit.get_tools()) == READ_TOOLS
    assert toolkit.admin_roles == ()


def test_roles_refused_as_a_feature_not_enabled_give_the_read_tools_and_a_warning(
    role_route: respx.Route,
) -> None:
    # Okta answers 401 E0000015 to a valid token that may not use a feature.
    role_route.mock(
        return_value=okta_error(
            401, "E0000015", "You do not have permission to access the feature you are requesting"
        )
    )

    with pytest.warns(UserWarning, match="could not be read"):
        toolkit = OktaToolkit(ORG, TOKEN)

    assert names(toolkit.get_tools()) == READ_TOOLS
    assert toolkit.admin_roles == ()


def test_check_admin_false_makes_no_request_and_gives_all_tools(okta: respx.Router) -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)

    assert okta.calls.call_count == 0
    assert names(toolkit.get_tools()) == ALL_TOOLS
    assert toolkit.admin_roles == ()


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_variable", "token_variable"),
    [("OKTA_ORG_URL", "OKTA_API_TOKEN"), ("OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN")],
)
def test_org_url_and_token_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    no_env: None,
    okta: respx.Router,
    role_route: respx.Route,
    url_variable: str,
    token_variable: str,
) -> None:
    monkeypatch.setenv(url_variable, ORG + "/")
    monkeypatch.setenv(token_variable, TOKEN)
    role_route.respond(200, json=roles("SUPER_ADMIN"))

    toolkit = OktaToolkit()

    assert toolkit.client.settings.org_url == ORG
    assert okta.calls.last.request.headers["Authorization"] == f"SSWS {TOKEN}"


def test_missing_configuration_names_the_variables_to_set(no_env: None) -> None:
    with pytest.raises(OktaConfigurationError) as raised:
        OktaToolkit()

    for variable in ("OKTA_ORG_URL", "OKTA_API_TOKEN"):
        assert variable in str(raised.value)


def test_missing_token_alone_is_named(monkeypatch: pytest.MonkeyPatch, no_env: None) -> None:
    monkeypatch.setenv("OKTA_ORG_URL", ORG)

    with pytest.raises(OktaConfigurationError, match="API token") as raised:
        OktaToolkit()

    assert "org URL" not in str(raised.value)


@pytest.mark.parametrize("token", [f"SSWS {TOKEN}", f"{TOKEN}\n"])
def test_a_token_with_whitespace_is_refused_without_echoing_it(
    okta: respx.Router, token: str
) -> None:
    with pytest.raises(OktaConfigurationError, match="bare token") as raised:
        OktaToolkit(ORG, token)

    assert TOKEN not in str(raised.value)
    assert okta.calls.call_count == 0


def test_admin_console_url_is_refused_with_a_hint(okta: respx.Router) -> None:
    with pytest.raises(OktaConfigurationError, match="Admin Console"):
        OktaToolkit("https://acme-admin.okta.com", TOKEN)

    assert okta.calls.call_count == 0


def test_the_toolkits_repr_has_no_token(role_route: respx.Route) -> None:
    role_route.respond(200, json=roles("SUPER_ADMIN"))

    toolkit = OktaToolkit(ORG, TOKEN)

    assert TOKEN not in repr(toolkit)
    assert TOKEN not in str(toolkit)
    assert ORG in repr(toolkit)


# -- one client -------------------------------------------------------------------------------


def test_all_tools_share_one_client_and_so_one_rate_limit(okta: respx.Router) -> None:
    """A rate limit one tool ran into holds for the others: no request goes out until the
    window resets."""
    user = okta.get("/api/v1/users/00u1").respond(
        429,
        json={"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"},
        headers={
            "Date": "Tue, 01 Jul 2025 12:00:00 GMT",
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(1751371200 + 45),
        },
    )
    tools = {tool.name: tool for tool in OktaToolkit(ORG, TOKEN, check_admin=False).get_tools()}

    first = tools["okta_get_user"].invoke(
        {"type": "tool_call", "id": "1", "name": "okta_get_user", "args": {"user_id": "00u1"}}
    )
    second = tools["okta_update_user"].invoke(
        {
            "type": "tool_call",
            "id": "2",
            "name": "okta_update_user",
            "args": {"user_id": "00u1", "first_name": "Janet"},
        }
    )

    assert first.status == second.status == "error"
    assert "rate limit" in second.text
    assert user.call_count == 1
