"""What one person's credential may do in their org: read only, or read and write users.

The pool runs this check once per credential and keeps the answer for a bounded time
(`PoolLimits.rights_seconds`), so a role taken away in Okta is noticed within that time.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from langchain_okta.client import OktaClient
from langchain_okta.connection import OktaConnection
from langchain_okta.connection_errors import OktaReconnectError
from langchain_okta.errors import OktaAdminCheckError, OktaAuthenticationError
from langchain_okta.models import AdminAccess
from langchain_okta.oauth.access import ServiceAppAccess
from langchain_okta.oauth.errors import OktaOAuthError


class Rights(BaseModel):
    """Who the credential belongs to, and whether they may create and update users."""

    model_config = ConfigDict(frozen=True)

    who: str
    can_write: bool
    # Why they may only read (empty when they may write).
    why_read_only: str = ""


def check_rights(client: OktaClient, connection: OktaConnection) -> Rights:
    try:
        if client.oauth_session is not None:
            return _app_rights(client.check_service_app(), connection)
        return _admin_rights(client.check_admin(), connection)
    except OktaAuthenticationError as exc:
        raise _reconnect(connection, exc) from None


async def acheck_rights(client: OktaClient, connection: OktaConnection) -> Rights:
    try:
        if client.oauth_session is not None:
            return _app_rights(await client.acheck_service_app(), connection)
        return _admin_rights(await client.acheck_admin(), connection)
    except OktaAuthenticationError as exc:
        raise _reconnect(connection, exc) from None


def _reconnect(connection: OktaConnection, exc: OktaAuthenticationError) -> Exception:
    return reconnect_error(connection.org_url, exc) or exc


def reconnect_error(org_url: str, exc: OktaAuthenticationError) -> OktaReconnectError | None:
    """Okta refused the credential itself: the person must reconnect. Other OAuth failures
    (a DPoP proof, a scope) are the app's to fix: None."""
    if isinstance(exc, OktaOAuthError) and exc.error_code not in _REFUSED_CREDENTIAL:
        return None
    return OktaReconnectError(org_url, status=exc.status, error_code=exc.error_code)


# OAuth error codes that mean the key or token itself is no longer accepted.
_REFUSED_CREDENTIAL = ("invalid_client", "invalid_grant", "invalid_token", "E0000011")


def _admin_rights(admin: AdminAccess, connection: OktaConnection) -> Rights:
    who = admin.login or admin.user_id
    if admin.roles_visible and not admin.roles:
        raise OktaAdminCheckError(
            f"this Okta credential belongs to {who}, who holds no Okta admin role; the tools "
            "are for Okta admins"
        )
    if connection.read_only:
        return Rights(who=who, can_write=False, why_read_only="the app connected them read-only")
    if admin.can_write:
        return Rights(who=who, can_write=True)
    why = (
        f"their roles ({', '.join(admin.roles)}) do not allow creating or updating users"
        if admin.roles_visible
        else "their roles could not be read with this credential"
    )
    return Rights(who=who, can_write=False, why_read_only=why)


def _app_rights(access: ServiceAppAccess, connection: OktaConnection) -> Rights:
    who = f"the service app {access.client_id}"
    if not access.can_read:
        raise OktaAdminCheckError(f"Okta did not grant okta.users.read to {who}")
    if connection.read_only:
        return Rights(who=who, can_write=False, why_read_only="the app connected it read-only")
    if access.can_write:
        return Rights(who=who, can_write=True)
    return Rights(who=who, can_write=False, why_read_only=access.why_read_only())
