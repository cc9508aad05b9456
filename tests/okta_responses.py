"""Okta's error responses as the respx tests fake them."""

from __future__ import annotations

import httpx


def okta_error(
    status: int, code: str, summary: str, *causes: str, **headers: str
) -> httpx.Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oae123",
        "errorCauses": [{"errorSummary": cause} for cause in causes],
    }
    return httpx.Response(status, json=body, headers=headers)
