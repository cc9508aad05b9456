"""OktaToolkit: configuration, the admin check, and which tools to hand out."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx
from langchain_core.tools import BaseTool, BaseToolkit
from pydantic import ConfigDict, PrivateAttr, SecretStr

from langchain_okta.approvals import DEFAULT_DECISIONS, approval_policy
from langchain_okta.client import OktaClient
from langchain_okta.errors import OktaAdminCheckError, OktaAuthenticationError
from langchain_okta.models import AdminAccess
from langchain_okta.settings import OktaSettings, RetrySettings, Timeouts
from langchain_okta.tools import build_tools

if TYPE_CHECKING:
    from langchain.agents.middleware import InterruptOnConfig


class OktaToolkit(BaseToolkit):
    """Tools for an agent to list, get, create and update Okta users.

    ```python
    toolkit = OktaToolkit()  # OKTA_ORG_URL and OKTA_API_TOKEN from the environment
    agent = create_agent(model, toolkit.get_tools())
    ```

    On creation it checks that the token belongs to an Okta admin (`check_admin=False`
    skips it). `read_only=None` (default) hands out the write tools only when the admin's
    roles allow user management; `True` never does; `False` insists and fails otherwise.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    client: OktaClient
    read_only: bool = False
    admin: AdminAccess | None = None
    _tools: list[BaseTool] = PrivateAttr(default_factory=list)

    def __init__(
        self,
        org_url: str | None = None,
        api_token: str | SecretStr | None = None,
        *,
        read_only: bool | None = None,
        check_admin: bool = True,
        client: OktaClient | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
        **kwargs: Any,
    ) -> None:
        if client is None:
            settings = OktaSettings.resolve(
                org_url,
                api_token,
                timeouts=timeouts,
                retries=retries,
                max_concurrency=max_concurrency,
            )
            client = OktaClient(settings, transport=transport)
        admin = _checked_admin(client) if check_admin else None
        super().__init__(
            client=client,
            admin=admin,
            read_only=_decide_read_only(admin, read_only),
            **kwargs,
        )
        self._tools = build_tools(self.client, read_only=self.read_only)

    @property
    def admin_roles(self) -> tuple[str, ...]:
        """The admin role types the check found (empty when it was skipped)."""
        return self.admin.roles if self.admin else ()

    def get_tools(self) -> list[BaseTool]:
        return list(self._tools)

    def approval_policy(
        self, *, allowed_decisions: Sequence[str] = DEFAULT_DECISIONS
    ) -> dict[str, bool | InterruptOnConfig]:
        """`interrupt_on` for LangChain's HumanInTheLoopMiddleware, for these tools.

        The write tools pause for `allowed_decisions` (default approve, edit, reject), each
        described by a preview read from the org with one request; the read tools do not
        pause. See `langchain_okta.approvals`.
        """
        return approval_policy(
            self.client,
            [tool.name for tool in self._tools],
            allowed_decisions=allowed_decisions,
        )

    def __repr__(self) -> str:
        return (
            f"OktaToolkit(org_url={self.client.settings.org_url!r}, "
            f"admin_roles={self.admin_roles!r}, read_only={self.read_only})"
        )

    __str__ = __repr__


def _checked_admin(client: OktaClient) -> AdminAccess:
    try:
        admin = client.check_admin()
    except OktaAuthenticationError as exc:
        raise OktaAuthenticationError(
            f"the API token is invalid or expired ({client.settings.org_url} answered "
            f"{exc.error_code or exc.status}); create a new token in the Admin Console under "
            "Security > API > Tokens",
            status=exc.status,
            error_code=exc.error_code,
            error_id=exc.error_id,
        ) from None
    if admin.roles_visible and not admin.roles:
        raise OktaAdminCheckError(
            f"this token belongs to {admin.login or admin.user_id}, who holds no Okta admin "
            "role; the toolkit is for Okta admins. Use a token created by an admin."
        )
    return admin


def _decide_read_only(admin: AdminAccess | None, requested: bool | None) -> bool:
    if requested is True or admin is None or admin.can_write:
        return bool(requested)
    why = (
        f"the roles of {admin.login or admin.user_id} ({', '.join(admin.roles)}) do not "
        "allow creating or updating users"
        if admin.roles_visible
        else f"the roles of {admin.login or admin.user_id} could not be read with this token"
    )
    if requested is False:
        raise OktaAdminCheckError(f"write tools were requested, but {why}")
    warnings.warn(
        f"OktaToolkit: only the read tools are available: {why}.", UserWarning, stacklevel=3
    )
    return True
