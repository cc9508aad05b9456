"""Previews of writes as data: what an update or a create would do, read with one request."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_okta import OktaClient, OktaSettings, RetrySettings
from langchain_okta.errors import OktaNotFoundError, OktaRateLimitError, OktaServerError
from langchain_okta.models import OktaUser
from langchain_okta.previews import create_preview, lookup_search, update_preview
from langchain_okta.sandbox import IN_PROCESS_URL, Fault, RateLimit, SandboxOrg

JANE = "jane.patel@example.com"
OSCAR = "oscar.ramirez@example.com"
NEW_PERSON = {"firstName": "Grace", "lastName": "Hopper", "email": "grace.hopper@example.com"}


@pytest.fixture
def client(org: SandboxOrg) -> OktaClient:
    return client_on(org)


def client_on(org: SandboxOrg) -> OktaClient:
    settings = OktaSettings(org_url=IN_PROCESS_URL, api_token=org.token)
    return OktaClient(settings, transport=org.transport())


def user(**profile: Any) -> OktaUser:
    values = {"firstName": "Jane", "lastName": "Patel", "email": JANE, "login": JANE, **profile}
    return OktaUser.model_validate({"id": "00u1", "status": "ACTIVE", "profile": values})


def requests_since(org: SandboxOrg, start: int) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request in org.requests[start:]]


# -- update: the pure comparison ---------------------------------------------------------------


def test_update_preview_marks_a_field_that_already_holds_the_value_as_no_change():
    preview = update_preview(user(), {"firstName": "Jane", "lastName": "Smith"})

    assert [(f.attribute, f.current, f.proposed, f.changes) for f in preview.fields] == [
        ("firstName", "Jane", "Jane", False),
        ("lastName", "Patel", "Smith", True),
    ]
    assert preview.changed == ["lastName"]


def test_update_preview_says_who_the_user_is():
    preview = update_preview(user(), {"lastName": "Smith"})

    assert preview.user.model_dump() == {
        "id": "00u1",
        "status": "ACTIVE",
        "login": JANE,
        "email": JANE,
        "first_name": "Jane",
        "last_name": "Patel",
    }
    assert preview.user.name == "Jane Patel"


def test_a_new_email_without_a_new_login_says_the_login_stays():
    preview = update_preview(user(), {"email": "jane@new.example"})

    assert preview.consequences == ["email_changes_login_stays"]


def test_a_new_login_says_sign_in_changes_and_not_that_the_login_stays():
    preview = update_preview(user(), {"email": "jp@example.com", "login": "jp@example.com"})

    assert preview.consequences == ["login_changes"]


def test_clearing_the_mobile_phone_says_it_is_removed():
    preview = update_preview(user(mobilePhone="+1 555 0100"), {"mobilePhone": None})

    assert preview.fields[0].proposed is None
    assert preview.consequences == ["mobile_phone_removed"]


def test_clearing_a_mobile_phone_there_is_not_changes_nothing():
    preview = update_preview(user(), {"mobilePhone": None})

    assert preview.changed == []
    assert preview.consequences == ["nothing_changes"]


def test_a_custom_attribute_value_is_shown_as_text():
    preview = update_preview(user(costCenter=42), {"costCenter": "43"})

    assert preview.fields[0].current == "42"


@pytest.mark.parametrize(
    "changes",
    [
        {"firstName": "Jane"},
        {"firstName": "Janet", "lastName": "Patel"},
        {"email": "JANE.PATEL@example.com"},
        {"mobilePhone": None},
        {"mobilePhone": "+1-555-664-5924", "login": "jp@example.com"},
    ],
)
def test_update_preview_lists_as_changed_exactly_what_the_update_then_changes(
    client: OktaClient, changes: dict[str, str | None]
):
    preview = client.preview_update(JANE, changes)

    _, changed = client.update_user(JANE, changes)

    assert preview.changed == changed


# -- update: the request -------------------------------------------------------------------------


def test_preview_update_sends_one_get_and_writes_nothing(client: OktaClient, org: SandboxOrg):
    jane_id = org.find_by_login(JANE)["id"]  # type: ignore[index]
    start = len(org.requests)

    preview = client.preview_update(jane_id, {"email": "jane@new.example"})

    assert requests_since(org, start) == [("GET", f"/api/v1/users/{jane_id}")]
    assert preview.user.id == jane_id
    assert org.find_by_login(JANE)["profile"]["email"] == JANE  # type: ignore[index]


async def test_apreview_update_gives_the_same_preview(client: OktaClient):
    changes: dict[str, str | None] = {"email": "jane@new.example", "firstName": "Jane"}

    assert await client.apreview_update(JANE, changes) == client.preview_update(JANE, changes)


def test_preview_of_a_missing_user_raises_not_found(client: OktaClient):
    with pytest.raises(OktaNotFoundError):
        client.preview_update("nobody@example.com", {"firstName": "No"})


def test_a_preview_is_not_retried(org: SandboxOrg):
    client = client_on(org)
    org.inject(Fault(kind="status", status=503, method="GET"))
    start = len(org.requests)

    with pytest.raises(OktaServerError):
        client.preview_update(JANE, {"firstName": "Janet"})

    assert len(org.requests) - start == 1


def test_the_same_fault_is_retried_by_a_read(org: SandboxOrg):
    # The contrast to the test above: the fault is one a read gets past.
    settings = OktaSettings(
        org_url=IN_PROCESS_URL,
        api_token=org.token,
        retries=RetrySettings(backoff_base=0, backoff_max=0),
    )
    client = OktaClient(settings, transport=org.transport())
    org.inject(Fault(kind="status", status=503, method="GET"))

    assert client.get_user(JANE).profile.login == JANE


def test_a_preview_does_not_wait_out_the_rate_limit_and_sends_nothing():
    # A frozen org clock at a window's start: the window resets in 10 s, which a tool call
    # would wait for (RetrySettings.max_wait is 20 s) and a preview must not.
    window_start = 1_700_000_000.0
    org = SandboxOrg(rate_limit=RateLimit(limit=1, window_seconds=10), clock=lambda: window_start)
    client = client_on(org)
    client.get_user(JANE)  # the window's one request
    start = len(org.requests)

    with pytest.raises(OktaRateLimitError) as raised:
        client.preview_update(JANE, {"firstName": "Janet"})

    assert len(org.requests) == start
    assert "not sent" in str(raised.value)


# -- create: the lookup --------------------------------------------------------------------------


def test_lookup_search_asks_for_the_login_the_email_or_the_name():
    profile = {**NEW_PERSON, "login": "grace@example.com"}

    assert lookup_search(profile) == (
        'profile.login eq "grace@example.com" or profile.email eq "grace.hopper@example.com" '
        'or (profile.firstName eq "Grace" and profile.lastName eq "Hopper")'
    )


def test_lookup_search_quotes_values_with_quotes_and_backslashes():
    profile = {"firstName": 'Jo "JJ"', "lastName": "O\\Neil", "login": "jo@example.com"}

    assert lookup_search(profile) == (
        'profile.login eq "jo@example.com" or '
        '(profile.firstName eq "Jo \\"JJ\\"" and profile.lastName eq "O\\\\Neil")'
    )


def test_preview_create_finds_a_same_name_person_whose_name_needs_quoting(client: OktaClient):
    client.create_user({"firstName": 'Jo "JJ"', "lastName": "O\\Neil", "email": "jo@example.com"})

    preview = client.preview_create(
        {"firstName": 'Jo "JJ"', "lastName": "O\\Neil", "email": "jo.oneil@example.com"}
    )

    assert [(m.user.login, m.same_name) for m in preview.matches] == [("jo@example.com", True)]


def test_preview_create_sends_one_search_and_writes_nothing(client: OktaClient, org: SandboxOrg):
    start = len(org.requests)

    preview = client.preview_create(NEW_PERSON)

    sent = org.requests[start:]
    assert [(r.method, r.path) for r in sent] == [("GET", "/api/v1/users")]
    assert dict(sent[0].query) == {
        "search": lookup_search({**NEW_PERSON, "login": NEW_PERSON["email"]}),
        "limit": "200",
    }
    assert preview.matches == []
    assert preview.lookup_complete
    assert org.find_by_login(NEW_PERSON["email"]) is None


def test_preview_create_shows_the_profile_the_create_sends_with_the_login_from_the_email(
    client: OktaClient,
):
    preview = client.preview_create({**NEW_PERSON, "mobilePhone": ""})

    assert preview.profile == {**NEW_PERSON, "login": NEW_PERSON["email"]}
    assert preview.login_from_email


def test_preview_create_keeps_a_given_login(client: OktaClient):
    preview = client.preview_create({**NEW_PERSON, "login": "grace@example.com"})

    assert preview.profile["login"] == "grace@example.com"
    assert not preview.login_from_email


def test_an_activated_create_emails_the_activation_link_to_the_email(client: OktaClient):
    preview = client.preview_create(NEW_PERSON)

    assert (preview.status_after, preview.activation_email_to) == (
        "PROVISIONED",
        "grace.hopper@example.com",
    )


def test_a_staged_create_sends_nothing(client: OktaClient):
    preview = client.preview_create(NEW_PERSON, activate=False)

    assert (preview.status_after, preview.activation_email_to) == ("STAGED", None)


def test_a_taken_login_in_another_case_is_found(client: OktaClient, org: SandboxOrg):
    preview = client.preview_create({**NEW_PERSON, "login": OSCAR.upper()})

    oscar = org.find_by_login(OSCAR)
    assert preview.login_taken
    assert [(m.user.id, m.user.status, m.same_login) for m in preview.matches] == [
        (oscar["id"], "ACTIVE", True)  # type: ignore[index]
    ]


def test_a_deprovisioned_user_still_holds_their_login(client: OktaClient):
    preview = client.preview_create({**NEW_PERSON, "login": "ivan.costa@example.com"})

    assert preview.login_taken
    assert preview.matches[0].user.status == "DEPROVISIONED"


def test_another_user_with_the_same_email_is_a_match_but_the_login_is_free(client: OktaClient):
    preview = client.preview_create(
        {"firstName": "O", "lastName": "R", "email": OSCAR, "login": "o.r@example.com"}
    )

    assert not preview.login_taken
    assert [(m.same_login, m.same_email, m.same_name) for m in preview.matches] == [
        (False, True, False)
    ]


async def test_apreview_create_gives_the_same_preview(client: OktaClient):
    profile = {"firstName": "Oscar", "lastName": "Ramirez", "email": "oscar@example.com"}

    assert await client.apreview_create(profile) == client.preview_create(profile)


def test_create_preview_puts_the_login_holder_first_then_same_email_then_same_name():
    found = [
        user(firstName="Grace", lastName="Hopper", email="g@x.example", login="g@x.example"),
        user(email="grace.hopper@example.com", login="gh@x.example"),
        user(email="other@x.example", login="grace.hopper@example.com"),
        user(email="unrelated@x.example", login="unrelated@x.example"),
    ]
    profile = {**NEW_PERSON, "login": "grace.hopper@example.com"}

    preview = create_preview(
        profile, activate=True, login_from_email=True, found=found, complete=True
    )

    assert [m.user.login for m in preview.matches] == [
        "grace.hopper@example.com",
        "gh@x.example",
        "g@x.example",
    ]


def test_a_lookup_with_more_than_one_page_is_marked_incomplete(org: SandboxOrg):
    # 201 people named Grace Hopper: one page of the lookup cannot hold them all.
    client = client_on(org)
    for number in range(201):
        client.create_user({**NEW_PERSON, "email": f"grace{number}@example.com"}, activate=False)

    preview = client.preview_create(NEW_PERSON)

    assert not preview.lookup_complete
    assert len(preview.matches) == 200
