"""User ids and logins become exactly one path segment under /api/v1/users, or are refused."""

import pytest

from langchain_okta.errors import InvalidUserIdError
from langchain_okta.paths import MAX_USER_ID_LENGTH, check_user_id, user_path


@pytest.mark.parametrize(
    "user_id", ["00u1abcdEFGH2345x0h7", "jane.doe@example.com", "jane", "me", "o'brien+test@ex.co"]
)
def test_ids_and_logins_are_accepted_unchanged(user_id):
    assert check_user_id(user_id) == user_id


def test_user_path_puts_an_id_under_the_users_path():
    assert user_path("00u1abcd") == "/api/v1/users/00u1abcd"


def test_user_path_percent_encodes_a_login_as_one_segment():
    assert user_path("jane.doe@example.com") == "/api/v1/users/jane.doe%40example.com"


@pytest.mark.parametrize(
    ("login", "segment"),
    [("a+b@example.com", "a%2Bb%40example.com"), ("jane doe", "jane%20doe"), ("x:y", "x%3Ay")],
)
def test_user_path_encodes_every_reserved_character(login, segment):
    assert user_path(login) == f"/api/v1/users/{segment}"


def test_user_path_appends_sub_resources_after_the_id():
    assert user_path("jane@example.com", "roles") == "/api/v1/users/jane%40example.com/roles"


@pytest.mark.parametrize(
    "user_id",
    [
        "../groups",
        "00u1/lifecycle/deactivate",
        "a\\b",
        "..",
        ".",
        " .. ",
        "jane\r\nX-Injected: 1",
        "jane\x00",
        "jane\x7f",
    ],
)
def test_path_changing_characters_are_refused(user_id):
    with pytest.raises(InvalidUserIdError):
        check_user_id(user_id)


@pytest.mark.parametrize(
    "user_id",
    [
        "00u1%2Flifecycle",
        "00u1%2flifecycle",
        "%2e%2e",
        "%2E%2E%2Fgroups",
        "%2e",
        "00u1%5Cx",
        "00u1%252Flifecycle",
        "%25252e%25252e",
        "jane%0d%0aX-Injected:%201",
        "jane%00",
    ],
)
def test_percent_encoded_path_changers_are_refused(user_id):
    with pytest.raises(InvalidUserIdError):
        check_user_id(user_id)


@pytest.mark.parametrize(
    ("login", "segment"),
    [
        ("ops#1@example.com", "ops%231%40example.com"),
        ("who?@example.com", "who%3F%40example.com"),
        ("me?activate=false", "me%3Factivate%3Dfalse"),
        ("a;b=c@example.com", "a%3Bb%3Dc%40example.com"),
        ("100%@example.com", "100%25%40example.com"),
    ],
)
def test_logins_with_query_or_fragment_characters_become_one_encoded_segment(login, segment):
    assert user_path(login) == f"/api/v1/users/{segment}"


@pytest.mark.parametrize(
    ("user_id", "named"),
    [("a/b", "'/'"), ("a%2Fb", "'/' (percent-encoded)"), ("a\\b", "'\\'"), ("a\x00", "U+0000")],
)
def test_a_refusal_names_what_the_value_contains(user_id, named):
    with pytest.raises(InvalidUserIdError) as refused:
        check_user_id(user_id)

    assert named in str(refused.value)


@pytest.mark.parametrize("user_id", ["../x", "%2e%2e", "a/b"])
def test_user_path_refuses_what_check_user_id_refuses(user_id):
    with pytest.raises(InvalidUserIdError):
        user_path(user_id)


@pytest.mark.parametrize("user_id", ["", " ", "\t", "   "])
def test_empty_or_blank_ids_are_refused(user_id):
    with pytest.raises(InvalidUserIdError, match="empty"):
        check_user_id(user_id)


def test_surrounding_whitespace_is_refused():
    with pytest.raises(InvalidUserIdError, match="whitespace"):
        check_user_id(" 00u1abcd ")


def test_overlong_ids_are_refused():
    with pytest.raises(InvalidUserIdError, match="longer"):
        check_user_id("a" * (MAX_USER_ID_LENGTH + 1))


def test_an_id_of_the_maximum_length_is_accepted():
    assert check_user_id("a" * MAX_USER_ID_LENGTH) == "a" * MAX_USER_ID_LENGTH


def test_invalid_user_id_is_a_value_error():
    assert issubclass(InvalidUserIdError, ValueError)
