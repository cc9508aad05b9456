"""LangChain toolkit for managing Okta users: list, get, create and update."""

from langchain_okta.client import OktaClient
from langchain_okta.errors import (
    InvalidUserIdError,
    OktaAdminCheckError,
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
    OktaValidationError,
)
from langchain_okta.models import AdminAccess, OktaUser, UserPage
from langchain_okta.settings import OktaSettings, RetrySettings, Timeouts
from langchain_okta.toolkit import OktaToolkit
from langchain_okta.version import __version__

__all__ = [
    "AdminAccess",
    "InvalidUserIdError",
    "OktaAdminCheckError",
    "OktaAuthenticationError",
    "OktaClient",
    "OktaConfigurationError",
    "OktaConflictError",
    "OktaConnectionError",
    "OktaDuplicateLoginError",
    "OktaError",
    "OktaNotFoundError",
    "OktaPermissionError",
    "OktaRateLimitError",
    "OktaResponseError",
    "OktaServerError",
    "OktaSettings",
    "OktaToolkit",
    "OktaUser",
    "OktaValidationError",
    "RetrySettings",
    "Timeouts",
    "UserPage",
    "__version__",
]
