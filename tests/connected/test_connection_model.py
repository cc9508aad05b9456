"""`OktaConnection`: an org URL and exactly one credential, shown nowhere."""

from __future__ import annotations

import pytest

from langchain_okta.connection import OktaConnection
from langchain_okta.oauth.config import PrivateKeyJwt

ORG = "https://acme.okta.com"


def test_the_org_url_is_normalised() -> None:
    assert OktaConnection(org_url=ORG + "/", api_token="t0k").org_url == ORG


def test_exactly_one_credential_is_required() -> None:
    with pytest.raises(ValueError, match="exactly one credential"):
        OktaConnection(org_url=ORG)
    with pytest.raises(ValueError, match="exactly one credential"):
        OktaConnection(org_url=ORG, api_token="a", access_token="b")


def test_an_admin_console_url_is_refused_without_echoing_anything() -> None:
    with pytest.raises(ValueError, match="Admin Console") as refused:
        OktaConnection(org_url="https://acme-admin.okta.com", api_token="secret-value-1")

    assert "secret-value-1" not in str(refused.value)


def test_equal_credentials_share_a_key_and_different_ones_do_not() -> None:
    first = OktaConnection(org_url=ORG, api_token="t-1")

    assert first.key == OktaConnection(org_url=ORG + "/", api_token="t-1").key
    assert first.key != OktaConnection(org_url=ORG, api_token="t-2").key
    assert first.key != OktaConnection(org_url=ORG, access_token="t-1").key
    assert first.key != OktaConnection(org_url="https://b.okta.com", api_token="t-1").key
    assert first.key != OktaConnection(org_url=ORG, api_token="t-1", read_only=True).key


def test_the_kind_of_each_credential() -> None:
    auth = PrivateKeyJwt.model_construct(client_id="0oa1", private_key="k", scopes=())
    kinds = [
        OktaConnection(org_url=ORG, api_token="t").kind,
        OktaConnection.model_construct(org_url=ORG, auth=auth).kind,
        OktaConnection(org_url=ORG, access_token="t").kind,
    ]

    assert kinds == ["api_token", "service_app", "access_token"]


def test_an_access_token_is_sent_as_bearer() -> None:
    settings = OktaConnection(org_url=ORG, access_token="at-1").settings()

    assert settings.access_token is not None
    assert settings.api_token is None


def test_repr_and_dumps_show_the_org_and_kind_only() -> None:
    connection = OktaConnection(org_url=ORG, api_token="secret-value-1")

    shown = [repr(connection), str(connection), connection.model_dump_json()]

    assert all("secret-value-1" not in text for text in shown)
    assert connection.model_dump() == {
        "org_url": ORG,
        "credential": "api_token",
        "read_only": False,
    }


def test_a_copy_with_another_credential_gets_a_key_of_its_own() -> None:
    first = OktaConnection(org_url=ORG, api_token="t-1")
    assert first.key  # computed and kept on the first

    copy = first.model_copy(update={"api_token": "t-2"})

    assert copy.key == OktaConnection(org_url=ORG, api_token="t-2").key != first.key


def test_a_copy_is_validated_again() -> None:
    first = OktaConnection(org_url=ORG, api_token="t-1")

    with pytest.raises(ValueError, match="exactly one credential"):
        first.model_copy(update={"access_token": "t-2"})


def test_a_malformed_credential_is_refused_when_the_connection_is_made() -> None:
    with pytest.raises(ValueError, match="without 'SSWS '") as refused:
        OktaConnection(org_url=ORG, api_token="SSWS secret-value-1")
    with pytest.raises(ValueError, match="without 'Bearer '"):
        OktaConnection(org_url=ORG, access_token="Bearer secret-value-2")

    assert "secret-value-1" not in str(refused.value)


def test_a_read_only_service_app_connection_does_not_ask_for_the_write_scope() -> None:
    from langchain_okta.sandbox import SandboxOrg

    auth = SandboxOrg(users=1).service_app.auth()
    connection = OktaConnection(org_url=ORG, auth=auth, read_only=True)

    settings = connection.settings()

    assert settings.auth is not None
    assert "okta.users.manage" not in settings.auth.scopes
    assert "okta.users.manage" in auth.scopes
    assert connection.key != OktaConnection(org_url=ORG, auth=auth).key
