"""GET /api/v1/users/{id}/roles: the admin's role assignments, shaped like Okta's."""

from __future__ import annotations

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


def _client(org: SandboxOrg) -> httpx.Client:
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


def test_admin_roles_are_standard_role_assignments():
    org = SandboxOrg(admin_roles=("SUPER_ADMIN", "ORG_ADMIN"))

    roles = _client(org).get(f"/api/v1/users/{org.admin['id']}/roles").json()

    assert [(role["type"], role["label"]) for role in roles] == [
        ("SUPER_ADMIN", "Super Organization administrator"),
        ("ORG_ADMIN", "Organization administrator"),
    ]
    for role in roles:
        assert role["status"] == "ACTIVE"
        assert role["assignmentType"] == "USER"
        assert role["id"]
        assert role["created"]
        assert role["lastUpdated"]
        assert role["_links"] == {
            "assignee": {"href": f"{IN_PROCESS_URL}/api/v1/users/{org.admin['id']}"}
        }


def test_roles_of_me_are_the_admins():
    org = SandboxOrg()
    client = _client(org)

    assert client.get("/api/v1/users/me/roles").json() == (
        client.get(f"/api/v1/users/{org.admin['id']}/roles").json()
    )


def test_roles_can_be_listed_by_login():
    org = SandboxOrg(admin_roles=("READ_ONLY_ADMIN",))

    roles = _client(org).get(f"/api/v1/users/{org.admin['profile']['login']}/roles").json()

    assert [role["type"] for role in roles] == ["READ_ONLY_ADMIN"]


def test_other_users_have_no_roles():
    org = SandboxOrg()

    response = _client(org).get(f"/api/v1/users/{org.users[5]['id']}/roles")

    assert response.status_code == 200
    assert response.json() == []


def test_admin_without_roles_gets_an_empty_list():
    org = SandboxOrg(admin_roles=())

    assert _client(org).get("/api/v1/users/me/roles").json() == []


def test_custom_role_names_its_role_and_resource_set():
    org = SandboxOrg(admin_roles=("CUSTOM",))

    role = _client(org).get("/api/v1/users/me/roles").json()[0]

    assert role["role"].startswith("cr0")
    assert role["resource-set"].startswith("iam")
    assert {"assignee", "role", "resource-set", "permissions", "member"} <= set(role["_links"])


def test_roles_of_an_unknown_user_are_404():
    response = _client(SandboxOrg()).get("/api/v1/users/nobody@example.com/roles")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E0000007"


def test_unknown_admin_role_is_rejected():
    with pytest.raises(ValueError, match="GOD_MODE"):
        SandboxOrg(admin_roles=("GOD_MODE",))


@pytest.mark.parametrize("roles", [("READ_ONLY_ADMIN",), ("HELP_DESK_ADMIN", "REPORT_ADMIN")])
def test_admins_who_cannot_manage_users_get_403_on_create(roles: tuple[str, ...]):
    org = SandboxOrg(admin_roles=roles)
    profile = {
        "firstName": "A",
        "lastName": "B",
        "email": "ab@example.com",
        "login": "ab@example.com",
    }

    response = _client(org).post("/api/v1/users", json={"profile": profile})

    assert response.status_code == 403
    assert response.json()["errorCode"] == "E0000006"
    assert org.find_by_login("ab@example.com") is None


def test_admins_who_cannot_manage_users_get_403_on_update():
    org = SandboxOrg(admin_roles=("READ_ONLY_ADMIN",))
    target = org.users[1]

    response = _client(org).post(
        f"/api/v1/users/{target['id']}", json={"profile": {"mobilePhone": "+1 555 0100"}}
    )

    assert response.status_code == 403
    assert org.users[1]["profile"] == target["profile"]


def test_group_admins_may_create_users():
    org = SandboxOrg(admin_roles=("USER_ADMIN",))
    profile = {
        "firstName": "A",
        "lastName": "B",
        "email": "ab@example.com",
        "login": "ab@example.com",
    }

    assert _client(org).post("/api/v1/users", json={"profile": profile}).status_code == 200
