"""Approved writes: each does what its binding says the reviewer saw, or writes nothing."""

from __future__ import annotations

import pytest

from langchain_okta import OktaApprovalStaleError, OktaClient, OktaNotFoundError, OktaToolkit
from langchain_okta.bindings import CallApproval, CreateBinding, UpdateBinding
from langchain_okta.sandbox import Fault, SandboxOrg
from langchain_okta.turns import WriteCall

JANE = "jane.patel@example.com"
OSCAR = "oscar.ramirez@example.com"
GRACE = {"firstName": "Grace", "lastName": "Hopper", "email": "grace.hopper@example.com"}


def previewed(client: OktaClient, name: str, args: dict[str, object]) -> CallApproval:
    approvals = client.preview_turn([WriteCall("call-1", name, args)])
    return approvals.calls["call-1"]


def update_binding(client: OktaClient, args: dict[str, object]) -> UpdateBinding:
    binding = previewed(client, "okta_update_user", args).update
    assert binding is not None
    return binding


def writes(org: SandboxOrg, start: int) -> list[tuple[str, int | None]]:
    return [(r.method, r.status) for r in org.requests[start:] if r.method != "GET"]


# -- updates -------------------------------------------------------------------------------------


def test_an_update_binds_the_id_and_etag_it_previewed(toolkit: OktaToolkit, org: SandboxOrg):
    binding = update_binding(toolkit.client, {"user_id": JANE, "last_name": "Smith"})

    assert binding.user_id == org.find_by_login(JANE)["id"]  # type: ignore[index]
    assert binding.etag
    assert binding.seen == binding.expected
    assert binding.expected["lastName"] == "Patel"


def test_an_unchanged_user_is_updated_with_the_attributes_that_changed(toolkit: OktaToolkit):
    binding = update_binding(toolkit.client, {"user_id": JANE, "last_name": "Smith"})

    user, changed = toolkit.client.update_approved(binding, {"lastName": "Smith"})

    assert user.profile.lastName == "Smith"
    assert changed == ["lastName"]


def test_a_change_the_preview_did_not_show_still_stops_the_write(
    toolkit: OktaToolkit, org: SandboxOrg
):
    binding = update_binding(toolkit.client, {"user_id": JANE, "last_name": "Smith"})
    toolkit.client.update_user(JANE, {"mobilePhone": "+1-555-0100"})
    start = len(org.requests)

    with pytest.raises(OktaApprovalStaleError, match="attributes the preview did not show"):
        toolkit.client.update_approved(binding, {"lastName": "Smith"})
    assert writes(org, start) == []


def test_an_update_of_a_user_the_preview_did_not_find_sends_nothing(
    toolkit: OktaToolkit, org: SandboxOrg
):
    binding = update_binding(toolkit.client, {"user_id": "nobody@example.com", "last_name": "X"})
    start = len(org.requests)

    with pytest.raises(OktaNotFoundError, match="the preview found no such user"):
        toolkit.client.update_approved(binding, {"lastName": "X"})
    assert org.requests[start:] == []


def test_a_write_whose_answer_was_lost_and_applied_counts_as_done(
    toolkit: OktaToolkit, org: SandboxOrg
):
    binding = update_binding(toolkit.client, {"user_id": JANE, "last_name": "Smith"})
    org.inject(Fault(kind="drop", method="POST", after_processing=True))

    user, changed = toolkit.client.update_approved(binding, {"lastName": "Smith"})

    # The retry met a 412 (its If-Match named the version before the lost write); the user
    # then held exactly the approved result.
    assert (user.profile.lastName, changed) == ("Smith", ["lastName"])
    assert [status for _, status in writes(org, 0)][-1] == 412


async def test_the_async_update_keeps_the_same_binding(toolkit: OktaToolkit):
    binding = update_binding(toolkit.client, {"user_id": JANE, "last_name": "Smith"})
    toolkit.client.update_user(JANE, {"firstName": "Janet"})

    with pytest.raises(OktaApprovalStaleError, match='firstName: "Jane" → "Janet"'):
        await toolkit.client.aupdate_approved(binding, {"lastName": "Smith"})


# -- creates -------------------------------------------------------------------------------------


def create_binding(client: OktaClient, args: dict[str, object]) -> CreateBinding:
    binding = previewed(client, "okta_create_user", args).create
    assert binding is not None
    return binding


GRACE_ARGS = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com"}


def test_a_create_runs_when_the_lookup_finds_no_one_new(toolkit: OktaToolkit):
    binding = create_binding(toolkit.client, GRACE_ARGS)

    user = toolkit.client.create_approved(binding, GRACE)

    assert user.profile.login == GRACE["email"]


def test_someone_the_preview_showed_does_not_stop_the_create(toolkit: OktaToolkit):
    args = {"first_name": "Oscar", "last_name": "R.", "email": OSCAR, "login": "o.r@example.com"}
    binding = create_binding(toolkit.client, args)

    user = toolkit.client.create_approved(
        binding,
        {"firstName": "Oscar", "lastName": "R.", "email": OSCAR, "login": "o.r@example.com"},
    )

    assert len(binding.known_matches) == 1
    assert user.profile.login == "o.r@example.com"


def test_someone_new_with_the_same_name_stops_the_create(toolkit: OktaToolkit, org: SandboxOrg):
    binding = create_binding(toolkit.client, GRACE_ARGS)
    toolkit.client.create_user({**GRACE, "email": "g.hopper@example.com"})
    start = len(org.requests)

    with pytest.raises(OktaApprovalStaleError, match="has the same name"):
        toolkit.client.create_approved(binding, GRACE)
    assert writes(org, start) == []
