"""What the server lists and answers: the toolkit's tools, truthful hints, and structured
results that match their output schemas, on the server in process."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from mcp import Client
from mcp_support import Person, text

from langchain_okta import OktaToolkit
from langchain_okta.mcp import ServerOptions, build_server
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg
from langchain_okta.summaries import SummaryLimits


async def _listed(toolkit: OktaToolkit) -> dict[str, Any]:
    async with Client(build_server(toolkit)) as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


async def test_the_read_tools_say_they_only_read(sandbox_toolkit: OktaToolkit) -> None:
    listed = await _listed(sandbox_toolkit)

    for name in ("okta_list_users", "okta_get_user"):
        assert listed[name].annotations.read_only_hint is True
        assert listed[name].annotations.open_world_hint is False


async def test_update_says_it_overwrites_and_may_be_repeated(sandbox_toolkit: OktaToolkit) -> None:
    hints = (await _listed(sandbox_toolkit))["okta_update_user"].annotations

    assert hints.read_only_hint is False
    assert hints.destructive_hint is True
    assert hints.idempotent_hint is True


async def test_create_says_it_adds_is_not_to_be_repeated_and_may_email(
    sandbox_toolkit: OktaToolkit,
) -> None:
    hints = (await _listed(sandbox_toolkit))["okta_create_user"].annotations

    assert hints.read_only_hint is False
    assert hints.destructive_hint is False
    assert hints.idempotent_hint is False
    assert hints.open_world_hint is True


async def test_a_read_only_server_lists_and_runs_only_the_read_tools(sandbox: SandboxOrg) -> None:
    toolkit = await OktaToolkit.acreate(
        IN_PROCESS_URL, sandbox.token, transport=sandbox.transport(), read_only=True
    )
    async with toolkit, Client(build_server(toolkit), elicitation_callback=Person()) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        refused = await client.call_tool(
            "okta_create_user", {"first_name": "A", "last_name": "B", "email": "a.b@example.com"}
        )

    assert listed == ["okta_list_users", "okta_get_user"]
    assert refused.is_error
    assert "There is no tool 'okta_create_user' on this server" in text(refused)


async def test_every_structured_result_matches_its_output_schema(sandbox: SandboxOrg) -> None:
    # A summary budget too short for 450 users: the incomplete summary, with its reason.
    toolkit = await OktaToolkit.acreate(
        IN_PROCESS_URL,
        sandbox.token,
        transport=sandbox.transport(),
        summary_limits=SummaryLimits(seconds=0.000001),
    )
    async with toolkit, Client(build_server(toolkit), elicitation_callback=Person()) as client:
        schemas = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}
        page = await client.call_tool("okta_list_users", {"limit": 2})
        user_id = page.structured_content["users"][0][0]  # type: ignore[index]
        results = {
            "page": ("okta_list_users", page),
            "summary": (
                "okta_list_users",
                await client.call_tool("okta_list_users", {"summary": True}),
            ),
            "get": ("okta_get_user", await client.call_tool("okta_get_user", {"user_id": user_id})),
            "update": (
                "okta_update_user",
                await client.call_tool("okta_update_user", {"user_id": user_id, "last_name": "Z"}),
            ),
            "create": (
                "okta_create_user",
                await client.call_tool(
                    "okta_create_user",
                    {"first_name": "Li", "last_name": "Wu", "email": "li.wu@example.com"},
                ),
            ),
        }

    summary = results["summary"][1].structured_content
    assert summary is not None
    assert summary["complete"] is False
    assert "lower bounds" in summary["reason"]
    for name, result in results.values():
        assert not result.is_error, text(result)
        jsonschema.validate(result.structured_content, schemas[name])


MISSING = "00unosuchuser0000000"


def _without_error_id(message: str) -> str:
    return re.sub(r"errorId \w+", "errorId ...", message)


async def test_an_okta_error_is_the_tools_own_message_for_the_model(
    sandbox_toolkit: OktaToolkit,
) -> None:
    arguments = {"user_id": MISSING}
    tool = next(tool for tool in sandbox_toolkit.get_tools() if tool.name == "okta_get_user")
    call = {"type": "tool_call", "id": "1", "name": "okta_get_user", "args": arguments}
    direct = await tool.ainvoke(call)

    async with Client(build_server(sandbox_toolkit)) as client:
        result = await client.call_tool("okta_get_user", arguments)

    assert result.is_error
    assert result.structured_content is None
    # The same message but for Okta's errorId, which is new with each request.
    assert _without_error_id(text(result)) == _without_error_id(direct.content)
    assert MISSING in text(result)


async def test_a_confirmed_update_of_no_such_user_writes_nothing_and_says_so(
    sandbox_toolkit: OktaToolkit,
) -> None:
    person = Person()
    async with Client(build_server(sandbox_toolkit), elicitation_callback=person) as client:
        result = await client.call_tool("okta_update_user", {"user_id": MISSING, "last_name": "X"})

    assert result.is_error
    assert "the preview found no such user" in text(result)
    assert "nothing was written" in text(result)
    [shown] = person.shown
    assert MISSING in shown


@pytest.mark.parametrize("confirm", [True, False])
async def test_the_instructions_promise_confirmations_only_when_there_are_any(
    sandbox_toolkit: OktaToolkit, confirm: bool
) -> None:
    server = build_server(sandbox_toolkit, ServerOptions(confirm_writes=confirm))

    async with Client(server, mode="legacy") as client:
        instructions = (await client.session.initialize()).instructions

    assert instructions is not None
    assert ("happens only if they confirm it" in instructions) is confirm
