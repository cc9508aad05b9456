"""Okta's recorded DPoP exchanges, replayed against the sandbox org: same statuses, same
headers where they matter, same body shapes and OAuth error codes and wording.

The recordings (`okta-recordings/cassettes/test_dpop_it`, from Okta's Python SDK) were
sanitized, so proofs and assertions are made afresh here; whether a recorded token request
carried a nonce shows in its answer (a `use_dpop_nonce` answer means it did not).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_okta.api import ApiRequest
from langchain_okta.oauth.session import OAuthSession
from langchain_okta.oauth.state import AccessToken
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

# Made by scripts/make_fixtures.py with the other fixtures from Okta's recordings; the one
# freshness check of them all is tests/test_fixtures_current.py.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "okta"
RECORDED = json.loads((FIXTURES / "dpop_exchanges.json").read_text())
TOKEN_HEADERS = ("content-type", "cache-control", "pragma", "expires")
RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
RECORDED_SCOPES = ("okta.users.read", "okta.apps.read", "okta.groups.read")


class Replayer:
    """Plays one recorded client: its token requests and API calls, against one org."""

    def __init__(self, org: SandboxOrg, http: httpx.Client) -> None:
        self.org = org
        self.http = http
        self.app = org.add_service_app(scopes=RECORDED_SCOPES)
        self.session = self._new_session()
        self.token: AccessToken | None = None

    def _new_session(self) -> OAuthSession:
        return OAuthSession(IN_PROCESS_URL, self.app.auth(scopes=RECORDED_SCOPES))

    def send(self, recorded: dict[str, Any]) -> httpx.Response:
        request = recorded["request"]
        if request["path"] == "/oauth2/v1/token":
            return self._token_request(recorded)
        if request["authorization_scheme"] == "SSWS":
            headers = {"Authorization": f"SSWS {self.org.token}"}
        else:
            assert self.token is not None
            api = ApiRequest(request["method"], request["path"], "replay")
            headers = dict(self.session.api_credentials(api, self.token).headers)
        return self.http.request(
            request["method"], f"{request['path']}?{request['query']}", headers=headers
        )

    def _token_request(self, recorded: dict[str, Any]) -> httpx.Response:
        if recorded["response"]["body"].get("error") == "use_dpop_nonce":
            # A client without the nonce yet: a new client, as in the recording.
            self.session = self._new_session()
        credentials = self.session.token_credentials()
        headers = dict(credentials.headers) if recorded["request"]["dpop_proof"] else {}
        response = self.http.post(
            "/oauth2/v1/token", data=dict(credentials.form or ()), headers=headers
        )
        nonce = response.headers.get("dpop-nonce")
        if nonce:
            self.session.state.remember_nonce("token", nonce)
        if response.status_code == 200:
            body = response.json()
            self.token = AccessToken.issued(
                body["access_token"],
                body["token_type"],
                tuple(body["scope"].split()),
                now=time.time(),
                expires_in=body["expires_in"],
            )
        return response


def shape(response: httpx.Response) -> dict[str, Any]:
    parsed = response.json() if response.content else None
    found: dict[str, Any] = {"kind": type(parsed).__name__}
    if isinstance(parsed, dict):
        found["keys"] = sorted(parsed)
        for key in ("error", "error_description", "token_type", "expires_in", "scope"):
            if key in parsed:
                found[key] = parsed[key]
    return found


@pytest.fixture
def replay() -> Iterator[Replayer]:
    org = SandboxOrg(users=0)
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as http:
        yield Replayer(org, http)


@pytest.mark.parametrize(
    "cassette", RECORDED["cassettes"], ids=lambda c: Path(c["cassette"]).stem.split(".", 1)[1]
)
def test_the_sandbox_answers_the_recorded_exchanges_as_okta_did(
    replay: Replayer, cassette: dict[str, Any]
) -> None:
    for number, recorded in enumerate(cassette["exchanges"]):
        expected = recorded["response"]
        where = f"{cassette['cassette']} #{number}"

        response = replay.send(recorded)

        assert response.status_code == expected["status"], where
        headers = expected["headers"]
        for name in RATE_HEADERS:
            assert (name in response.headers) == (name in headers), (where, name)
        assert ("dpop-nonce" in response.headers) == ("dpop-nonce" in headers), where
        assert ("link" in response.headers) == ("link" in headers), where
        if recorded["request"]["path"] == "/oauth2/v1/token":
            for name in TOKEN_HEADERS:
                assert response.headers.get(name) == headers[name], (where, name)
        else:
            assert response.headers["content-type"] == headers["content-type"], where
        found, wanted = shape(response), dict(expected["body"])
        if wanted["kind"] == "list":
            # The recorded org's users are not the sandbox's: a list is a list.
            assert found["kind"] == "list", where
            continue
        assert found == wanted, where
