"""OktaToolkit in async code and over its life: built without blocking the loop, closed for
real, configured once, and described where help() and IDEs look."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from langchain_core.tools import BaseTool
from loopback_okta import LoopbackOkta, loopback_okta, settle
from pydantic import ValidationError

from langchain_okta import (
    OktaAdminCheckError,
    OktaAuthenticationError,
    OktaClient,
    OktaConfigurationError,
    OktaSettings,
    OktaToolkit,
)
from langchain_okta.tools import CLOSED_MESSAGE

ORG = "https://acme.okta.com"
TOKEN = "TOKEN-SECRET-123"
ADMIN_ID = "00uadmin"
READ_TOOLS = ["okta_list_users", "okta_get_user"]
ALL_TOOLS = [*READ_TOOLS, "okta_create_user", "okta_update_user"]
ARGUMENTS = [
    "org_url",
    "api_token",
    "auth",
    "read_only",
    "check_admin",
    "client",
    "transport",
    "timeouts",
    "retries",
    "max_concurrency",
    "summary_limits",
]


def names(tools: list[BaseTool]) -> list[str]:
    return [tool.name for tool in tools]


def roles(*types: str) -> list[dict[str, Any]]:
    return [{"id": f"ra{n}", "type": role, "status": "ACTIVE"} for n, role in enumerate(types)]


def get_call() -> dict[str, Any]:
    return {"type": "tool_call", "id": "1", "name": "okta_get_user", "args": {"user_id": "00u1"}}


def get_user_tool(toolkit: OktaToolkit) -> BaseTool:
    return next(tool for tool in toolkit.get_tools() if tool.name == "okta_get_user")


@pytest.fixture
def okta() -> Iterator[respx.Router]:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        admin = {"id": ADMIN_ID, "status": "ACTIVE", "profile": {"login": "admin@acme.com"}}
        router.get("/api/v1/users/me", name="me").respond(200, json=admin)
        router.get(f"/api/v1/users/{ADMIN_ID}/roles", name="roles").respond(
            200, json=roles("SUPER_ADMIN")
        )
        yield router


@pytest.fixture
def slow_okta() -> Iterator[LoopbackOkta]:
    with loopback_okta(delay=0.25) as server:
        yield server


# -- building in async code -------------------------------------------------------------------


async def test_acreate_keeps_the_event_loop_running_while_it_checks_the_admin(
    slow_okta: LoopbackOkta,
) -> None:
    loop = asyncio.get_running_loop()
    ticks: list[float] = []
    building = True

    async def heartbeat() -> None:
        ticks.append(loop.time())
        while building:
            await asyncio.sleep(0.002)
            ticks.append(loop.time())  # also the first tick after a stall

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.01)
    started = loop.time()
    toolkit = await OktaToolkit.acreate(slow_okta.url, slow_okta.token)
    took = loop.time() - started
    building = False
    await beat
    await toolkit.aclose()

    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert toolkit.admin_roles == ("SUPER_ADMIN",)
    assert took >= 0.5  # two requests, each answered after 0.25 s
    assert max(gaps) < 0.05, f"the loop stood still for {max(gaps) * 1000:.0f} ms"


def test_acreate_takes_the_same_arguments_as_the_constructor() -> None:
    def arguments(function: Any) -> list[tuple[str, Any, Any]]:
        return [
            (parameter.name, parameter.kind, parameter.default)
            for parameter in inspect.signature(function).parameters.values()
            if parameter.name not in ("self", "cls")
        ]

    assert arguments(OktaToolkit.acreate) == arguments(OktaToolkit.__init__)


async def test_acreate_makes_the_same_admin_check_as_the_constructor(okta: respx.Router) -> None:
    toolkit = await OktaToolkit.acreate(ORG, TOKEN)

    sent = [(call.request.method, call.request.url.path) for call in okta.calls]
    assert sent == [("GET", "/api/v1/users/me"), ("GET", f"/api/v1/users/{ADMIN_ID}/roles")]
    assert names(toolkit.get_tools()) == ALL_TOOLS
    assert toolkit.admin_roles == ("SUPER_ADMIN",)
    await toolkit.aclose()


async def test_acreate_gives_a_read_only_admin_the_read_tools_and_a_warning_at_the_callers_line(
    okta: respx.Router,
) -> None:
    okta.routes["roles"].respond(200, json=roles("READ_ONLY_ADMIN"))

    with pytest.warns(UserWarning, match="only the read tools") as caught:
        toolkit = await OktaToolkit.acreate(ORG, TOKEN)

    assert names(toolkit.get_tools()) == READ_TOOLS
    assert caught[0].filename == __file__
    await toolkit.aclose()


async def test_acreate_refuses_a_user_without_admin_role_as_the_constructor_does(
    okta: respx.Router,
) -> None:
    okta.routes["roles"].respond(200, json=[])

    with pytest.raises(OktaAdminCheckError, match="no Okta admin role"):
        await OktaToolkit.acreate(ORG, TOKEN)


async def test_acreate_reports_an_invalid_token_as_the_constructor_does(
    okta: respx.Router,
) -> None:
    okta.routes["me"].respond(401, json={"errorCode": "E0000011", "errorSummary": "Invalid"})

    with pytest.raises(OktaAuthenticationError, match="invalid or expired"):
        await OktaToolkit.acreate(ORG, TOKEN)


async def test_building_inside_a_running_loop_still_works_and_warns_once_pointing_to_acreate(
    okta: respx.Router,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(3):
            toolkit = OktaToolkit(ORG, TOKEN)
            toolkit.close()

    blocking = [warning for warning in caught if "acreate" in str(warning.message)]
    assert len(blocking) == 1
    assert blocking[0].filename == __file__
    assert "stall" in str(blocking[0].message)
    assert names(toolkit.get_tools()) == ALL_TOOLS


async def test_building_inside_a_running_loop_without_the_admin_check_does_not_warn(
    okta: respx.Router,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)

    assert okta.calls.call_count == 0
    toolkit.close()


# -- closing ----------------------------------------------------------------------------------


def test_leaving_with_closes_the_toolkits_connections(slow_okta: LoopbackOkta) -> None:
    slow_okta.delay = 0
    with OktaToolkit(slow_okta.url, slow_okta.token) as toolkit:
        assert get_user_tool(toolkit).invoke(get_call()).status == "success"
        assert slow_okta.open_connections == 1

    assert toolkit.client.closed
    assert settle(lambda: slow_okta.open_connections, 0) == 0


async def test_leaving_async_with_closes_the_toolkits_connections(slow_okta: LoopbackOkta) -> None:
    slow_okta.delay = 0
    async with await OktaToolkit.acreate(slow_okta.url, slow_okta.token) as toolkit:
        assert (await get_user_tool(toolkit).ainvoke(get_call())).status == "success"

    assert toolkit.client.closed
    assert await asyncio.to_thread(settle, lambda: slow_okta.open_connections, 0) == 0


def test_a_tool_called_after_close_reports_the_closed_client_without_a_request(
    slow_okta: LoopbackOkta,
) -> None:
    slow_okta.delay = 0
    toolkit = OktaToolkit(slow_okta.url, slow_okta.token)
    sent = slow_okta.requests
    toolkit.close()

    message = get_user_tool(toolkit).invoke(get_call())

    assert message.status == "error"
    assert "connection to Okta was closed" in str(message.content)
    assert slow_okta.requests == sent


def test_a_tool_called_after_close_logs_no_traceback(
    okta: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)
    toolkit.close()

    with caplog.at_level(logging.DEBUG, logger="langchain_okta"):
        message = get_user_tool(toolkit).invoke(get_call())

    assert message.content == CLOSED_MESSAGE
    assert not [record for record in caplog.records if record.exc_info]


async def test_an_async_tool_called_after_aclose_says_the_connection_was_closed(
    okta: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    toolkit = await OktaToolkit.acreate(ORG, TOKEN, check_admin=False)
    await toolkit.aclose()

    with caplog.at_level(logging.DEBUG, logger="langchain_okta"):
        message = await get_user_tool(toolkit).ainvoke(get_call())

    assert (message.status, message.content) == ("error", CLOSED_MESSAGE)
    assert not [record for record in caplog.records if record.exc_info]


def test_closing_the_toolkit_leaves_a_client_it_was_given_open(okta: respx.Router) -> None:
    client = OktaClient(OktaSettings(org_url=ORG, api_token=TOKEN))
    toolkit = OktaToolkit(client=client, check_admin=False)

    toolkit.close()

    assert not client.closed
    client.close()


def test_a_failed_construction_closes_the_connections_it_opened() -> None:
    with loopback_okta(roles=()) as okta:
        with pytest.raises(OktaAdminCheckError):
            OktaToolkit(okta.url, okta.token)

        assert okta.requests == 2
        assert settle(lambda: okta.open_connections, 0) == 0


async def test_a_failed_acreate_closes_the_connections_it_opened() -> None:
    with loopback_okta(roles=()) as okta:
        with pytest.raises(OktaAdminCheckError):
            await OktaToolkit.acreate(okta.url, okta.token)

        assert okta.requests == 2
        assert await asyncio.to_thread(settle, lambda: okta.open_connections, 0) == 0


# -- configured once --------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("read_only", True), ("admin", None)])
def test_assigning_a_field_after_construction_raises(field: str, value: Any) -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)

    with pytest.raises(ValidationError, match="frozen"):
        setattr(toolkit, field, value)

    assert names(toolkit.get_tools()) == ALL_TOOLS
    toolkit.close()


def test_the_client_cannot_be_swapped_after_construction() -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)
    other = OktaClient(OktaSettings(org_url="https://other.okta.com", api_token=TOKEN))

    with pytest.raises(ValidationError, match="frozen"):
        toolkit.client = other

    assert toolkit.client is not other
    other.close()
    toolkit.close()


def test_an_unknown_argument_raises_type_error_naming_it_and_the_one_likely_meant() -> None:
    with pytest.raises(TypeError, match=r"'readonly' \(did you mean 'read_only'\?\)"):
        OktaToolkit(ORG, TOKEN, check_admin=False, readonly=True)


def test_every_unknown_argument_is_named() -> None:
    with pytest.raises(TypeError) as raised:
        OktaToolkit(ORG, TOKEN, check_admin=False, readonly=True, concurrency=2)

    assert "'readonly'" in str(raised.value)
    assert "'concurrency'" in str(raised.value)


async def test_acreate_refuses_an_unknown_argument_before_any_request(okta: respx.Router) -> None:
    with pytest.raises(TypeError, match="'readonly'"):
        await OktaToolkit.acreate(ORG, TOKEN, readonly=True)

    assert okta.calls.call_count == 0


def test_connection_arguments_beside_a_client_are_refused_rather_than_ignored() -> None:
    client = OktaClient(OktaSettings(org_url=ORG, api_token=TOKEN))

    with pytest.raises(TypeError, match="max_concurrency"):
        OktaToolkit(client=client, check_admin=False, max_concurrency=2)

    client.close()


def test_a_copy_made_read_only_hands_out_only_the_read_tools() -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)

    copy = toolkit.model_copy(update={"read_only": True})

    assert names(copy.get_tools()) == READ_TOOLS
    toolkit.close()


def test_write_tools_never_go_to_an_admin_whose_roles_only_read(okta: respx.Router) -> None:
    okta.routes["roles"].respond(200, json=roles("READ_ONLY_ADMIN"))
    with pytest.warns(UserWarning, match="only the read tools"):
        toolkit = OktaToolkit(ORG, TOKEN)

    copy = toolkit.model_copy(update={"read_only": False})

    assert names(copy.get_tools()) == READ_TOOLS
    toolkit.close()


# -- described --------------------------------------------------------------------------------


def test_the_signature_shows_the_constructor_arguments() -> None:
    assert list(inspect.signature(OktaToolkit).parameters) == ARGUMENTS


def test_the_class_docstring_documents_every_constructor_argument() -> None:
    docstring = inspect.getdoc(OktaToolkit) or ""
    section = docstring.partition("\nArgs:\n")[2].partition("\n\n")[0]

    assert re.findall(r"^    (\w+):", section, flags=re.MULTILINE) == ARGUMENTS


def test_the_repr_of_a_toolkit_whose_construction_failed_does_not_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("OKTA_ORG_URL", "OKTA_API_TOKEN", "OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(OktaConfigurationError) as raised:
        OktaToolkit()
    # What a traceback with locals (pytest --showlocals, IPython, a debugger) shows.
    half_built = next(
        entry.locals["self"]
        for entry in raised.traceback
        if isinstance(entry.locals.get("self"), OktaToolkit)
    )

    assert repr(half_built) == str(half_built) == "OktaToolkit(<not built>)"


def test_each_tool_has_a_short_repr_naming_it() -> None:
    toolkit = OktaToolkit(ORG, TOKEN, check_admin=False)

    assert [repr(tool) for tool in toolkit.get_tools()] == [
        f"OktaTool(name={name!r})" for name in ALL_TOOLS
    ]
    toolkit.close()
