"""The sandbox's service apps without the `oauth` extra: the same install hint as
`PrivateKeyJwt`, not a bare `No module named 'cryptography'`."""

from __future__ import annotations

import sys

import pytest

from langchain_okta.sandbox import SandboxOrg


@pytest.fixture
def without_the_oauth_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if PyJWT and cryptography were not installed: importing any of their modules fails.
    for name in list(sys.modules):
        if name.split(".")[0] in ("cryptography", "jwt"):
            monkeypatch.setitem(sys.modules, name, None)
    for name in ("cryptography", "jwt"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("without_the_oauth_extra")
def test_the_service_app_without_the_extra_says_how_to_install_it() -> None:
    org = SandboxOrg(users=2)

    with pytest.raises(ImportError) as raised:
        org.service_app.auth()

    assert "pip install 'langchain-okta[oauth]'" in str(raised.value)
    assert "cryptography" in str(raised.value)


@pytest.mark.usefixtures("without_the_oauth_extra")
def test_adding_a_service_app_without_the_extra_says_how_to_install_it() -> None:
    org = SandboxOrg(users=2)

    with pytest.raises(ImportError, match=r"pip install 'langchain-okta\[oauth\]'"):
        org.add_service_app(scopes=["okta.users.read"])


@pytest.mark.usefixtures("without_the_oauth_extra")
def test_the_api_token_sandbox_needs_no_extra() -> None:
    org = SandboxOrg(users=2)

    assert org.admin["profile"]["login"] == "admin@example.com"
