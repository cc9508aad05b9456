"""The seams of a confirmed write, on the server in process (the SDK client's in-memory
connection): what the person approved is what happens, or nothing does."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import mcp_types as types
import pytest
from mcp import Client, MCPError
from mcp.client.session import ClientRequestContext
from mcp.server import request_state
from mcp_support import Person, text

from langchain_okta import OktaToolkit
from langchain_okta.mcp import ServerOptions, build_server
from langchain_okta.mcp.confirmation import APPROVAL_SECONDS

ERAS = {"2026-07-28": "auto", "2025-11-25": "legacy"}


@pytest.fixture(params=list(ERAS))
def mode(request: pytest.FixtureRequest) -> str:
    return ERAS[request.param]


async def _first_user(toolkit: OktaToolkit) -> dict[str, str]:
    user = (await toolkit.client.alist_users(limit=1)).users[0]
    return {"id": user.id, "firstName": str(user.profile.firstName)}


async def test_another_admins_edit_while_the_person_decides_stops_the_write(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    user = await _first_user(sandbox_toolkit)

    async def edit_then_accept(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        # Another admin renames the user while the confirmation is on screen.
        await sandbox_toolkit.client.aupdate_user(user["id"], {"firstName": "Other"})
        return types.ElicitResult(action="accept", content={"confirm": True})

    server = build_server(sandbox_toolkit)
    async with Client(server, mode=mode, elicitation_callback=edit_then_accept) as client:
        result = await client.call_tool(
            "okta_update_user", {"user_id": user["id"], "first_name": "Approved"}
        )

    assert result.is_error
    assert text(result).startswith(
        f'Not done: user "{user["id"]}" (login "admin@example.com") changed since the person '
        "approved this update; what changed (as approved → now): "
        f'firstName: "{user["firstName"]}" → "Other".'
    )
    assert "Nothing was written. Propose the call again" in text(result)
    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == "Other"


async def test_an_approval_cannot_be_replayed_onto_other_arguments(
    sandbox_toolkit: OktaToolkit,
) -> None:
    user = await _first_user(sandbox_toolkit)
    server = build_server(sandbox_toolkit)
    yes = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}

    async with Client(server, elicitation_callback=Person()) as client:
        asked = await client.session.call_tool(
            "okta_update_user",
            {"user_id": user["id"], "first_name": "Shown"},
            allow_input_required=True,
        )
        assert isinstance(asked, types.InputRequiredResult)
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await client.session.call_tool(
                "okta_update_user",
                {"user_id": user["id"], "first_name": "Swapped", "email": "x@evil.example"},
                input_responses=yes,  # type: ignore[arg-type]
                request_state=asked.request_state,
            )

    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_a_forged_approval_is_refused(sandbox_toolkit: OktaToolkit) -> None:
    user = await _first_user(sandbox_toolkit)
    server = build_server(sandbox_toolkit)
    forged = '{"tool":"okta_update_user","preview":"anything"}'
    yes = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}

    async with Client(server, elicitation_callback=Person()) as client:
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await client.session.call_tool(
                "okta_update_user",
                {"user_id": user["id"], "first_name": "Forged"},
                input_responses=yes,  # type: ignore[arg-type]
                request_state=forged,
            )

    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


@pytest.mark.parametrize(
    ("person", "says"),
    [
        (Person(action="accept", ticked=False), "without ticking 'Make this change'"),
        (Person(action="cancel"), "dismissed the confirmation without deciding"),
    ],
    ids=["accepted-unticked", "cancelled"],
)
async def test_only_an_accepted_ticked_confirmation_writes(
    sandbox_toolkit: OktaToolkit, mode: str, person: Person, says: str
) -> None:
    user = await _first_user(sandbox_toolkit)

    async with Client(build_server(sandbox_toolkit), mode=mode, elicitation_callback=person) as c:
        result = await c.call_tool("okta_update_user", {"user_id": user["id"], "first_name": "No"})

    assert result.is_error
    assert says in text(result)
    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_arguments_the_tool_refuses_are_refused_without_asking_anyone(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    person = Person()
    user = await _first_user(sandbox_toolkit)

    async with Client(build_server(sandbox_toolkit), mode=mode, elicitation_callback=person) as c:
        result = await c.call_tool(
            "okta_update_user", {"user_id": user["id"], "department": "Finance"}
        )

    assert result.is_error
    assert text(result).startswith("Invalid arguments: department is not an argument")
    assert person.shown == []


async def test_no_confirm_runs_writes_without_asking(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    user = await _first_user(sandbox_toolkit)
    server = build_server(sandbox_toolkit, ServerOptions(confirm_writes=False))

    async with Client(server, mode=mode) as client:
        result = await client.call_tool(
            "okta_update_user", {"user_id": user["id"], "first_name": "Unconfirmed"}
        )

    assert not result.is_error, text(result)
    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == "Unconfirmed"


async def test_a_client_that_answers_the_question_with_an_error_gets_nothing_written(
    sandbox_toolkit: OktaToolkit,
) -> None:
    user = await _first_user(sandbox_toolkit)

    async def broken(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ErrorData:
        return types.ErrorData(code=-32603, message="the dialog crashed")

    async with Client(
        build_server(sandbox_toolkit), mode="legacy", elicitation_callback=broken
    ) as c:
        result = await c.call_tool("okta_update_user", {"user_id": user["id"], "first_name": "X"})

    assert result.is_error
    assert "the confirmation could not be shown" in text(result)
    assert "the dialog crashed" in text(result)
    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_two_writes_to_one_user_approved_together_cannot_both_go_ahead(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    """Sibling calls: both previews are shown before either runs; the second one approved no
    longer describes the user once the first has run, so it is stopped."""
    user = await _first_user(sandbox_toolkit)
    both_shown = asyncio.Event()
    shown: list[str] = []

    async def approve_when_both_are_shown(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        shown.append(params.message)
        if len(shown) == 2:
            both_shown.set()
        await both_shown.wait()
        return types.ElicitResult(action="accept", content={"confirm": True})

    server = build_server(sandbox_toolkit)
    async with Client(server, mode=mode, elicitation_callback=approve_when_both_are_shown) as c:
        results = await asyncio.gather(
            c.call_tool("okta_update_user", {"user_id": user["id"], "first_name": "First"}),
            c.call_tool("okta_update_user", {"user_id": user["id"], "first_name": "Second"}),
        )

    assert sorted(result.is_error for result in results) == [False, True]
    [done] = [result for result in results if not result.is_error]
    [stopped] = [result for result in results if result.is_error]
    assert "changed since the person approved this update" in text(stopped)
    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == done.structured_content["user"]["firstName"]  # type: ignore[index]


async def test_a_person_who_never_answers_leaves_the_org_unchanged(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    user = await _first_user(sandbox_toolkit)
    asked = asyncio.Event()

    async def never_answers(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        asked.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    server = build_server(sandbox_toolkit)
    async with Client(server, mode=mode, elicitation_callback=never_answers) as client:
        call = asyncio.create_task(
            client.call_tool("okta_update_user", {"user_id": user["id"], "first_name": "Gone"})
        )
        await asyncio.wait_for(asked.wait(), timeout=10)
        # The client goes away (the window is closed) while the question is on screen.
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call

    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_an_approval_older_than_its_ten_minutes_is_refused(
    sandbox_toolkit: OktaToolkit, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await _first_user(sandbox_toolkit)
    server = build_server(sandbox_toolkit)
    yes = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}
    arguments = {"user_id": user["id"], "first_name": "Late"}

    async with Client(server, elicitation_callback=Person()) as client:
        asked = await client.session.call_tool(
            "okta_update_user", arguments, allow_input_required=True
        )
        assert isinstance(asked, types.InputRequiredResult)
        # The person answers eleven minutes later.
        later = time.time() + APPROVAL_SECONDS + 60
        monkeypatch.setattr(request_state, "time", SimpleNamespace(time=lambda: later))
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await client.session.call_tool(
                "okta_update_user",
                arguments,
                input_responses=yes,  # type: ignore[arg-type]
                request_state=asked.request_state,
            )

    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_an_approval_from_another_server_process_is_refused(
    sandbox_toolkit: OktaToolkit,
) -> None:
    """A restarted server (or another worker) has its own key: approvals do not carry over."""
    user = await _first_user(sandbox_toolkit)
    yes = {"confirm": types.ElicitResult(action="accept", content={"confirm": True})}
    arguments = {"user_id": user["id"], "first_name": "Elsewhere"}

    async with Client(build_server(sandbox_toolkit), elicitation_callback=Person()) as first:
        asked = await first.session.call_tool(
            "okta_update_user", arguments, allow_input_required=True
        )
    assert isinstance(asked, types.InputRequiredResult)
    async with Client(build_server(sandbox_toolkit), elicitation_callback=Person()) as second:
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await second.session.call_tool(
                "okta_update_user",
                arguments,
                input_responses=yes,  # type: ignore[arg-type]
                request_state=asked.request_state,
            )

    now = await sandbox_toolkit.client.aget_user(user["id"])
    assert now.profile.firstName == user["firstName"]


async def test_an_update_by_login_never_lands_on_whoever_takes_the_login_meanwhile(
    sandbox_toolkit: OktaToolkit, mode: str
) -> None:
    first = (await sandbox_toolkit.client.alist_users(limit=2)).users[1]
    login = str(first.profile.login)
    newcomer: list[str] = []

    async def move_login_then_accept(
        context: ClientRequestContext, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        # While the person decides, the user's login changes and a new hire gets it.
        client = sandbox_toolkit.client
        await client.aupdate_user(first.id, {"login": f"moved.{login}"})
        hire = await client.acreate_user(
            {"firstName": "New", "lastName": "Hire", "email": login, "login": login},
            activate=False,
        )
        newcomer.append(hire.id)
        return types.ElicitResult(action="accept", content={"confirm": True})

    server = build_server(sandbox_toolkit)
    async with Client(server, mode=mode, elicitation_callback=move_login_then_accept) as c:
        result = await c.call_tool(
            "okta_update_user", {"user_id": login, "email": "x@evil.example"}
        )

    assert result.is_error
    assert "Nothing was written" in text(result)
    hire = await sandbox_toolkit.client.aget_user(newcomer[0])
    assert hire.profile.email == login
    moved = await sandbox_toolkit.client.aget_user(first.id)
    assert moved.profile.email == first.profile.email
