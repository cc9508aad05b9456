"""Okta's 401 E0000015 (a valid token refused a feature) at toolkit creation, for a service app."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from okta_responses import okta_error

from langchain_okta import OktaToolkit
from langchain_okta.oauth import PrivateKeyJwt
from langchain_okta.oauth.access import ServiceAppAccess

ORG = "https://acme.okta.com"
CLIENT_ID = "0oa1feature"
KEY = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)
GRANTED = "okta.users.read okta.users.manage okta.roles.read"


@pytest.fixture
def okta() -> Iterator[respx.Router]:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        router.post("/oauth2/v1/token").mock(
            return_value=httpx.Response(
                200,
                json={
                    "token_type": "DPoP",
                    "expires_in": 3600,
                    "access_token": "AT-1",
                    "scope": GRANTED,
                },
            )
        )
        yield router


def test_roles_refused_as_a_feature_give_a_service_app_the_read_tools_and_a_warning(
    okta: respx.Router,
) -> None:
    roles = okta.get(f"/oauth2/v1/clients/{CLIENT_ID}/roles").mock(
        return_value=okta_error(
            401, "E0000015", "You do not have permission to access the feature you are requesting"
        )
    )

    with pytest.warns(UserWarning, match="could not be read"):
        toolkit = OktaToolkit(ORG, auth=PrivateKeyJwt(client_id=CLIENT_ID, private_key=KEY))
    with toolkit:
        assert [tool.name for tool in toolkit.get_tools()] == ["okta_list_users", "okta_get_user"]
        assert isinstance(toolkit.admin, ServiceAppAccess)
        assert not toolkit.admin.can_write
    # The token was not thrown away and fetched again for a refusal a new token cannot change.
    assert roles.call_count == 1
    assert okta.routes[0].call_count == 1
