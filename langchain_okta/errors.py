"""Okta's error responses as typed exceptions, and what an agent should do about each."""

from __future__ import annotations

import json
from collections.abc import Sequence

# Causes Okta gives for a login that is already taken (case varies across Okta releases).
_DUPLICATE_MARKER = "already exists"
# The cause Okta gives with E0000029 (E0000031 on search-backed listings) for a cursor it no
# longer knows: expired, from another listing, or made up.
_INVALID_CURSOR_CAUSE = "invalid cursor"
# 401 codes that mean the token itself is refused. Okta also answers 401 E0000015 ("You do not
# have permission to access the feature you are requesting") to a valid token.
_BAD_TOKEN_CODES = frozenset({"E0000004", "E0000011"})


class OktaConfigurationError(ValueError):
    """The org URL or API token is missing or unusable; nothing was sent."""


class InvalidUserIdError(ValueError):
    """A user id or login that could change the request path; nothing was sent."""


class OktaError(Exception):
    """An error response from Okta, or no usable response at all.

    `error_code` is Okta's `errorCode` (the only field Okta means for flow control);
    `causes` are the `errorSummary` of each `errorCauses` entry.
    """

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        causes: Sequence[str] = (),
        error_id: str | None = None,
    ) -> None:
        super().__init__(summary)
        self.summary = summary
        self.status = status
        self.error_code = error_code
        self.causes = tuple(causes)
        self.error_id = error_id

    def __str__(self) -> str:
        head = " ".join(
            part
            for part in (self.error_code, f"(HTTP {self.status})" if self.status else None)
            if part
        )
        text = f"{head}: {self.summary}" if head else self.summary
        if self.causes:
            # Okta's summaries and causes end with a full stop or without one, by code.
            text = _sentence(text) + " Causes: " + _sentence("; ".join(self.causes))
        if self.error_id:
            text += f" [errorId {self.error_id}]"
        return text

    def agent_hint(self) -> str:
        """What the agent should do next; subclasses know better."""
        return "Report this Okta error to the user."

    def for_agent(self) -> str:
        return f"Okta error: {_sentence(str(self))} {self.agent_hint()}"


class OktaAuthenticationError(OktaError):
    def agent_hint(self) -> str:
        return (
            "The Okta API token is invalid or expired. Do not retry: ask the user for a "
            "valid token."
        )


class OktaPermissionError(OktaError):
    def agent_hint(self) -> str:
        if self.error_code == "E0000023":
            return (
                "This user's profile is mastered outside Okta (for example by Active "
                "Directory): change it in that source instead."
            )
        if self.error_code == "E0000038":
            return "Okta does not allow this in the user's current status; tell the user."
        if self.error_code == "E0000015":
            return (
                "The API token is valid, but Okta refused the feature this request needs: the "
                "org does not have it enabled, or the role of the admin behind the token does "
                "not include it. Do not retry or ask for a new token; tell the user which "
                "action Okta refused."
            )
        if self.error_code in (None, "E0000006"):
            return (
                "The admin behind the API token lacks this permission. Reading users needs any "
                "admin role; creating or updating them needs Super Administrator, Organization "
                "Administrator, or Group Administrator for the user's groups."
            )
        return "Okta refused this action for the reason above; tell the user."


class OktaNotFoundError(OktaError):
    def agent_hint(self) -> str:
        if self.error_code == "E0000007":
            return (
                "No such user: check the id or login, or find the user with okta_list_users first."
            )
        if self.status == 405:
            return (
                "Okta does not accept this request method here, which this toolkit never "
                "chooses on its own: a proxy in front of Okta may have changed the request. "
                "Do not retry; tell the user."
            )
        return (
            "Okta answered that the requested address does not exist, without saying a user "
            "is missing: the org URL may not point at Okta's API. Do not retry; tell the user "
            "to check the org URL."
        )


class OktaValidationError(OktaError):
    def agent_hint(self) -> str:
        if self.error_code == "E0000031":
            return (
                "The search expression is invalid. Use Okta's syntax, e.g. "
                'profile.department eq "Sales" and status eq "ACTIVE" (operators eq, sw, co, '
                "pr, gt, ge, lt, le; and/or; quoted strings; case-sensitive attribute names)."
            )
        if self.error_code == "E0000029":
            return (
                "Okta refused the paging: use a limit from 1 to 200 and pass as cursor only a "
                "next_cursor from the previous page, or list again without a cursor."
            )
        if self.causes:
            return "Fix the fields named in the causes and call the tool again."
        return (
            "Okta refused the request as invalid for the reason above; correct it or tell the user."
        )


class OktaInvalidCursorError(OktaValidationError):
    """A page cursor Okta no longer knows (expired, from another listing, or made up)."""

    def agent_hint(self) -> str:
        return (
            "The cursor is no longer valid: drop it and call okta_list_users again with the "
            "same query, search and status, without a cursor, to start from the first page."
        )


class OktaDuplicateLoginError(OktaValidationError):
    def agent_hint(self) -> str:
        return (
            "A user with this login already exists. Look at it with okta_get_user (the login "
            "works as user_id) instead of creating another, or choose a different login."
        )


class OktaConflictError(OktaError):
    def agent_hint(self) -> str:
        return "The user changed while it was being updated; get the user again and retry."


class OktaApprovalStaleError(OktaError):
    """An approved write was not sent: the org no longer matches what the reviewer approved."""

    def for_agent(self) -> str:
        return f"Not done: {_sentence(str(self))} {self.agent_hint()}"

    def agent_hint(self) -> str:
        return (
            "Nothing was written. Propose the call again (call the tool again) so the person "
            "sees a fresh preview and decides on it; do not report the change as made."
        )


class OktaRateLimitError(OktaError):
    retry_after: float | None = None
    """Seconds until Okta's rate-limit window resets, when known."""

    def agent_hint(self) -> str:
        if self.retry_after is None:
            return "Okta's rate limit is exhausted; wait a minute before calling again."
        return (
            f"Okta's rate limit is exhausted; try again in {max(1, round(self.retry_after))} "
            "seconds."
        )


class OktaServerError(OktaError):
    def agent_hint(self) -> str:
        return "Okta is unavailable right now; try again in a minute."


class OktaConnectionError(OktaError):
    """No response: connection refused, reset or timed out."""

    def agent_hint(self) -> str:
        return (
            "Okta could not be reached, for the reason above. Tell the user; try again in a "
            "minute only if the reason looks temporary (a timeout or a reset connection)."
        )


class OktaResponseError(OktaError):
    """A response this client cannot read (not JSON, or not the expected shape)."""

    def agent_hint(self) -> str:
        return "Okta sent an unreadable response; try again in a minute."


class OktaUnconfirmedCreateError(OktaError):
    """A create failed after it may have reached Okta, and the login lookup could not settle it."""

    def agent_hint(self) -> str:
        return (
            "Okta may have created the user before the failure. Check with okta_get_user "
            "(the login works as user_id) before creating it again."
        )


class OktaAdminCheckError(OktaError):
    """The token does not belong to an admin who may use this toolkit."""


_BY_STATUS: dict[int, type[OktaError]] = {
    400: OktaValidationError,
    401: OktaAuthenticationError,
    403: OktaPermissionError,
    404: OktaNotFoundError,
    405: OktaNotFoundError,
    412: OktaConflictError,
    429: OktaRateLimitError,
}


def error_from_response(status: int, content_type: str, body: bytes) -> OktaError:
    """Read an error response into the matching typed exception."""
    error_cls = _BY_STATUS.get(status, OktaServerError if status >= 500 else OktaError)
    media_type = content_type.split(";")[0].strip().lower()
    # Without a Content-Type the body may still be Okta's JSON (a proxy can drop the header).
    data = _json(body) if "json" in media_type or not media_type else _NOT_JSON
    parsed = _okta_error_fields(data)
    if parsed is None:
        return error_cls(
            f"Okta answered HTTP {status} with {_describe(media_type, body, data)} instead of "
            "an Okta error",
            status=status,
        )
    code, summary, causes, error_id = parsed
    if status == 401 and code is not None and code not in _BAD_TOKEN_CODES:
        error_cls = OktaPermissionError if code == "E0000015" else OktaError
    if code == "E0000001" and any(_DUPLICATE_MARKER in cause.lower() for cause in causes):
        error_cls = OktaDuplicateLoginError
    if code in ("E0000029", "E0000031") and any(
        cause.lower().rstrip(".") == _INVALID_CURSOR_CAUSE for cause in causes
    ):
        error_cls = OktaInvalidCursorError
    return error_cls(summary, status=status, error_code=code, causes=causes, error_id=error_id)


_NOT_JSON = object()


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _describe(media_type: str, body: bytes, data: object) -> str:
    if not body.strip():
        return "an empty body"
    if data is not _NOT_JSON:
        return "JSON that is not an Okta error"
    if not media_type:
        return "a body without a Content-Type"
    if "json" in media_type:
        return "a body that is not valid JSON"
    return media_type


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _okta_error_fields(data: object) -> tuple[str | None, str, list[str], str | None] | None:
    """Okta's error fields, or None for anything that is not an Okta error object."""
    if not isinstance(data, dict) or not ("errorCode" in data or "errorSummary" in data):
        return None
    listed = data.get("errorCauses")
    causes = [
        str(cause["errorSummary"])
        for cause in (listed if isinstance(listed, list) else [])
        if isinstance(cause, dict) and cause.get("errorSummary")
    ]
    code = data.get("errorCode")
    error_id = data.get("errorId")
    return (
        str(code) if code else None,
        str(data.get("errorSummary") or "Okta returned an error"),
        causes,
        str(error_id) if error_id else None,
    )
