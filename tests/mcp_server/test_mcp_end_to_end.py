"""The server as a client meets it: `python -m langchain_okta.mcp --sandbox` in a subprocess,
over stdio and over streamable HTTP on loopback, driven by the MCP SDK's own client.

Each elicitation test runs in both protocol eras: 2026-07-28 (the SDK client's default,
where the question comes back in an InputRequiredResult) and the 2025-11-25 handshake
(where the server sends elicitation/create in the middle of the call), since clients in
use today speak either.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp_support import HttpServer, Person, first_user_id, stdio_params, text

from langchain_okta import OktaToolkit
from langchain_okta.mcp.catalogue import mcp_tool

Connect = Callable[..., Client]
ERAS = {"2026-07-28": "auto", "2025-11-25": "legacy"}


@pytest.fixture(params=["stdio", "http"])
def connect(request: pytest.FixtureRequest) -> Connect:
    """Makes an SDK client for the server on this transport."""
    if request.param == "stdio":
        return lambda **options: Client(stdio_params(), **options)
    server: HttpServer = request.getfixturevalue("http_server")
    return server.client


@pytest.fixture(params=list(ERAS))
def era(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _user(client: Client, query: str) -> dict[str, Any]:
    """The first user whose name or email starts with `query`, as okta_get_user shows them."""
    listed = await client.call_tool("okta_list_users", {"query": query, "limit": 1})
    got = await client.call_tool("okta_get_user", {"user_id": first_user_id(listed)})
    user = got.structured_content
    assert isinstance(user, dict)
    return dict(user["user"])


async def test_the_four_tools_are_listed_with_the_toolkits_names_schemas_and_descriptions(
    connect: Connect, sandbox_toolkit: OktaToolkit
) -> None:
    expected = [mcp_tool(tool, structured=True) for tool in sandbox_toolkit.get_tools()]

    async with connect() as client:
        listed = (await client.list_tools()).tools

    assert [tool.name for tool in listed] == [
        "okta_list_users",
        "okta_get_user",
        "okta_create_user",
        "okta_update_user",
    ]
    for tool, same in zip(listed, expected, strict=True):
        assert tool.description == same.description
        assert tool.input_schema == same.input_schema
        assert tool.output_schema == same.output_schema
        assert tool.annotations == same.annotations


async def test_the_read_tools_answer_with_the_toolkits_json_as_text_and_structured_content(
    connect: Connect,
) -> None:
    async with connect() as client:
        page = await client.call_tool("okta_list_users", {"limit": 3})
        user = await client.call_tool("okta_get_user", {"user_id": first_user_id(page)})

    assert not page.is_error
    assert not user.is_error
    assert json.loads(text(page)) == page.structured_content
    assert len(json.loads(text(page))["users"]) == 3
    assert json.loads(text(user)) == user.structured_content
    assert user.structured_content is not None
    assert user.structured_content["user"]["id"] == first_user_id(page)


async def test_a_summary_reports_progress_once_a_page_until_the_count(connect: Connect) -> None:
    reported: list[tuple[float, str | None]] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        reported.append((value, message))

    async with connect() as client:
        summary = await client.call_tool(
            "okta_list_users", {"summary": True}, progress_callback=progress
        )

    counted = summary.structured_content
    assert isinstance(counted, dict)
    assert counted["complete"] is True
    assert [value for value, _ in reported] == [1, 2, 3]
    assert reported[-1][1] == f"{counted['matched']} users counted in 3 pages; last page"


async def test_an_update_the_person_confirms_is_made_after_they_see_the_live_preview(
    connect: Connect, era: str
) -> None:
    person = Person(action="accept")

    async with connect(mode=ERAS[era], elicitation_callback=person) as client:
        assert client.protocol_version == era
        before = await _user(client, "a")
        result = await client.call_tool(
            "okta_update_user", {"user_id": before["id"], "last_name": f"Confirmed{era[:4]}"}
        )
        after = await _user(client, "a")

    assert not result.is_error, text(result)
    assert after["lastName"] == f"Confirmed{era[:4]}"
    assert result.structured_content == {"user": after, "changed": ["lastName"]}
    [shown] = person.shown
    assert f"id {before['id']}" in shown
    assert f'last name     "{before["lastName"]}" → "Confirmed{era[:4]}"' in shown


async def test_an_update_the_person_declines_changes_nothing(connect: Connect, era: str) -> None:
    person = Person(action="decline")

    async with connect(mode=ERAS[era], elicitation_callback=person) as client:
        before = await _user(client, "b")
        result = await client.call_tool(
            "okta_update_user", {"user_id": before["id"], "first_name": "Declined"}
        )
        after = await _user(client, "b")

    assert result.is_error
    assert "the person declined this change" in text(result)
    assert "nothing was changed" in text(result)
    assert after == before
    assert len(person.shown) == 1


async def test_a_client_that_cannot_elicit_is_refused_the_write_with_the_reason(
    connect: Connect, era: str
) -> None:
    async with connect(mode=ERAS[era]) as client:
        before = await _user(client, "c")
        result = await client.call_tool(
            "okta_update_user", {"user_id": before["id"], "first_name": "Unasked"}
        )
        after = await _user(client, "c")

    assert result.is_error
    assert "cannot ask for it" in text(result)
    assert "does not support MCP elicitation" in text(result)
    assert "Nothing was changed" in text(result)
    assert after == before


async def test_a_create_the_person_confirms_creates_the_user(connect: Connect) -> None:
    person = Person(action="accept")
    new = {"first_name": "Mina", "last_name": "Okafor", "email": "mina.okafor@example.com"}

    async with connect(elicitation_callback=person) as client:
        created = await client.call_tool("okta_create_user", {**new, "activate": False})
        found = await client.call_tool("okta_get_user", {"user_id": new["email"]})

    assert not created.is_error, text(created)
    assert isinstance(created.structured_content, dict)
    assert created.structured_content["user"]["status"] == "STAGED"
    assert found.structured_content == created.structured_content
    [shown] = person.shown
    assert 'Create an Okta user "Mina Okafor"' in shown


async def test_the_same_create_again_is_refused_by_okta_without_a_second_user(
    connect: Connect,
) -> None:
    person = Person(action="accept")
    new = {"first_name": "Ada", "last_name": "Quist", "email": "ada.quist@example.com"}

    async with connect(elicitation_callback=person) as client:
        await client.call_tool("okta_create_user", {**new, "activate": False})
        again = await client.call_tool("okta_create_user", {**new, "activate": False})
        listed = await client.call_tool("okta_list_users", {"query": "ada.quist@"})

    assert again.is_error
    assert isinstance(listed.structured_content, dict)
    assert len(listed.structured_content["users"]) == 1
