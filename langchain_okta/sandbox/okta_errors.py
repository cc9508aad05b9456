"""Okta's error responses as the sandbox sends them: code, HTTP status and Okta's exact wording.

Summaries are Okta's own, from its published error catalogue (okta-developer-docs
`data/error-codes.json`, release 2026.08.1). Cause texts ("login: An object with this field
already exists in the current organization", ...) are the ones real orgs return, as quoted in
Okta's docs and in client code written against live orgs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

# Okta sends these exact summaries for these codes.
SUMMARIES: dict[str, tuple[int, str]] = {
    "E0000001": (400, "Api validation failed: {0}"),
    "E0000003": (400, "The request body was not well-formed."),
    "E0000006": (403, "You do not have permission to perform the requested action"),
    "E0000007": (404, "Not found: {0}"),
    "E0000008": (404, "The requested path was not found"),
    "E0000009": (500, "Internal Server Error"),
    "E0000010": (503, "Service is in read only mode"),
    "E0000011": (401, "Invalid token provided"),
    "E0000022": (405, "The endpoint does not support the provided HTTP method"),
    "E0000029": (400, "Invalid paging request."),
    "E0000031": (400, "Invalid search criteria."),
    "E0000033": (400, "Bad request. Can't specify a search query and filter in the same request."),
    # Two spaces after the period: that is how Okta's template reads.
    "E0000037": (400, "Type mismatch exception.  {0}"),
    "E0000047": (429, "API call exceeded rate limit due to too many requests."),
    "E0000134": (502, "Okta could not communicate correctly with an inline hook."),
    "E0000137": (504, "Okta did not receive a response from an inline hook."),
    "E0000231": (412, "ETag value doesn't match."),
}

# Validation cause texts, as Okta words them after "<attribute>: ".
BLANK = "The field cannot be left blank"
TOO_LONG = "The field is too long"
NOT_AN_EMAIL = "Does not match required pattern"
LOGIN_NOT_AN_EMAIL = "Username must be in the form of an email address"
LOGIN_TAKEN = "An object with this field already exists in the current organization"

# What an injected error status says: a code Okta's catalogue lists with that status. Okta has
# no generic 502 or 504; its inline-hook errors are the ones a user create or update can meet.
_FAULT_CODES = {
    400: "E0000003",
    401: "E0000011",
    403: "E0000006",
    404: "E0000008",
    405: "E0000022",
    412: "E0000231",
    429: "E0000047",
    500: "E0000009",
    502: "E0000134",
    503: "E0000010",
    504: "E0000137",
}


class ApiError(Exception):
    """An Okta error response; handlers raise it and the routing renders it."""

    def __init__(
        self, code: str, *args: str, causes: Sequence[str] = (), status: int | None = None
    ) -> None:
        default_status, template = SUMMARIES[code]
        self.code = code
        self.status = status if status is not None else default_status
        self.summary = template.format(*args) if args else template
        self.causes = tuple(causes)
        super().__init__(f"{self.status} {code}: {self.summary}")

    def body(self, error_id: str) -> bytes:
        return json.dumps(
            {
                "errorCode": self.code,
                "errorSummary": self.summary,
                "errorLink": self.code,
                "errorId": error_id,
                "errorCauses": [{"errorSummary": cause} for cause in self.causes],
            },
            separators=(",", ":"),
        ).encode()


def validation_failed(causes: Sequence[tuple[str, str]]) -> ApiError:
    """E0000001 for (attribute, reason) pairs; Okta names the first attribute in the summary."""
    return ApiError(
        "E0000001", causes[0][0], causes=[f"{attribute}: {reason}" for attribute, reason in causes]
    )


def user_not_found(key: str) -> ApiError:
    return ApiError("E0000007", f"Resource not found: {key} (User)")


def type_mismatch(parameter: str) -> ApiError:
    return ApiError("E0000037", f"Could not convert parameter '{parameter}' to the required type.")


def injected_error(status: int) -> ApiError:
    """The error for a `status` fault; statuses without a code of their own get E0000009."""
    return ApiError(_FAULT_CODES.get(status, "E0000009"), status=status)
