"""What the model sees of a user: a compact view, as JSON that no profile value can break."""

import json

import pytest

from langchain_okta.models import OktaUser
from langchain_okta.views import (
    LIST_COLUMNS,
    listed_users,
    user_content,
    user_view,
    users_content,
)

RAW_USER = {
    "id": "00u1abcd",
    "status": "ACTIVE",
    "created": "2024-01-02T03:04:05.000Z",
    "activated": "2024-01-02T03:04:06.000Z",
    "statusChanged": "2024-01-02T03:04:06.000Z",
    "lastLogin": "2025-05-01T10:00:00.000Z",
    "lastUpdated": "2025-04-01T10:00:00.000Z",
    "passwordChanged": "2024-01-03T00:00:00.000Z",
    "type": {"id": "oty1"},
    "profile": {
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane.doe@example.com",
        "login": "jane.doe@example.com",
        "mobilePhone": "+1 555 0100",
        "department": "Sales",
        "employeeNumber": "4711",
    },
    "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
    "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u1abcd"}},
}


def user(**changes):
    return OktaUser.model_validate({**RAW_USER, **changes})


def test_view_keeps_only_the_fields_an_admin_needs():
    assert user_view(user()) == {
        "id": "00u1abcd",
        "status": "ACTIVE",
        "login": "jane.doe@example.com",
        "email": "jane.doe@example.com",
        "firstName": "Jane",
        "lastName": "Doe",
        "mobilePhone": "+1 555 0100",
        "created": "2024-01-02T03:04:05.000Z",
        "activated": "2024-01-02T03:04:06.000Z",
        "lastLogin": "2025-05-01T10:00:00.000Z",
        "lastUpdated": "2025-04-01T10:00:00.000Z",
    }


@pytest.mark.parametrize(
    "dropped",
    ["_links", "credentials", "type", "statusChanged", "passwordChanged", "department", "profile"],
)
def test_view_drops_links_credentials_and_custom_attributes(dropped):
    assert dropped not in user_view(user())


def test_view_omits_empty_fields():
    sparse = user(
        activated=None,
        lastLogin=None,
        profile={"firstName": "Jane", "lastName": "Doe", "login": "jd", "mobilePhone": None},
    )

    view = user_view(sparse)

    for empty in ("activated", "lastLogin", "mobilePhone", "email"):
        assert empty not in view


@pytest.mark.parametrize(
    "name",
    [
        'Jane "JD" Doe',
        "back\\slash\\",
        "line\nbreak\r\n",
        "</script><script>alert(1)</script>",
        "Zoë Ångström 李小龍 🚀",
        '"},"admin":true,"x":{"',
        "\u2028\u2029",
    ],
)
def test_awkward_names_stay_valid_json_that_round_trips(name):
    odd = user(profile={**RAW_USER["profile"], "firstName": name, "lastName": name})

    content = user_content(odd, changed=["firstName"])

    parsed = json.loads(content)
    assert parsed["user"]["firstName"] == name
    assert parsed["user"]["lastName"] == name
    assert set(parsed) == {"user", "changed"}


def test_user_content_carries_extra_fields_beside_the_user():
    parsed = json.loads(user_content(user(), changed=["lastName"]))

    assert parsed == {"user": user_view(user()), "changed": ["lastName"]}


def test_users_content_is_a_table_of_the_list_columns_and_the_next_cursor():
    parsed = json.loads(users_content([user(), user(id="00u2")], "00u2"))

    assert parsed["columns"] == list(LIST_COLUMNS)
    assert len(parsed["users"]) == 2
    assert all(len(row) == len(LIST_COLUMNS) for row in parsed["users"])
    assert parsed["next_cursor"] == "00u2"


def test_listed_users_reads_each_row_back_into_the_users_view_fields():
    listed = listed_users(users_content([user(), user(id="00u2")], None))

    for row, original in zip(listed, [user(), user(id="00u2")], strict=True):
        assert {name: value for name, value in row.items() if value is not None} == {
            name: value for name, value in user_view(original).items() if name in LIST_COLUMNS
        }


def test_last_page_has_a_null_next_cursor():
    parsed = json.loads(users_content([], None))

    assert parsed == {"columns": list(LIST_COLUMNS), "users": [], "next_cursor": None}


def test_content_is_compact_json_without_padding():
    content = users_content([user()], None)

    assert content == json.dumps(json.loads(content), separators=(",", ":"), ensure_ascii=False)
