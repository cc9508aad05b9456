"""The app's custom authentication for the LangGraph server: who is calling.

Each request carries the app's own session token (not an Okta credential); the handler maps it
to the person's identity, which LangGraph passes to every run as
`config["configurable"]["langgraph_auth_user"]`. The agent's resolver looks that identity up
in the credential store: the Okta credential itself never travels with the request, the
thread's state or its checkpoints.
"""

from __future__ import annotations

import hmac

from langgraph_sdk import Auth

# The app's sessions, as its sign-in would have issued them (demo values).
SESSIONS = {"alice-session-7f3a": "alice", "bob-session-c81d": "bob"}

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> Auth.types.MinimalUserDict:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer":
        for session, identity in SESSIONS.items():
            if hmac.compare_digest(token.encode(), session.encode()):
                return {"identity": identity, "is_authenticated": True}
    raise Auth.exceptions.HTTPException(status_code=401, detail="sign in to the app first")
