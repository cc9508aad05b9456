"""The model's view does not change: the connected tools are the toolkit's four, with the same
names, descriptions and schemas, and the runtime is no argument the model sees."""

from __future__ import annotations

from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_okta import OktaToolkit
from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


def test_the_connected_tools_are_the_toolkits_four_as_the_model_sees_them(
    toolkit: OktaConnectedToolkit, acme: SandboxOrg
) -> None:
    with OktaToolkit(IN_PROCESS_URL, acme.token, transport=acme.transport()) as prebuilt:
        expected = [convert_to_openai_tool(tool) for tool in prebuilt.get_tools()]

    seen = [convert_to_openai_tool(tool) for tool in toolkit.get_tools()]

    assert seen == expected
    assert all("runtime" not in str(tool) for tool in seen)
