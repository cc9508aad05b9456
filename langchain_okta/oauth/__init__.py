"""OAuth 2.0 for Okta with a service app: private-key JWT client authentication and DPoP.

`PrivateKeyJwt` (the configuration) needs only the core install. Everything that signs or
verifies needs the `oauth` extra (`pip install 'langchain-okta[oauth]'`) and is imported on
first use, so the plain install never loads a JOSE library.
"""

from langchain_okta.oauth.config import (
    DEFAULT_SCOPES,
    MANAGE_SCOPE,
    READ_SCOPE,
    ROLES_SCOPE,
    PrivateKeyJwt,
)

__all__ = ["DEFAULT_SCOPES", "MANAGE_SCOPE", "READ_SCOPE", "ROLES_SCOPE", "PrivateKeyJwt"]
