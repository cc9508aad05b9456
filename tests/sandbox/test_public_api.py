"""What `langchain_okta.sandbox` offers for testing an agent offline, and what its import costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import langchain_okta.sandbox as sandbox
from langchain_okta.sandbox import scripted_model

OFFLINE_TESTING = {
    "IN_PROCESS_URL",
    "Fault",
    "RateLimit",
    "SandboxOrg",
    "ScriptedChatModel",
    "Turn",
    "frozen_clock",
    "last_tool_json",
    "last_tool_result",
    "tool_call",
}


def test_the_sandbox_exports_the_org_the_scripted_model_and_their_helpers() -> None:
    assert set(sandbox.__all__) == OFFLINE_TESTING
    for name in sandbox.__all__:
        assert getattr(sandbox, name) is not None


def test_the_scripted_model_is_the_one_in_its_own_module() -> None:
    from langchain_okta.sandbox import ScriptedChatModel, tool_call

    assert ScriptedChatModel is scripted_model.ScriptedChatModel
    assert tool_call is scripted_model.tool_call


def test_dir_lists_the_lazily_imported_names() -> None:
    assert set(dir(sandbox)) >= OFFLINE_TESTING


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = sandbox.NoSuchThing  # type: ignore[attr-defined]


def test_importing_the_sandbox_does_not_load_langchain() -> None:
    code = "import sys, langchain_okta.sandbox; print('langchain_core' in sys.modules)"

    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )

    assert done.stdout.strip() == "False"
