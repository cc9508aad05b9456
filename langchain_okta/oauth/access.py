"""What a service app may do, from the scopes Okta granted and the admin roles it holds.

The scopes are what the token response's `scope` says Okta granted, not what was asked for
(a response without `scope` grants what was asked for, RFC 6749 §5.1);
the roles are read where the app may read them (okta.roles.read).
"""

from __future__ import annotations

import warnings

from pydantic import BaseModel, ConfigDict

from langchain_okta.errors import OktaAdminCheckError
from langchain_okta.models import USER_MANAGER_ROLES
from langchain_okta.oauth.config import MANAGE_SCOPE, READ_SCOPE, ROLES_SCOPE


class ServiceAppAccess(BaseModel):
    """What the admin check found about an OAuth 2.0 service app."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    scopes: tuple[str, ...]
    token_type: str
    roles: tuple[str, ...] = ()
    roles_visible: bool = False
    # Okta refused reading the roles as a feature (401 E0000015): the app may not write.
    roles_refused: bool = False

    @property
    def can_read(self) -> bool:
        return READ_SCOPE in self.scopes

    @property
    def may_manage_by_roles(self) -> bool:
        """False when the roles are known and none of them may manage users, or when Okta
        refused reading them as a feature the app may not use."""
        if self.roles_refused:
            return False
        return not self.roles_visible or bool(USER_MANAGER_ROLES.intersection(self.roles))

    @property
    def can_write(self) -> bool:
        # The write tools read the user first (GET, okta.users.read) and then POST
        # (okta.users.manage): both scopes are needed.
        return self.can_read and MANAGE_SCOPE in self.scopes and self.may_manage_by_roles

    def why_read_only(self) -> str:
        """Why the write tools are withheld (only meaningful when `can_write` is False)."""
        if MANAGE_SCOPE not in self.scopes:
            return (
                f"Okta did not grant {MANAGE_SCOPE} to the service app {self.client_id} "
                f"(granted: {', '.join(self.scopes) or 'none'})"
            )
        if not self.can_read:
            return (
                f"the service app {self.client_id} has {MANAGE_SCOPE} but not {READ_SCOPE}, "
                "which the write tools need to read a user before changing it"
            )
        if self.roles_refused:
            return (
                f"the admin roles of the service app {self.client_id} could not be read (Okta "
                "refused the feature, E0000015), so whether they allow creating or updating "
                "users is unknown"
            )
        return (
            f"the admin roles of the service app {self.client_id} ({', '.join(self.roles)}) do "
            "not allow creating or updating users"
        )

    def roles_note(self) -> str:
        if self.roles_visible:
            return f"admin roles: {', '.join(self.roles) or 'none'}"
        if ROLES_SCOPE not in self.scopes:
            return f"the admin roles could not be read ({ROLES_SCOPE} was not granted)"
        if self.roles_refused:
            return "the admin roles could not be read (Okta refused the feature, E0000015)"
        return "the admin roles could not be read (Okta refused the request)"


def decide_read_only(access: ServiceAppAccess, requested: bool | None) -> bool:
    """Whether to hand out the read tools only; the scopes Okta granted decide.

    `requested=None`: write tools when the app may write, else read tools and a warning;
    `True`: read tools; `False`: write tools or an OktaAdminCheckError saying why not.
    """
    if not access.can_read:
        raise OktaAdminCheckError(
            f"Okta did not grant {READ_SCOPE} to the service app {access.client_id} (granted: "
            f"{', '.join(access.scopes) or 'none'}); every tool needs it. Grant it on the "
            "app's Okta API Scopes tab and ask for it (scopes=... or OKTA_SCOPES)."
        )
    if access.roles_visible and not access.roles:
        raise OktaAdminCheckError(
            f"the service app {access.client_id} holds no admin role, so Okta refuses its "
            "calls to the Users API: assign one on the app's Admin roles tab"
        )
    if not access.roles_visible and not access.roles_refused:
        warnings.warn(
            f"OktaToolkit: {access.roles_note()} for the service app {access.client_id}; the "
            "tools follow the granted scopes.",
            UserWarning,
            stacklevel=3,
        )
    if requested is True or access.can_write:
        return bool(requested)
    why = access.why_read_only()
    if requested is False:
        raise OktaAdminCheckError(f"write tools were requested, but {why}")
    warnings.warn(
        f"OktaToolkit: only the read tools are available: {why}.", UserWarning, stacklevel=3
    )
    return True
