"""What authorizes a request, when the plans decide it rather than the driver.

With an API token the driver adds `Authorization: SSWS ...` itself. An OAuth 2.0 session
(`oauth.session`) instead authorizes each request in its plan: it may first fetch or renew the
token, then hands the driver the headers (and, for the token request, the form) to send as
`Credentials`, whose values never show in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from langchain_okta.api import ApiRequest
    from langchain_okta.plans import Context, Outcome, Plan
    from langchain_okta.retries import WaitBudget


@dataclass(frozen=True, repr=False)
class Credentials:
    """Headers (and a form body) that authorize one request: secrets, never shown."""

    headers: tuple[tuple[str, str], ...] = ()
    # The urlencoded body of a token request (it carries the signed client assertion).
    form: tuple[tuple[str, str], ...] | None = None

    def __repr__(self) -> str:
        names = ", ".join(name for name, _ in self.headers)
        return f"Credentials(headers=[{names}]{', form=<hidden>' if self.form else ''})"

    __str__ = __repr__


class Authorizer(Protocol):
    """Sends one request authorized, as a plan: `outcome = yield from authorizer.send(...)`."""

    def send(self, ctx: Context, request: ApiRequest, budget: WaitBudget) -> Plan[Outcome]: ...
