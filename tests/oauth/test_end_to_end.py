"""Service apps end to end: the toolkit on the sandbox org, in process and over loopback,
sync and async: read-only and read-write apps, a missing scope, a wrong key, nonce rotation
and token expiry mid-run, and an app without DPoP."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from oauth_support import MovableClock

from langchain_okta import OktaAdminCheckError, OktaToolkit
from langchain_okta.oauth import PrivateKeyJwt
from langchain_okta.oauth.errors import OktaOAuthError
from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg
from langchain_okta.sandbox.authorization import ServiceApp


@dataclass
class Reach:
    """How the toolkits of one test reach the org; they are closed when the test ends."""

    url: str
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
    made: list[OktaToolkit] = field(default_factory=list)

    def close(self) -> None:
        for toolkit in self.made:
            toolkit.close()


@pytest.fixture(params=["in-process", "loopback"])
def reach(request: pytest.FixtureRequest, org: SandboxOrg) -> Iterator[Reach]:
    if request.param == "in-process":
        reached = Reach(IN_PROCESS_URL, org.transport())
        yield reached
        reached.close()
    else:
        with org.serve() as base_url:
            reached = Reach(base_url, None)
            yield reached
            reached.close()


def toolkit_for(
    reach: Reach, auth: PrivateKeyJwt, clock: MovableClock, **kwargs: Any
) -> OktaToolkit:
    toolkit = OktaToolkit(reach.url, auth=auth, transport=reach.transport, **kwargs)
    reach.made.append(toolkit)
    session = toolkit.client.oauth_session
    assert session is not None
    # The org and the client read one clock, which the tests move.
    session.clock = clock
    return toolkit


def token_requests(org: SandboxOrg) -> int:
    return sum(1 for request in org.requests if request.path == "/oauth2/v1/token")


def tools(toolkit: OktaToolkit) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in toolkit.get_tools()}


def call(tool: BaseTool, args: dict[str, Any], mode: str) -> ToolMessage:
    payload = {"name": tool.name, "args": args, "id": "call-1", "type": "tool_call"}
    result = asyncio.run(tool.ainvoke(payload)) if mode == "async" else tool.invoke(payload)
    assert isinstance(result, ToolMessage)
    return result


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def other_key_pem() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


# -- apps with different grants --------------------------------------------------------------


def test_a_read_write_app_gets_all_four_tools_and_they_work(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    by_name = tools(toolkit)

    created = call(
        by_name["okta_create_user"],
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "activate": False,
        },
        mode,
    )
    updated = call(
        by_name["okta_update_user"], {"user_id": "ada@example.com", "last_name": "King"}, mode
    )
    listed = call(by_name["okta_list_users"], {"query": "Ada"}, mode)

    assert set(by_name) == {
        "okta_list_users",
        "okta_get_user",
        "okta_create_user",
        "okta_update_user",
    }
    assert toolkit.granted_scopes == ("okta.users.read", "okta.users.manage", "okta.roles.read")
    assert toolkit.admin_roles == ("ORG_ADMIN",)
    assert [m.status for m in (created, updated, listed)] == ["success"] * 3
    assert json.loads(str(updated.content))["changed"] == ["lastName"]
    assert org.find_by_login("ada@example.com")["profile"]["lastName"] == "King"  # type: ignore[index]
    # One token (the nonce challenge, then the token) for the check and every call after it.
    assert token_requests(org) == 2


def test_a_read_only_app_gets_the_read_tools_and_a_warning_saying_why(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    app = org.add_service_app(scopes=["okta.users.read", "okta.roles.read"], roles=["ORG_ADMIN"])

    with pytest.warns(UserWarning, match="did not grant okta.users.manage"):
        toolkit = toolkit_for(reach, app.auth(), clock)
    listed = call(tools(toolkit)["okta_list_users"], {"limit": 3}, mode)

    assert set(tools(toolkit)) == {"okta_list_users", "okta_get_user"}
    assert toolkit.read_only
    assert listed.status == "success"


def test_read_only_roles_withhold_the_write_tools_even_with_the_manage_scope(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    app = org.add_service_app(
        scopes=["okta.users.read", "okta.users.manage", "okta.roles.read"],
        roles=["READ_ONLY_ADMIN"],
    )

    with pytest.warns(UserWarning, match="READ_ONLY_ADMIN"):
        toolkit = toolkit_for(reach, app.auth(), clock)

    assert toolkit.read_only


def test_read_only_true_does_not_even_ask_for_the_manage_scope(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock, read_only=True)

    assert toolkit.granted_scopes == ("okta.users.read", "okta.roles.read")
    assert set(tools(toolkit)) == {"okta_list_users", "okta_get_user"}


def test_an_app_without_okta_roles_read_is_told_its_roles_could_not_be_read(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    app = org.add_service_app(scopes=["okta.users.read", "okta.users.manage"])

    with pytest.warns(UserWarning, match="could not be read"):
        toolkit = toolkit_for(reach, app.auth(), clock)

    assert toolkit.admin is not None
    assert not toolkit.admin.roles_visible
    assert not toolkit.read_only


def test_a_missing_scope_comes_back_to_the_model_naming_it(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    app = org.add_service_app(scopes=["okta.users.read"])
    # Unchecked, the toolkit hands out every tool: Okta itself then refuses the write.
    toolkit = toolkit_for(reach, app.auth(), clock, check_admin=False)

    message = call(
        tools(toolkit)["okta_create_user"],
        {"first_name": "No", "last_name": "Scope", "email": "no.scope@example.com"},
        mode,
    )

    assert message.status == "error"
    assert "okta.users.manage" in str(message.content)
    assert "Do not retry" in str(message.content)
    assert org.find_by_login("no.scope@example.com") is None


def test_insisting_on_write_tools_without_the_scope_fails_saying_why(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    app = org.add_service_app(scopes=["okta.users.read", "okta.roles.read"])

    with pytest.raises(OktaAdminCheckError, match=r"okta\.users\.manage"):
        toolkit_for(reach, app.auth(), clock, read_only=False)


def test_an_app_granted_none_of_the_scopes_is_refused_naming_them(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    app = org.add_service_app(scopes=["okta.groups.read"])

    with pytest.raises(OktaOAuthError, match="consent_required") as raised:
        toolkit_for(reach, app.auth(), clock)

    assert "okta.users.read" in str(raised.value)


@pytest.mark.parametrize("key_id", ["sandbox-key-1", None])
def test_a_wrong_key_is_refused_as_invalid_client_on_creation(
    org: SandboxOrg, reach: Reach, clock: MovableClock, key_id: str | None
) -> None:
    auth = PrivateKeyJwt(
        client_id=org.service_app.client_id, private_key=other_key_pem(), key_id=key_id
    )

    with pytest.raises(OktaOAuthError, match="invalid_client") as raised:
        toolkit_for(reach, auth, clock)

    assert "private key" in str(raised.value)


def test_a_key_id_the_app_does_not_have_is_refused(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    auth = org.service_app.auth().model_copy(update={"key_id": "rotated-away"})

    with pytest.raises(OktaOAuthError, match="kid is invalid"):
        toolkit_for(reach, auth, clock)


# -- nonce rotation and token expiry mid-run -------------------------------------------------


def test_nonce_rotation_mid_run_costs_one_retry_and_no_error(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    org.authorization.require_api_nonce = True
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    get = tools(toolkit)["okta_get_user"]
    user_id = org.users[1]["id"]

    first = call(get, {"user_id": user_id}, mode)
    org.authorization.rotate_nonces()
    second = call(get, {"user_id": user_id}, mode)
    clock.advance(3600)  # the token expires too: renewed with the rotated nonce
    third = call(get, {"user_id": user_id}, mode)

    assert [m.status for m in (first, second, third)] == ["success"] * 3
    statuses = [(r.path, r.status) for r in org.requests if r.path.endswith(user_id)]
    # The check learned the API's nonce; after the rotation one call meets one challenge.
    assert statuses == [(f"/api/v1/users/{user_id}", s) for s in (200, 401, 200, 200)]
    # Check: challenge + token; renewal after rotation: challenge + token.
    assert token_requests(org) == 4


def test_token_expiry_with_20_concurrent_sync_calls_makes_exactly_one_token_request(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    get = tools(toolkit)["okta_get_user"]
    ids = [user["id"] for user in org.users][:20]
    # Learn the endpoint's rate limit first, so the 20 calls really go out together.
    call(get, {"user_id": ids[0]}, "sync")
    before = token_requests(org)
    clock.advance(3601)

    with ThreadPoolExecutor(max_workers=20) as pool:
        messages = list(pool.map(lambda user_id: call(get, {"user_id": user_id}, "sync"), ids * 2))

    assert {m.status for m in messages} == {"success"}
    assert token_requests(org) - before == 1


def test_token_expiry_with_20_concurrent_async_calls_makes_exactly_one_token_request(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    get = tools(toolkit)["okta_get_user"]
    ids = [user["id"] for user in org.users][:20]
    # Learn the endpoint's rate limit first, so the 20 calls really go out together.
    call(get, {"user_id": ids[0]}, "async")
    before = token_requests(org)
    clock.advance(3601)

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(*(get.ainvoke({"user_id": user_id}) for user_id in ids * 2))

    results = asyncio.run(all_at_once())

    assert all(json.loads(result)["user"]["id"] in ids for result in results)
    assert token_requests(org) - before == 1


@pytest.mark.parametrize(
    ("busy", "token_requests_after"),
    [
        # Read-only mode for a while: one try at renewal now, one 10 s later, no retries.
        (Fault(kind="status", status=503, path="/oauth2/v1/token", times=4), 2),
        # The 429; the next renewal waits for the reset the 429 reported, while the still
        # valid token serves.
        (Fault(kind="rate_limit", path="/oauth2/v1/token"), 1),
    ],
    ids=["503", "429"],
)
def test_a_busy_token_endpoint_at_early_renewal_fails_no_call(
    org: SandboxOrg,
    reach: Reach,
    clock: MovableClock,
    mode: str,
    busy: Fault,
    token_requests_after: int,
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    get = tools(toolkit)["okta_get_user"]
    user_id = org.users[0]["id"]
    before = token_requests(org)
    clock.advance(3600 - 30)  # the token has 30 s left
    org.inject(busy)

    during = call(get, {"user_id": user_id}, mode)
    clock.advance(10)
    after = call(get, {"user_id": user_id}, mode)

    assert (during.status, after.status) == ("success", "success")
    assert token_requests(org) - before == token_requests_after


def test_a_proof_refused_for_this_machines_clock_tells_the_model_the_skew(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    session = toolkit.client.oauth_session
    assert session is not None
    get = tools(toolkit)["okta_get_user"]
    user = org.users[0]
    assert call(get, {"user_id": user["profile"]["login"]}, mode).status == "success"
    # Between two calls, this machine's clock falls 5 minutes behind the org's.
    session.clock = lambda: clock() - 300

    message = call(get, {"user_id": user["profile"]["login"]}, mode)

    assert message.status == "error"
    assert "invalid_dpop_proof (HTTP 400)" in str(message.content)
    assert re.search(r"clock is (299|300|301) s behind Okta's", str(message.content))


def test_a_revoked_token_is_replaced_once_without_an_error(
    org: SandboxOrg, reach: Reach, clock: MovableClock, mode: str
) -> None:
    toolkit = toolkit_for(reach, org.service_app.auth(), clock)
    before = token_requests(org)
    org.authorization.revoke_tokens()

    message = call(tools(toolkit)["okta_list_users"], {"limit": 2}, mode)

    assert message.status == "success"
    assert token_requests(org) - before == 1


# -- an app without DPoP ---------------------------------------------------------------------


class HeaderRecorder(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.headers: list[dict[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(dict(request.headers))
        assert isinstance(self.inner, httpx.BaseTransport)
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(dict(request.headers))
        assert isinstance(self.inner, httpx.AsyncBaseTransport)
        return await self.inner.handle_async_request(request)


def test_an_app_without_dpop_gets_a_bearer_token_and_sends_no_proofs(
    org: SandboxOrg, clock: MovableClock, mode: str
) -> None:
    app: ServiceApp = org.add_service_app(
        scopes=["okta.users.read", "okta.users.manage", "okta.roles.read"], dpop=False
    )
    recorder = HeaderRecorder(org.transport())
    reach = Reach(IN_PROCESS_URL, recorder)
    toolkit = toolkit_for(reach, app.auth(), clock)

    message = call(tools(toolkit)["okta_list_users"], {"limit": 2}, mode)
    reach.close()

    assert message.status == "success"
    assert toolkit.admin is not None
    assert toolkit.admin.token_type == "Bearer"
    api_calls = [h for h in recorder.headers if "authorization" in h]
    assert api_calls
    assert all(h["authorization"].startswith("Bearer ") for h in api_calls)
    assert all("dpop" not in h for h in api_calls)
    # No nonce dance either: one token request.
    assert token_requests(org) == 1


def test_an_rsa_keyed_app_works_too(org: SandboxOrg, reach: Reach, clock: MovableClock) -> None:
    app = org.add_service_app(
        scopes=["okta.users.read", "okta.users.manage", "okta.roles.read"], key_type="RSA"
    )

    toolkit = toolkit_for(reach, app.auth(), clock)

    assert not toolkit.read_only


def test_acreate_checks_a_service_app_on_the_async_path(
    org: SandboxOrg, reach: Reach, clock: MovableClock
) -> None:
    async def build() -> OktaToolkit:
        async with await OktaToolkit.acreate(
            reach.url, auth=org.service_app.auth(), transport=reach.transport, read_only=True
        ) as toolkit:
            await tools(toolkit)["okta_list_users"].ainvoke({"limit": 1})
            return toolkit

    toolkit = asyncio.run(build())

    assert toolkit.granted_scopes == ("okta.users.read", "okta.roles.read")
    assert token_requests(org) == 2
