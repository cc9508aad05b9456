"""What the sandbox replay leaves out, and the differences it accepts, each with its reason.

This is the one list. Every recorded request to the Users API is replayed against the sandbox
except those in NOT_SERVED; every structural difference between Okta's recorded answer and
the sandbox's fails the replay unless KNOWN_DIFFERENCES explains it. A rule that no longer
applies to any recorded exchange fails too, so the list cannot outgrow what it explains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from recorded import Cassette, Exchange

# Recordings from before this year show Okta as it answered then; the sandbox answers as Okta
# does in the newer recordings (2025 and 2026), which show each of these changes.
OKTA_CHANGED_AFTER = 2020


@dataclass(frozen=True)
class NotServed:
    requests: str
    reason: str
    matches: Callable[[Exchange], bool]


@dataclass(frozen=True)
class Difference:
    """One structural difference: where, and what each side had there."""

    where: str  # "status", "header etag", "link next after", "body._links.resetFactors", ...
    recorded: str
    sandbox: str

    def __str__(self) -> str:
        return f"{self.where}: Okta {self.recorded}, sandbox {self.sandbox}"


@dataclass(frozen=True)
class KnownDifference:
    difference: Difference
    reason: str
    applies: Callable[[Exchange, Cassette], bool]


def _lifecycle(exchange: Exchange) -> bool:
    return (exchange.request.users_subpath or "").startswith("lifecycle/")


def _credentials(exchange: Exchange) -> bool:
    return (exchange.request.users_subpath or "").startswith("credentials/")


NOT_SERVED = (
    NotServed(
        "DELETE /api/v1/users/{id}",
        "The toolkit never deletes users. The replay applies the effect to the org instead "
        "(the first DELETE deprovisions the user, the second removes it), so later requests "
        "meet the user as Okta left it.",
        lambda e: (
            e.request.method == "DELETE"
            and e.request.user_key is not None
            and e.request.users_subpath is None
        ),
    ),
    NotServed(
        "POST /api/v1/users/{id}/lifecycle/*",
        "The toolkit never activates, suspends, unlocks, deactivates or expires users. The "
        "replay moves the user to the status the operation leads to (SandboxOrg.set_status).",
        _lifecycle,
    ),
    NotServed(
        "/api/v1/users/{id}/credentials/*",
        "The toolkit never changes passwords or recovery questions, and the sandbox keeps "
        "neither (see credentials.recovery_question below).",
        _credentials,
    ),
    NotServed(
        "other /api/v1/users/{id}/... requests (factors, groups, grants, clients, identity "
        "providers, app links, blocks, sessions, subscriptions, role assignments and targets)",
        "Resources the toolkit never reads or changes. A role assignment (POST .../roles) and "
        "its removal are applied to the org (SandboxOrg.set_roles), since the toolkit reads "
        "roles.",
        lambda e: e.request.user_key is not None and e.operation is None,
    ),
    NotServed(
        "requests outside /api/v1/users (apps, groups, sessions, devices, policies, OAuth "
        "2.0 tokens...), recorded for their error bodies",
        "Other resources: the toolkit's requests never leave /api/v1/users. The client "
        "replay reads their error bodies.",
        lambda e: e.operation is None and e.request.user_key is None,
    ),
    NotServed(
        "Users API requests with a DPoP-bound access token (Authorization: DPoP ...)",
        "The sandbox takes API tokens (SSWS) only: OAuth 2.0 service apps and DPoP proofs are "
        "not modelled. The client replay reads their answers.",
        lambda e: e.request.authorization.startswith("DPoP "),
    ),
    NotServed(
        "TestUsersResource.test_forgot_password #0, POST /api/v1/users answered 404",
        "Not an Okta answer: a web server in front of Okta (Server: Apache) sent it, without "
        "a Content-Type and with no Okta error body; the SDK test sent the create again and "
        "Okta made the user. The client replay reads this body.",
        lambda e: e.name == "test_users_it/TestUsersResource.test_forgot_password.yaml#0",
    ),
)


def not_served(exchange: Exchange) -> NotServed | None:
    return next((rule for rule in NOT_SERVED if rule.matches(exchange)), None)


def _before_okta_changed(exchange: Exchange, cassette: Cassette) -> bool:
    return exchange.year <= OKTA_CHANGED_AFTER


def _in_a_realm_org(exchange: Exchange, cassette: Cassette) -> bool:
    return '"realmId"' in (exchange.response.body or "")


def _after_a_recovery_question_change(exchange: Exchange, cassette: Cassette) -> bool:
    return any(
        earlier.index < exchange.index
        and earlier.request.users_subpath == "credentials/change_recovery_question"
        for earlier in cassette.exchanges
    )


KNOWN_DIFFERENCES = (
    KnownDifference(
        Difference("header content-type", "application/json;charset=utf-8", "application/json"),
        "Okta sent a charset parameter in 2020; the newer recordings have plain "
        "application/json, as the sandbox.",
        _before_okta_changed,
    ),
    KnownDifference(
        Difference("header etag", "absent", "present"),
        "Okta sent no ETag with a fetched user in 2020; the newer recordings carry a weak one, "
        "as the sandbox.",
        _before_okta_changed,
    ),
    KnownDifference(
        Difference("body.statusChanged", "null", "string"),
        "A new STAGED user had statusChanged null in 2020; the newer recordings set it to "
        "the creation time, as the sandbox.",
        _before_okta_changed,
    ),
    KnownDifference(
        Difference("body._links.resetFactors", "absent", "present"),
        "Okta added the resetFactors link to users after 2020; the newer recordings have it, "
        "as the sandbox.",
        _before_okta_changed,
    ),
    KnownDifference(
        Difference("body._links.forgotPassword", "absent", "present"),
        "In 2020 Okta offered forgotPassword only to users with a recovery question; the "
        "newer recordings offer it to every ACTIVE user, as the sandbox.",
        _before_okta_changed,
    ),
    KnownDifference(
        Difference("body.realmId", "present", "absent"),
        "Orgs with realms (the 2025 session and forgot-password tests ran in one) put every "
        "user in a realm; the sandbox is an org without realms.",
        _in_a_realm_org,
    ),
    KnownDifference(
        Difference("body.credentials.emails", "absent", "present"),
        "Orgs with realms leave the email credential out of a new user; the sandbox is an org "
        "without realms, as the other recordings' orgs.",
        _in_a_realm_org,
    ),
    KnownDifference(
        Difference("body.credentials.recovery_question", "present", "absent"),
        "Set by /credentials/change_recovery_question, which the sandbox does not serve.",
        _after_a_recovery_question_change,
    ),
)


def explanation(
    difference: Difference, exchange: Exchange, cassette: Cassette
) -> KnownDifference | None:
    # A difference in a listed user is the same as in a fetched one: "body[].x" is "body.x".
    anywhere = Difference(
        difference.where.replace("[]", ""), difference.recorded, difference.sandbox
    )
    return next(
        (
            known
            for known in KNOWN_DIFFERENCES
            if known.difference == anywhere and known.applies(exchange, cassette)
        ),
        None,
    )
