"""A listing by `query` pages like any other: a partial result never looks complete."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from langchain_okta import OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture
def toolkit() -> Iterator[OktaToolkit]:
    org = SandboxOrg(users=5)
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())
    for n in range(9):
        toolkit.client.create_user(
            {"firstName": "Janvier", "lastName": f"Test{n}", "email": f"jt{n}@example.org"},
            activate=False,
        )
    yield toolkit
    toolkit.client.close()


def test_a_query_with_more_matches_than_the_limit_pages_through_all_of_them(
    toolkit: OktaToolkit,
) -> None:
    list_users = next(tool for tool in toolkit.get_tools() if tool.name == "okta_list_users")

    logins, cursor, pages = [], None, 0
    while True:
        page = json.loads(list_users.invoke({"query": "janvier", "limit": 2, "cursor": cursor}))
        logins += [row[2] for row in page["users"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sorted(logins) == sorted(f"jt{n}@example.org" for n in range(9))
    assert pages == 5
