"""Fixtures: two sandbox orgs with three people each (see okta_people), and a connected
toolkit reaching both in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from okta_people import ACME, GLOBEX, Person, people_of

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.sandbox import SandboxOrg


@pytest.fixture
def acme() -> SandboxOrg:
    return SandboxOrg(users=8, seed=1, token="acme-admin-token-Zx81")


@pytest.fixture
def globex() -> SandboxOrg:
    return SandboxOrg(users=8, seed=2, token="globex-admin-token-Qp27")


@pytest.fixture
def people(acme: SandboxOrg, globex: SandboxOrg) -> list[Person]:
    return people_of(acme, ACME, "acme") + people_of(globex, GLOBEX, "globex")


@pytest.fixture
def toolkit(acme: SandboxOrg, globex: SandboxOrg) -> Iterator[OktaConnectedToolkit]:
    with OktaConnectedToolkit(
        transports={ACME: acme.transport(), GLOBEX: globex.transport()}
    ) as toolkit:
        yield toolkit
