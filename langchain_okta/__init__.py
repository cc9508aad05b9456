"""LangChain toolkit for managing Okta users: list, get, create and update.

`OktaToolkit` is imported on first use, so the client, the errors and the sandbox can be used
without loading LangChain.
"""

from typing import TYPE_CHECKING, Any

from langchain_okta.client import OktaClient
from langchain_okta.connections import OktaClientClosedError
from langchain_okta.errors import (
    InvalidUserIdError,
    OktaAdminCheckError,
    OktaApprovalStaleError,
    OktaAuthenticationError,
    OktaConfigurationError,
    OktaConflictError,
    OktaConnectionError,
    OktaDuplicateLoginError,
    OktaError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaServerError,
    OktaUnconfirmedCreateError,
    OktaValidationError,
)
from langchain_okta.models import AdminAccess, OktaUser, UserPage
from langchain_okta.oauth.access import ServiceAppAccess
from langchain_okta.oauth.config import PrivateKeyJwt
from langchain_okta.oauth.errors import OktaOAuthError, OktaScopeError
from langchain_okta.previews import CreatePreview, UpdatePreview
from langchain_okta.progress import PageProgress
from langchain_okta.settings import OktaSettings, RetrySettings, Timeouts
from langchain_okta.summaries import SummaryLimits, UserSummary
from langchain_okta.version import __version__

if TYPE_CHECKING:
    from langchain_okta.toolkit import OktaToolkit


def __getattr__(name: str) -> Any:
    if name == "OktaToolkit":
        from langchain_okta.toolkit import OktaToolkit

        return OktaToolkit
    raise AttributeError(f"module 'langchain_okta' has no attribute {name!r}")


__all__ = [
    "AdminAccess",
    "CreatePreview",
    "InvalidUserIdError",
    "OktaAdminCheckError",
    "OktaApprovalStaleError",
    "OktaAuthenticationError",
    "OktaClient",
    "OktaClientClosedError",
    "OktaConfigurationError",
    "OktaConflictError",
    "OktaConnectionError",
    "OktaDuplicateLoginError",
    "OktaError",
    "OktaNotFoundError",
    "OktaOAuthError",
    "OktaPermissionError",
    "OktaRateLimitError",
    "OktaResponseError",
    "OktaScopeError",
    "OktaServerError",
    "OktaSettings",
    "OktaToolkit",
    "OktaUnconfirmedCreateError",
    "OktaUser",
    "OktaValidationError",
    "PageProgress",
    "PrivateKeyJwt",
    "RetrySettings",
    "ServiceAppAccess",
    "SummaryLimits",
    "Timeouts",
    "UpdatePreview",
    "UserPage",
    "UserSummary",
    "__version__",
]
