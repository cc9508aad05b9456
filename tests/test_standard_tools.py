"""LangChain's standard tool tests (langchain-tests), for each of the four tools.

The integration suites run offline against a fresh in-process sandbox org per test.
"""

from __future__ import annotations

from typing import Any, ClassVar

from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


def _sandbox_tool(name: str) -> BaseTool:
    org = SandboxOrg()
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
    return next(tool for tool in toolkit.get_tools() if tool.name == name)


class _OktaToolTests:
    tool_name: str
    example: ClassVar[dict[str, Any]]

    @property
    def tool_constructor(self) -> BaseTool:
        return _sandbox_tool(self.tool_name)

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return dict(self.example)


class _ListUsers(_OktaToolTests):
    tool_name = "okta_list_users"
    example: ClassVar[dict[str, Any]] = {"search": 'profile.department eq "Sales"', "limit": 5}


class _GetUser(_OktaToolTests):
    tool_name = "okta_get_user"
    example: ClassVar[dict[str, Any]] = {"user_id": "me"}


class _CreateUser(_OktaToolTests):
    tool_name = "okta_create_user"
    example: ClassVar[dict[str, Any]] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada.lovelace@example.com",
        "activate": False,
    }


class _UpdateUser(_OktaToolTests):
    tool_name = "okta_update_user"
    example: ClassVar[dict[str, Any]] = {"user_id": "me", "mobile_phone": "+1 555 0100"}


class TestListUsersUnit(_ListUsers, ToolsUnitTests):
    pass


class TestListUsersIntegration(_ListUsers, ToolsIntegrationTests):
    pass


class TestGetUserUnit(_GetUser, ToolsUnitTests):
    pass


class TestGetUserIntegration(_GetUser, ToolsIntegrationTests):
    pass


class TestCreateUserUnit(_CreateUser, ToolsUnitTests):
    pass


class TestCreateUserIntegration(_CreateUser, ToolsIntegrationTests):
    pass


class TestUpdateUserUnit(_UpdateUser, ToolsUnitTests):
    pass


class TestUpdateUserIntegration(_UpdateUser, ToolsIntegrationTests):
    pass
