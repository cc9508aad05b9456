"""A page cursor continues only the listing of the org it came from: in a thread continued by
a person of another org, the model's cursor is refused before anything is sent, rather than
starting that org's listing somewhere and skipping its users."""

from __future__ import annotations

import json

from connected_runs import call, tool_named
from okta_people import Person

from langchain_okta.connected import OktaConnectedToolkit


def _first_page_cursor(toolkit: OktaConnectedToolkit, person: Person) -> str:
    page = json.loads(call(tool_named(toolkit, "okta_list_users"), person.connection, limit=2))
    cursor = page["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def test_a_cursor_of_one_orgs_listing_is_refused_for_another_org(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    acme_admin, globex_admin = people[0], people[3]
    cursor = _first_page_cursor(toolkit, acme_admin)

    answer = call(
        tool_named(toolkit, "okta_list_users"), globex_admin.connection, limit=2, cursor=cursor
    )

    assert "another Okta org" in answer
    assert not [r for r in globex_admin.org.requests if r.path == "/api/v1/users"]


def test_a_cursor_continues_the_listing_for_another_person_of_the_same_org(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    acme_admin, acme_helper = people[0], people[1]
    cursor = _first_page_cursor(toolkit, acme_admin)

    answer = call(
        tool_named(toolkit, "okta_list_users"), acme_helper.connection, limit=2, cursor=cursor
    )

    assert json.loads(answer)["users"]
