"""The tools' argument schemas accept exactly the fields an agent may set."""

import pytest
from pydantic import ValidationError

from langchain_okta.arguments import CreateUserArgs, GetUserArgs, ListUsersArgs, UpdateUserArgs

NEW_USER = {"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@example.com"}


# -- unknown fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["department", "password", "status", "credentials", "profile", "groupIds"]
)
def test_create_refuses_fields_beyond_names_email_login_and_phone(field):
    with pytest.raises(ValidationError):
        CreateUserArgs(**NEW_USER, **{field: "x"})


@pytest.mark.parametrize("field", ["department", "status", "password", "firstName"])
def test_update_refuses_fields_beyond_names_email_login_and_phone(field):
    with pytest.raises(ValidationError):
        UpdateUserArgs(user_id="00u1", first_name="Jane", **{field: "x"})


@pytest.mark.parametrize("model", [ListUsersArgs, GetUserArgs])
def test_read_tools_refuse_unknown_fields(model):
    with pytest.raises(ValidationError):
        model(user_id="00u1", filter='status eq "ACTIVE"')


# -- list -----------------------------------------------------------------------------------


def test_list_defaults_to_twenty_users_and_no_criteria():
    args = ListUsersArgs()

    assert (args.limit, args.query, args.search, args.status, args.cursor) == (
        20,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("limit", [1, 200])
def test_list_limit_accepts_one_to_two_hundred(limit):
    assert ListUsersArgs(limit=limit).limit == limit


@pytest.mark.parametrize("limit", [0, -1, 201, 1000])
def test_list_limit_outside_one_to_two_hundred_is_refused(limit):
    with pytest.raises(ValidationError):
        ListUsersArgs(limit=limit)


def test_list_status_must_be_an_okta_status():
    assert ListUsersArgs(status="STAGED").status == "STAGED"
    with pytest.raises(ValidationError):
        ListUsersArgs(status="DELETED")


# -- get ------------------------------------------------------------------------------------


def test_get_accepts_an_id_or_a_login():
    assert GetUserArgs(user_id="jane.doe@example.com").user_id == "jane.doe@example.com"


@pytest.mark.parametrize("user_id", ["../groups", "00u1%2Froles", "", "   "])
def test_get_refuses_a_user_id_that_could_change_the_path(user_id):
    with pytest.raises(ValidationError):
        GetUserArgs(user_id=user_id)


# -- create ---------------------------------------------------------------------------------


def test_create_needs_first_name_last_name_and_email():
    for missing in NEW_USER:
        with pytest.raises(ValidationError):
            CreateUserArgs(**{k: v for k, v in NEW_USER.items() if k != missing})


def test_create_activates_by_default():
    assert CreateUserArgs(**NEW_USER).activate is True


@pytest.mark.parametrize(
    "email", ["jane", "jane@", "@example.com", "jane@example", "jane doe@example.com", "a@b@c.io"]
)
def test_create_refuses_what_is_not_an_email_address(email):
    with pytest.raises(ValidationError):
        CreateUserArgs(**{**NEW_USER, "email": email})


@pytest.mark.parametrize("email", ["jane.doe@example.com", "j+tag@sub.example.co.uk"])
def test_create_accepts_email_addresses(email):
    assert CreateUserArgs(**{**NEW_USER, "email": email}).email == email


@pytest.mark.parametrize("name", ["", "   ", "x" * 51, "Jane\nDoe", "Jane\x00"])
def test_create_refuses_empty_overlong_or_control_character_names(name):
    with pytest.raises(ValidationError):
        CreateUserArgs(**{**NEW_USER, "first_name": name})


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u06cc\u200c\u0631\u0632\u0627",  # Persian, with a zero-width non-joiner
        "\u0915\u094d\u200d\u0937",  # Devanagari, with a zero-width joiner
        "Jean\u00a0Pierre",  # a no-break space
        "Zo\u00eb",
        "\u05d3\u05d5\u05d3\u200f",  # Hebrew with a right-to-left mark
    ],
)
def test_create_accepts_every_character_a_persons_name_can_hold(name):
    assert CreateUserArgs(**{**NEW_USER, "first_name": name}).first_name == name


@pytest.mark.parametrize("name", ["Jane\u202eeoD", "Jane\u2066x\u2069", "Ja\x85ne", "Jane\ud800"])
def test_create_refuses_bidi_overrides_c1_controls_and_lone_surrogates(name):
    with pytest.raises(ValidationError):
        CreateUserArgs(**{**NEW_USER, "first_name": name})


FORGERS = ["\u2028", "\u2029", "\u202e", "\u2066", "\x1b", "\x85"]


@pytest.mark.parametrize("character", FORGERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Jane{}Doe"),
        ("last_name", "Do{}e"),
        ("email", "jane{}@example.com"),
        ("login", "jane{}@example.com"),
        ("mobile_phone", "+1 555{} 0100"),
    ],
)
def test_create_refuses_line_separators_bidi_and_controls_in_every_text_field(
    field, value, character
):
    with pytest.raises(ValidationError):
        CreateUserArgs(**{**NEW_USER, field: value.format(character)})


@pytest.mark.parametrize("character", FORGERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "login", "mobile_phone"])
def test_update_refuses_line_separators_bidi_and_controls(field, character):
    # Inside the value: at either end, whitespace such as U+2028 is stripped, not kept.
    value = f"x{character}x@example.com" if field in ("email", "login") else f"x{character}x"
    with pytest.raises(ValidationError):
        UpdateUserArgs(user_id="00u1", **{field: value})


def test_update_accepts_a_phone_number_with_a_no_break_space():
    args = UpdateUserArgs(user_id="00u1", mobile_phone="+1\u00a0555\u00a00100")

    assert args.mobile_phone == "+1\u00a0555\u00a00100"


def test_create_accepts_a_fifty_character_name():
    assert CreateUserArgs(**{**NEW_USER, "last_name": "x" * 50}).last_name == "x" * 50


@pytest.mark.parametrize("login", ["../admin", "a/b@example.com", "x" * 101])
def test_create_refuses_a_login_that_cannot_be_used_as_a_user_id(login):
    with pytest.raises(ValidationError):
        CreateUserArgs(**NEW_USER, login=login)


def test_create_strips_surrounding_whitespace():
    args = CreateUserArgs(
        first_name="  Jane ", last_name="\tDoe\n", email=" jane.doe@example.com ", login=" jdoe1 "
    )

    assert (args.first_name, args.last_name, args.email, args.login) == (
        "Jane",
        "Doe",
        "jane.doe@example.com",
        "jdoe1",
    )


# -- update ---------------------------------------------------------------------------------


def test_update_needs_at_least_one_field_to_change():
    with pytest.raises(ValidationError, match="at least one"):
        UpdateUserArgs(user_id="00u1")


def test_update_maps_fields_to_okta_attribute_names():
    args = UpdateUserArgs(
        user_id="00u1",
        first_name="Jane",
        last_name="Roe",
        email="jane.roe@example.com",
        login="jane.roe@example.com",
        mobile_phone="+1 555 0100",
    )

    assert args.profile_changes() == {
        "firstName": "Jane",
        "lastName": "Roe",
        "email": "jane.roe@example.com",
        "login": "jane.roe@example.com",
        "mobilePhone": "+1 555 0100",
    }


def test_update_changes_only_the_fields_given():
    assert UpdateUserArgs(user_id="00u1", last_name="Roe").profile_changes() == {"lastName": "Roe"}


def test_update_with_an_empty_mobile_phone_clears_the_number():
    assert UpdateUserArgs(user_id="00u1", mobile_phone="").profile_changes() == {
        "mobilePhone": None
    }


def test_update_strips_surrounding_whitespace():
    args = UpdateUserArgs(user_id=" 00u1 ", first_name=" Jane ", mobile_phone="  ")

    assert args.user_id == "00u1"
    assert args.profile_changes() == {"firstName": "Jane", "mobilePhone": None}


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "login"])
def test_update_refuses_an_empty_value_for_a_required_attribute(field):
    with pytest.raises(ValidationError):
        UpdateUserArgs(user_id="00u1", **{field: ""})


def test_update_refuses_a_user_id_that_could_change_the_path():
    with pytest.raises(ValidationError):
        UpdateUserArgs(user_id="00u1/lifecycle/deactivate", first_name="Jane")


@pytest.mark.parametrize(
    "search", ["profile.firstName pr) or (status pr", "(status pr", 'profile.login eq "a']
)
def test_list_refuses_a_search_that_could_escape_its_parentheses(search: str) -> None:
    with pytest.raises(ValidationError, match="search"):
        ListUsersArgs(search=search)


def test_list_accepts_parentheses_and_escaped_quotes_inside_strings() -> None:
    search = r'profile.title eq "VP (Sales) \"EMEA\""'

    assert ListUsersArgs(search=search).search == search
