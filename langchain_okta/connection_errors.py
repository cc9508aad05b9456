"""Errors of a connected run that say whose problem it is: the host app's, or the person's.

Each becomes the tool message the model reads (`for_agent()`), so it tells the model what to
tell the person; none of them names or echoes a credential.
"""

from __future__ import annotations

from langchain_okta.errors import OktaAuthenticationError, OktaError


class OktaNotConnectedError(OktaError):
    """The run carries no Okta connection: the host app did not pass one (its problem)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"no Okta connection for this run: {detail}")

    def agent_hint(self) -> str:
        return (
            "This app has not connected Okta for the person in this conversation. Do not "
            "retry: tell the user to connect their Okta account in the app (or the app's "
            "operator to pass their connection), then ask again."
        )


class OktaConnectionLookupError(OktaNotConnectedError):
    """The app's resolver failed (its credential store is down...): the app's problem, for now."""

    def agent_hint(self) -> str:
        return (
            "Nothing was sent to Okta. Do not retry now: tell the user the app could not reach "
            "their Okta connection at the moment, and to try again later."
        )


class OktaReconnectError(OktaAuthenticationError):
    """Okta refused the person's credential: expired or revoked (the person's problem)."""

    def __init__(self, org_url: str, *, status: int | None, error_code: str | None) -> None:
        super().__init__(
            f"{org_url} refused this person's Okta credential (expired or revoked)",
            status=status,
            error_code=error_code,
        )
        self.org_url = org_url

    def agent_hint(self) -> str:
        return (
            "Do not retry: tell the user their Okta connection has expired or was revoked, "
            "and that they must reconnect Okta in the app before asking again."
        )


class OktaOrgNotAllowedError(OktaError):
    """The person's connection is to an org this app does not serve (the app's policy)."""

    def __init__(self, org_url: str) -> None:
        super().__init__(f"this app does not allow the Okta org {org_url}")
        self.org_url = org_url

    def agent_hint(self) -> str:
        return (
            "Do not retry: tell the user this app does not work with that Okta org, and that "
            "they can connect an org the app allows instead."
        )


class OktaWriteNotAllowedError(OktaError):
    """The person's rights only read: the write was refused before anything was sent."""

    def __init__(self, who: str, why: str) -> None:
        super().__init__(f"{who} may only read Okta users here: {why}")

    def agent_hint(self) -> str:
        return (
            "Nothing was changed. Do not retry: tell the user their Okta rights only allow "
            "reading users, so an admin who may manage users has to make this change."
        )
