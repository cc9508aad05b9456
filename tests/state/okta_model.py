"""A small Okta Users API for state-machine tests: the truth a plan's answers are checked against.

It answers the requests the create and update plans make (create, get by id or login, partial
update with If-Match), keeps who created each user, and can apply a request and then lose or
spoil its answer, as a dropped connection or a gateway does.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote

from langchain_okta.api import ApiRequest, Received

JSON = {"content-type": "application/json"}
OKTA_EPOCH = 1_750_000_000.0  # Okta's clock when the local clock reads 0, before any skew


@dataclass
class ModelUser:
    id: str
    status: str
    created: float  # on Okta's clock
    profile: dict[str, Any]
    created_by: str  # which call (or "someone else") created it
    version: int = 1

    def as_okta(self) -> dict[str, Any]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.created))
        millis = round((self.created % 1) * 1000) % 1000
        return {
            "id": self.id,
            "status": self.status,
            "created": f"{stamp}.{millis:03d}Z",
            "profile": dict(self.profile),
            "_links": {},
        }


@dataclass
class OktaModel:
    skew: float  # Okta's clock minus the local clock
    users: list[ModelUser] = field(default_factory=list)
    now: float = 0.0  # the local clock
    next_id: int = 1

    @property
    def okta_now(self) -> float:
        return OKTA_EPOCH + self.now + self.skew

    def add(self, profile: dict[str, Any], status: str, created_by: str) -> ModelUser:
        user = ModelUser(f"00u{self.next_id:04d}", status, self.okta_now, dict(profile), created_by)
        self.next_id += 1
        self.users.append(user)
        return user

    def find(self, key: str) -> ModelUser | None:
        """A user by id, or by login (Okta compares logins without regard to case)."""
        for user in self.users:
            if key == user.id or key.lower() == str(user.profile["login"]).lower():
                return user
        return None

    def answer(self, request: ApiRequest, caller: str) -> Received:
        """Apply the request and answer it as Okta does."""
        if request.method == "POST" and request.path == "/api/v1/users":
            return self._create(request, caller)
        key = unquote(request.path.removeprefix("/api/v1/users/"))
        user = self.find(key)
        if user is None:
            return self.error(404, "E0000007", f"Not found: Resource not found: {key} (User)")
        if request.method == "GET":
            return self.reply(200, user.as_okta(), etag=f'W/"{user.version}"')
        return self._update(user, request)

    def reply(self, status: int, body: Any, *, etag: str | None = None) -> Received:
        headers = {**JSON, "date": formatdate(int(self.okta_now), usegmt=True)}
        if etag:
            headers["etag"] = etag
        return Received(status, headers, json.dumps(body).encode())

    def error(self, status: int, code: str, summary: str, *causes: str) -> Received:
        body = {
            "errorCode": code,
            "errorSummary": summary,
            "errorCauses": [{"errorSummary": cause} for cause in causes],
        }
        return self.reply(status, body)

    def _create(self, request: ApiRequest, caller: str) -> Received:
        assert request.body is not None
        profile = request.body["profile"]
        if self.find(profile["login"]) is not None:
            return self.error(
                400,
                "E0000001",
                "Api validation failed: login",
                "login: An object with this field already exists in the current organization",
            )
        activate = dict(request.params).get("activate") == "true"
        user = self.add(profile, "PROVISIONED" if activate else "STAGED", caller)
        return self.reply(200, user.as_okta())

    def _update(self, user: ModelUser, request: ApiRequest) -> Received:
        assert request.method == "POST", "updates must be partial POSTs, never PUT"
        if_match = dict(request.headers).get("If-Match")
        if if_match is not None and if_match != f'W/"{user.version}"':
            return self.error(412, "E0000231", "The resource has been modified")
        assert request.body is not None
        changes = request.body["profile"]
        login = changes.get("login")
        if login is not None:
            taken = self.find(login)
            if taken is not None and taken is not user:
                return self.error(400, "E0000001", "Api validation failed: login")
        user.profile.update(changes)
        user.version += 1
        return self.reply(200, user.as_okta())
