"""The previews of one model message: each call in the light of the calls before it."""

from __future__ import annotations

from typing import Any

from langchain_okta import OktaToolkit
from langchain_okta.bindings import TurnApprovals
from langchain_okta.sandbox import Fault, SandboxOrg
from langchain_okta.turns import WriteCall

JANE = "jane.patel@example.com"
UPDATE = "okta_update_user"
CREATE = "okta_create_user"
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}


def turn(toolkit: OktaToolkit, *calls: tuple[str, dict[str, Any]]) -> TurnApprovals:
    return toolkit.client.preview_turn(
        [WriteCall(f"call-{n}", name, args) for n, (name, args) in enumerate(calls, start=1)],
        "message-1",
    )


def test_each_call_costs_one_request(toolkit: OktaToolkit, org: SandboxOrg):
    start = len(org.requests)

    turn(toolkit, (UPDATE, {"user_id": JANE, "last_name": "A"}), (CREATE, GRACE))

    assert [r.method for r in org.requests[start:]] == ["GET", "GET"]


def test_a_call_alone_in_its_message_is_bound_to_the_version_it_read(toolkit: OktaToolkit):
    binding = turn(toolkit, (UPDATE, {"user_id": JANE, "last_name": "A"})).calls["call-1"].update

    assert binding is not None
    assert binding.etag
    assert binding.after_calls == []


def test_a_second_update_of_a_user_is_bound_to_the_values_the_first_leaves(toolkit: OktaToolkit):
    approvals = turn(
        toolkit,
        (UPDATE, {"user_id": JANE, "last_name": "A"}),
        (UPDATE, {"user_id": JANE, "first_name": "B"}),
    )

    second = approvals.calls["call-2"].update
    assert second is not None
    assert second.etag is None
    assert second.after_calls == [1]
    assert (second.seen["lastName"], second.expected["lastName"]) == ("Patel", "A")


def test_updates_of_different_users_do_not_depend_on_each_other(toolkit: OktaToolkit):
    approvals = turn(
        toolkit,
        (UPDATE, {"user_id": JANE, "last_name": "A"}),
        (UPDATE, {"user_id": "oscar.ramirez@example.com", "last_name": "B"}),
    )

    second = approvals.calls["call-2"]
    assert second.update is not None
    assert second.update.after_calls == []
    assert "This turn" not in second.description


def test_an_update_of_a_login_an_earlier_call_gives_goes_to_that_user(toolkit: OktaToolkit):
    approvals = turn(
        toolkit,
        (UPDATE, {"user_id": JANE, "login": "jane.p@example.com"}),
        (UPDATE, {"user_id": "jane.p@example.com", "last_name": "A"}),
    )

    first, second = approvals.calls["call-1"].update, approvals.calls["call-2"].update
    assert first is not None
    assert second is not None
    assert second.user_id == first.user_id
    assert second.expected["login"] == "jane.p@example.com"


def test_a_failed_preview_binds_nothing_and_says_so(toolkit: OktaToolkit, org: SandboxOrg):
    org.inject(Fault(kind="status", status=503, method="GET"))

    approval = turn(toolkit, (UPDATE, {"user_id": JANE, "last_name": "A"})).calls["call-1"]

    assert approval.update is None
    assert "preview unavailable" in approval.description


def test_invalid_arguments_bind_nothing_and_send_nothing(toolkit: OktaToolkit, org: SandboxOrg):
    start = len(org.requests)

    approval = turn(toolkit, (CREATE, {**GRACE, "password": "x"})).calls["call-1"]

    assert approval.create is None
    assert "the arguments are invalid" in approval.description
    assert org.requests[start:] == []


def test_the_previews_survive_a_round_trip_through_json(toolkit: OktaToolkit):
    approvals = turn(
        toolkit, (CREATE, GRACE), (UPDATE, {"user_id": GRACE["email"], "last_name": "H."})
    )

    assert TurnApprovals.model_validate_json(approvals.model_dump_json()) == approvals
