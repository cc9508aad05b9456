"""The approval policy: which tools pause, and how each paused call is described."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import ValidationError

from langchain_okta import OktaToolkit
from langchain_okta.approvals import (
    CallDescriber,
    adescribe_call,
    apreview_call,
    describe_call,
    preview_call,
)
from langchain_okta.previews import CreatePreview, UpdatePreview
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

JANE = "jane.patel@example.com"
UPDATE = "okta_update_user"
CREATE = "okta_create_user"
NEW_PERSON = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}


def a_call(name: str, args: dict[str, Any], call_id: str | None = "call-1") -> Any:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


# -- the policy ------------------------------------------------------------------------------


def test_write_tools_pause_and_read_tools_do_not(toolkit: OktaToolkit):
    policy = toolkit.approval_policy()

    assert policy["okta_list_users"] is False
    assert policy["okta_get_user"] is False
    for name in (CREATE, UPDATE):
        config = policy[name]
        assert isinstance(config, dict)
        assert config["allowed_decisions"] == ["approve", "edit", "reject"]
        assert callable(config["description"])


def test_the_policy_covers_exactly_the_toolkits_tools(toolkit: OktaToolkit):
    assert set(toolkit.approval_policy()) == {tool.name for tool in toolkit.get_tools()}


def test_a_read_only_toolkit_has_nothing_to_pause(org: SandboxOrg):
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport(), read_only=True)

    assert toolkit.approval_policy() == {"okta_list_users": False, "okta_get_user": False}


def test_allowed_decisions_can_be_narrowed(toolkit: OktaToolkit):
    policy = toolkit.approval_policy(allowed_decisions=["reject", "approve"])

    assert policy[CREATE]["allowed_decisions"] == ["approve", "reject"]  # type: ignore[index]


def test_respond_can_be_allowed_when_asked_for(toolkit: OktaToolkit):
    policy = toolkit.approval_policy(allowed_decisions=["approve", "respond"])

    assert policy[UPDATE]["allowed_decisions"] == ["approve", "respond"]  # type: ignore[index]


@pytest.mark.parametrize("allowed", [[], ["approve", "ignore"], "approve"])
def test_unknown_or_missing_decisions_are_refused(toolkit: OktaToolkit, allowed: Any):
    with pytest.raises(ValueError, match="allowed_decisions must be a non-empty list"):
        toolkit.approval_policy(allowed_decisions=allowed)


def test_the_describer_does_not_show_the_token(toolkit: OktaToolkit, org: SandboxOrg):
    describer = toolkit.approval_policy()[CREATE]["description"]  # type: ignore[index]

    assert org.token not in repr(describer)


# -- describing one call ---------------------------------------------------------------------


def test_describe_call_previews_an_update(toolkit: OktaToolkit):
    text = describe_call(toolkit.client, UPDATE, {"user_id": JANE, "last_name": "Smith"})

    assert '  last name     "Patel" → "Smith"' in text.splitlines()


def test_describe_call_previews_a_create(toolkit: OktaToolkit):
    text = describe_call(toolkit.client, CREATE, {**NEW_PERSON, "activate": False})

    assert "create the user as STAGED and send nothing" in text


async def test_adescribe_call_gives_the_same_description(toolkit: OktaToolkit):
    args = {"user_id": JANE, "email": "jane@new.example"}

    assert await adescribe_call(toolkit.client, UPDATE, args) == describe_call(
        toolkit.client, UPDATE, args
    )


def test_arguments_the_tool_would_refuse_are_described_without_a_request(
    toolkit: OktaToolkit, org: SandboxOrg
):
    start = len(org.requests)

    text = describe_call(toolkit.client, CREATE, {**NEW_PERSON, "password": "hunter2!"})

    assert "the arguments are invalid (password is not an argument of this tool)" in text
    assert len(org.requests) == start


def test_an_unsafe_user_id_is_described_as_invalid(toolkit: OktaToolkit, org: SandboxOrg):
    start = len(org.requests)

    text = describe_call(toolkit.client, UPDATE, {"user_id": "../groups", "last_name": "X"})

    assert "the arguments are invalid (user_id '../groups' cannot be used" in text
    assert len(org.requests) == start


def test_an_unexpected_failure_is_described_and_logged(
    toolkit: OktaToolkit, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(toolkit.client, "preview_update", broken)

    with caplog.at_level(logging.ERROR, logger="langchain_okta.approvals"):
        text = describe_call(toolkit.client, UPDATE, {"user_id": JANE, "last_name": "X"})

    assert "preview unavailable" in text
    assert "an unexpected RuntimeError" in text
    assert "failed unexpectedly" in caplog.text


def test_a_tool_that_writes_nothing_has_no_preview(toolkit: OktaToolkit):
    text = describe_call(toolkit.client, "okta_get_user", {"user_id": JANE})

    assert text.startswith("okta_get_user has no preview.")


# -- the preview as data, for an application's own screen ------------------------------------


def test_preview_call_gives_the_typed_update_preview(toolkit: OktaToolkit):
    preview = preview_call(toolkit.client, UPDATE, {"user_id": JANE, "mobile_phone": ""})

    assert isinstance(preview, UpdatePreview)
    assert preview.consequences == ["mobile_phone_removed"]


async def test_apreview_call_gives_the_typed_create_preview(toolkit: OktaToolkit):
    preview = await apreview_call(toolkit.client, CREATE, NEW_PERSON)

    assert isinstance(preview, CreatePreview)
    assert preview.profile["login"] == NEW_PERSON["email"]


def test_preview_call_checks_arguments_with_the_tools_schema(toolkit: OktaToolkit):
    with pytest.raises(ValidationError):
        preview_call(toolkit.client, UPDATE, {"user_id": JANE})  # no change asked for


def test_preview_call_refuses_a_tool_that_writes_nothing(toolkit: OktaToolkit):
    with pytest.raises(ValueError, match="writes nothing"):
        preview_call(toolkit.client, "okta_list_users", {})


# -- asked again when the paused run resumes -------------------------------------------------


def test_a_call_described_again_is_read_again_from_the_org(toolkit: OktaToolkit, org: SandboxOrg):
    describe = CallDescriber(toolkit.client)
    call = a_call(UPDATE, {"user_id": JANE, "last_name": "Smith"})
    describe(call, {}, None)
    toolkit.client.update_user(JANE, {"lastName": "Smith"})

    again = describe(call, {}, None)

    # Nothing is cached: the same call id in another conversation, or later, is read afresh.
    assert '  last name     "Smith" (no change)' in again.splitlines()


def test_a_call_is_described_after_the_write_calls_before_it_in_its_message(
    toolkit: OktaToolkit,
):
    describe = CallDescriber(toolkit.client)
    first = a_call(UPDATE, {"user_id": JANE, "last_name": "Smith"}, "call-1")
    second = a_call(UPDATE, {"user_id": JANE, "last_name": "Patel"}, "call-2")
    message = AIMessage(content="", tool_calls=[first, second])

    text = describe(second, {"messages": [message]}, None)

    assert "This turn: Call 1 of this turn also change(s) this user" in text
    assert '  last name     "Smith" → "Patel"' in text.splitlines()
