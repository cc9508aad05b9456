"""The pieces of the binding middleware: the stored description, the call order, the policy."""

from __future__ import annotations

import pytest
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import AIMessage

from langchain_okta import OktaToolkit
from langchain_okta.approval_middleware import (
    STATE_KEY,
    OktaApprovalBinding,
    StoredDescription,
)
from langchain_okta.call_order import CallOrder
from langchain_okta.sandbox import SandboxOrg
from langchain_okta.turns import WriteCall

JANE = "jane.patel@example.com"
CALL = {"name": "okta_update_user", "args": {"user_id": JANE, "last_name": "A"}, "id": "call-1"}


def saved(toolkit: OktaToolkit, message_id: str = "message-1") -> dict[str, object]:
    """The state after the binding middleware previewed CALL, made by message `message-1`."""
    approvals = toolkit.client.preview_turn(
        [WriteCall("call-1", "okta_update_user", CALL["args"])], "message-1"
    )
    message = AIMessage(content="", tool_calls=[CALL], id=message_id)
    return {"messages": [message], STATE_KEY: approvals.model_dump(mode="json")}


def test_the_middleware_pauses_the_writes_and_binds_them(toolkit: OktaToolkit):
    hitl, binding = toolkit.approval_middleware(allowed_decisions=["approve", "reject"])

    assert isinstance(hitl, HumanInTheLoopMiddleware)
    assert isinstance(binding, OktaApprovalBinding)
    assert set(hitl.interrupt_on) == {"okta_create_user", "okta_update_user"}
    assert hitl.interrupt_on["okta_update_user"]["allowed_decisions"] == ["approve", "reject"]


def test_a_read_only_toolkit_pauses_nothing(org: SandboxOrg):
    from langchain_okta.sandbox import IN_PROCESS_URL

    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport(), read_only=True)

    hitl, _ = toolkit.approval_middleware()

    assert hitl.interrupt_on == {}


def test_unknown_decisions_are_refused(toolkit: OktaToolkit):
    with pytest.raises(ValueError, match="allowed_decisions must be a non-empty list"):
        toolkit.approval_middleware(allowed_decisions=["approve", "ignore"])


def test_the_description_is_the_saved_preview_and_reads_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    state = saved(toolkit)
    start = len(org.requests)

    text = StoredDescription(toolkit.client, live_check=False)(CALL, state, None)

    assert '  last name     "Patel" → "A"' in text.splitlines()
    assert org.requests[start:] == []


def test_a_call_with_no_saved_preview_cannot_be_described(toolkit: OktaToolkit):
    with pytest.raises(RuntimeError, match="in that order"):
        StoredDescription(toolkit.client, live_check=False)(CALL, {}, None)


def test_a_preview_saved_for_an_earlier_message_reusing_the_call_id_is_not_shown(
    toolkit: OktaToolkit,
):
    state = saved(toolkit, message_id="message-2")

    with pytest.raises(RuntimeError, match="in that order"):
        StoredDescription(toolkit.client, live_check=False)(CALL, state, None)


def test_shown_again_the_description_says_what_changed_escaped(toolkit: OktaToolkit):
    state = saved(toolkit)
    toolkit.client.update_user(JANE, {"firstName": "Jane\u2028Approved\u202e"})

    text = StoredDescription(toolkit.client, live_check=True)(CALL, state, None)

    assert (
        'Since this preview the user changed: firstName: "Jane" → "Jane\\u2028Approved\\u202e".'
    ) in text
    assert "\u2028" not in text
    assert "\u202e" not in text


def test_shown_again_unchanged_the_description_is_the_saved_one(toolkit: OktaToolkit):
    state = saved(toolkit)

    live = StoredDescription(toolkit.client, live_check=True)(CALL, state, None)

    assert live == StoredDescription(toolkit.client, live_check=False)(CALL, state, None)


def test_the_middleware_does_not_show_the_token(toolkit: OktaToolkit, org: SandboxOrg):
    hitl, binding = toolkit.approval_middleware()
    describe = hitl.interrupt_on["okta_update_user"]["description"]

    assert org.token not in repr(binding)
    assert org.token not in repr(describe)


def test_the_call_order_knows_which_calls_ended():
    order = CallOrder(size=2)
    order.end(("t", "m", "call-1"))

    assert order.all_ended([("t", "m", "call-1")])
    assert not order.all_ended([("t", "m", "call-1"), ("t", "m", "call-2")])
    assert not order.all_ended([("other thread", "m", "call-1")])


def test_the_call_order_forgets_its_oldest_past_its_size():
    order = CallOrder(size=2)
    for n in range(3):
        order.end(("t", "m", f"call-{n}"))

    assert not order.all_ended([("t", "m", "call-0")])
    assert order.all_ended([("t", "m", "call-1"), ("t", "m", "call-2")])
