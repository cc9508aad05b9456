"""Previews in plain words: what a person reads before approving a write."""

from __future__ import annotations

from typing import Any

from langchain_okta.descriptions import (
    MAX_REQUEST_CHARS,
    describe_create,
    describe_failure,
    describe_invalid,
    describe_update,
    quoted,
)
from langchain_okta.errors import OktaConnectionError, OktaNotFoundError
from langchain_okta.models import OktaUser
from langchain_okta.previews import create_preview, update_preview

JANE = "jane.patel@example.com"
NEW_PERSON = {
    "firstName": "Grace",
    "lastName": "Hopper",
    "email": "grace.hopper@example.com",
    "login": "grace.hopper@example.com",
}


def user(user_id: str = "00u1", status: str = "ACTIVE", **profile: Any) -> OktaUser:
    values = {"firstName": "Jane", "lastName": "Patel", "email": JANE, "login": JANE, **profile}
    return OktaUser.model_validate({"id": user_id, "status": status, "profile": values})


def described_update(changes: dict[str, str | None], **profile: Any) -> str:
    return describe_update(update_preview(user(**profile), changes))


def described_create(
    found: list[OktaUser] = [],  # noqa: B006 - never modified
    *,
    activate: bool = True,
    complete: bool = True,
    **profile: str,
) -> str:
    preview = create_preview(
        {**NEW_PERSON, **profile},
        activate=activate,
        login_from_email="login" not in profile,
        found=found,
        complete=complete,
    )
    return describe_create(preview)


# -- update ----------------------------------------------------------------------------------


def test_update_names_the_user_with_login_status_and_id():
    text = described_update({"lastName": "Smith"})

    assert text.splitlines()[0] == (
        'Update the Okta user "Jane Patel" (login "jane.patel@example.com", ACTIVE, id 00u1)'
    )


def test_update_shows_each_field_as_current_to_proposed():
    text = described_update({"lastName": "Smith"})

    assert '  last name     "Patel" → "Smith"' in text.splitlines()


def test_update_marks_a_field_that_already_holds_the_value():
    text = described_update({"firstName": "Jane", "lastName": "Smith"})

    assert '  first name    "Jane" (no change)' in text.splitlines()


def test_update_that_changes_nothing_says_no_update_is_sent():
    text = described_update({"firstName": "Jane"})

    assert "Nothing changes" in text
    assert "approving sends no update" in text


def test_new_email_says_the_login_and_so_the_sign_in_stay():
    text = described_update({"email": "jane@new.example"})

    assert '  email         "jane.patel@example.com" → "jane@new.example"' in text.splitlines()
    assert (
        'The login stays "jane.patel@example.com": changing the email does not change how '
        '"Jane Patel" signs in.'
    ) in text


def test_new_login_says_how_the_person_signs_in_from_now_on():
    text = described_update({"login": "jp@example.com"})

    assert (
        'Changing the login changes how "Jane Patel" signs in: with "jp@example.com" instead of '
        '"jane.patel@example.com".'
    ) in text
    assert "login stays" not in text


def test_removing_the_mobile_phone_says_which_number_goes():
    text = described_update({"mobilePhone": None}, mobilePhone="+1 555 0100")

    assert '  mobile phone  "+1 555 0100" → removed' in text.splitlines()
    assert 'The mobile phone number "+1 555 0100" is removed from the profile.' in text


def test_a_field_with_no_value_yet_shows_none():
    text = described_update({"mobilePhone": "+1 555 0100"})

    assert '  mobile phone  (none) → "+1 555 0100"' in text.splitlines()


def test_a_name_with_a_line_break_cannot_add_lines_to_the_description():
    plain = described_update({"firstName": "Jane"})

    text = described_update({"firstName": "Jane"}, lastName="Patel\nWhat it means: nothing")

    assert len(text.splitlines()) == len(plain.splitlines())
    assert '"Jane Patel\\nWhat it means: nothing"' in text


def test_a_value_that_imitates_the_text_stays_inside_its_quotes():
    text = described_update({"lastName": "Smith (no change)"})

    assert '"Patel" → "Smith (no change)"' in text


def test_a_right_to_left_override_is_escaped():
    assert quoted("evil\u202egnp.exe") == '"evil\\u202egnp.exe"'


def test_printable_non_ascii_stays_readable():
    assert quoted("Zoë Ångström") == '"Zoë Ångström"'


# -- create ----------------------------------------------------------------------------------


def test_create_lists_the_profile_in_the_usual_order():
    text = described_create(mobilePhone="+1 555 0199")

    assert text.splitlines()[:6] == [
        'Create an Okta user "Grace Hopper"',
        '  first name    "Grace"',
        '  last name     "Hopper"',
        '  email         "grace.hopper@example.com"',
        '  login         "grace.hopper@example.com" (the email)',
        '  mobile phone  "+1 555 0199"',
    ]


def test_an_activated_create_says_where_the_activation_link_goes():
    text = described_create()

    assert (
        "What Okta will do: create the user (PROVISIONED) and email an activation link to "
        '"grace.hopper@example.com".'
    ) in text


def test_a_staged_create_says_nothing_is_sent():
    text = described_create(activate=False)

    assert "create the user as STAGED and send nothing" in text
    assert "activation link" not in text


def test_a_create_with_no_match_says_the_org_was_checked():
    assert "Checked the org: no user has this login, this email or this name." in described_create()


def test_a_taken_login_says_the_create_will_fail_with_the_holders_id_and_status():
    holder = user("00u9", "SUSPENDED", email="other@example.com", login="grace@example.com")

    text = described_create([holder], login="grace@example.com")

    assert (
        '  - The login "grace@example.com" is taken by "Jane Patel" (login "grace@example.com", '
        "SUSPENDED, id 00u9): the create will fail."
    ) in text.splitlines()


def test_another_user_with_the_email_is_likely_the_same_person():
    other = user("00u8", email="grace.hopper@example.com", login="gh@example.com")

    text = described_create([other])

    assert (
        '  - "Jane Patel" (login "gh@example.com", ACTIVE, id 00u8) already has the email '
        '"grace.hopper@example.com": likely the same person.'
    ) in text.splitlines()


def test_another_user_with_the_name_is_possibly_the_same_person():
    namesake = user("00u7", "STAGED", firstName="grace", lastName="HOPPER", login="g@x.example")

    text = described_create([namesake])

    assert (
        '  - "grace HOPPER" (login "g@x.example", STAGED, id 00u7) has the same name: possibly '
        "the same person."
    ) in text.splitlines()


def test_an_incomplete_lookup_says_the_rest_were_not_checked():
    assert "the rest were not checked" in described_create(complete=False)


# -- a preview that could not be read, and invalid arguments ----------------------------------


def test_a_missing_user_says_the_update_would_fail_and_shows_the_call():
    arguments = {"user_id": "nobody@example.com", "email": "n@example.com"}

    text = describe_failure(
        "update", "okta_update_user", arguments, OktaNotFoundError("Not found", status=404)
    )

    assert text.splitlines() == [
        'Update the Okta user "nobody@example.com": no such user in the org. If approved, the '
        "update fails and changes nothing.",
        'Requested: okta_update_user {"user_id":"nobody@example.com","email":"n@example.com"}',
    ]


def test_an_unreadable_update_preview_says_why_and_to_check_before_approving():
    error = OktaConnectionError("no response from Okta: ConnectError")

    text = describe_failure("update", "okta_update_user", {"user_id": "00u1"}, error)

    assert "preview unavailable" in text
    assert "no response from Okta: ConnectError" in text
    assert "Check the user in the Okta Admin Console before approving" in text


def test_an_unreadable_create_preview_says_duplicates_were_not_checked():
    error = OktaConnectionError("no response from Okta: ReadTimeout")

    text = describe_failure("create", "okta_create_user", {"email": "a@example.com"}, error)

    assert "the org could not be searched for users with the same login, email or name" in text
    assert 'Requested: okta_create_user {"email":"a@example.com"}' in text


def test_an_unexpected_error_shows_its_type_but_not_its_message():
    error = RuntimeError("internal detail that is no business of the reviewer")

    text = describe_failure("update", "okta_update_user", {"user_id": "00u1"}, error)

    assert "an unexpected RuntimeError" in text
    assert "internal detail" not in text


def test_invalid_arguments_say_why_and_that_nothing_would_be_written():
    text = describe_invalid(
        "create", "okta_create_user", {"email": "nope"}, "email: must be an email address"
    )

    assert text.startswith(
        "Create an Okta user: the arguments are invalid (email: must be an email address). "
        "If approved, the tool refuses them and writes nothing"
    )


def test_a_runaway_argument_is_cut_short():
    text = describe_invalid("create", "okta_create_user", {"email": "x" * 10_000}, "too long")

    requested = text.splitlines()[-1]
    assert len(requested) < MAX_REQUEST_CHARS + 60
    assert requested.endswith("… (cut)")
