"""The server takes the toolkit's credentials from the same environment variables, checks
the admin at start-up, and serves the tools those rights or granted scopes allow: a
subprocess on stdio against a loopback sandbox org, as a client configuration would start it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp_support import SERVER, Person, text

from langchain_okta.sandbox import SandboxOrg

READ_TOOLS = ["okta_list_users", "okta_get_user"]
ALL_TOOLS = [*READ_TOOLS, "okta_create_user", "okta_update_user"]


def _server(environment: Mapping[str, str]) -> StdioServerParameters:
    return StdioServerParameters(
        command=SERVER[0],
        args=SERVER[1:-1],  # without --sandbox: the org comes from the environment
        env={"PATH": os.environ.get("PATH", ""), **environment},
    )


async def _tools(environment: Mapping[str, str]) -> list[str]:
    async with Client(_server(environment)) as client:
        return [tool.name for tool in (await client.list_tools()).tools]


async def test_an_api_token_of_a_read_only_admin_gets_the_read_tools() -> None:
    org = SandboxOrg(users=5, admin_roles=["READ_ONLY_ADMIN"])
    with org.serve() as url:
        tools = await _tools({"OKTA_ORG_URL": url, "OKTA_API_TOKEN": org.token})

    assert tools == READ_TOOLS


async def test_a_service_app_granted_only_reading_gets_the_read_tools() -> None:
    org = SandboxOrg(users=5)
    app = org.add_service_app(scopes=["okta.users.read", "okta.roles.read"])
    auth = app.auth()
    with org.serve() as url:
        tools = await _tools(
            {
                "OKTA_ORG_URL": url,
                "OKTA_CLIENT_ID": auth.client_id,
                "OKTA_PRIVATE_KEY": app.private_key_pem or "",
                "OKTA_KEY_ID": auth.key_id or "",
                "OKTA_SCOPES": "okta.users.read okta.roles.read",
            }
        )

    assert tools == READ_TOOLS


async def test_a_service_app_that_may_manage_users_gets_confirmed_writes() -> None:
    org = SandboxOrg(users=5)
    app = org.service_app
    auth = app.auth()
    admin = org.admin
    with org.serve() as url:
        environment = {
            "OKTA_ORG_URL": url,
            "OKTA_CLIENT_ID": auth.client_id,
            "OKTA_PRIVATE_KEY": app.private_key_pem or "",
            "OKTA_KEY_ID": auth.key_id or "",
        }
        async with Client(_server(environment), elicitation_callback=Person()) as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            result = await client.call_tool(
                "okta_update_user", {"user_id": admin["id"], "first_name": "Scoped"}
            )

    assert tools == ALL_TOOLS
    assert not result.is_error, text(result)
    changed = org.find_by_login(admin["profile"]["login"])
    assert changed is not None
    assert changed["profile"]["firstName"] == "Scoped"


async def test_the_token_never_appears_in_the_servers_log_or_answers(tmp_path: Path) -> None:
    org = SandboxOrg(users=5, token="00SeCrEtToKeN-do-not-print")
    log = tmp_path / "stderr.log"
    with org.serve() as url, log.open("w") as errlog:
        environment = {"OKTA_ORG_URL": url, "OKTA_API_TOKEN": org.token}
        transport = stdio_client(_server(environment), errlog=errlog)
        async with Client(transport) as client:
            answers = [
                await client.call_tool("okta_get_user", {"user_id": "nobody@example.com"}),
                await client.call_tool("okta_list_users", {"search": "profile.x eq"}),
                await client.call_tool("okta_update_user", {"user_id": "x", "first_name": "Y"}),
            ]

    written = log.read_text()
    assert "serving http://" in written
    assert org.token not in written
    for answer in answers:
        assert answer.is_error
        assert org.token not in text(answer)
