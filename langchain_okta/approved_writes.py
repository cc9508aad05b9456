"""The approved writes as plans: each does what its binding says the reviewer saw, or nothing.

An approved update goes to the user the preview showed (by id), sent with `If-Match` and the
ETag of the version the preview read; when earlier calls of the same turn change that user
first, the user is read again by id and must hold exactly the values the preview assumed,
and the write is sent with `If-Match` on that fresh read. An approved create first looks the
login, email and name up again: someone the preview did not show makes it write nothing.
Whenever the org differs, the plan raises `OktaApprovalStaleError`, saying what changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from langchain_okta import api
from langchain_okta.bindings import CreateBinding, UpdateBinding, differences
from langchain_okta.descriptions import quoted
from langchain_okta.errors import OktaApprovalStaleError, OktaConflictError, OktaNotFoundError
from langchain_okta.models import OktaUser
from langchain_okta.plans import Context, Plan, call, profile_delta, user_and_etag, wait_budget
from langchain_okta.plans import create_user as create_user_plan
from langchain_okta.previews import LOOKUP_LIMIT, create_preview, lookup_search

Difference = tuple[str, str | None, str | None]


def update_approved(
    ctx: Context, binding: UpdateBinding, changes: Mapping[str, str | None]
) -> Plan[tuple[OktaUser, list[str]]]:
    """The approved update, on the bound user and version; returns the user and `changed`.

    `changed` holds the attributes this write changed on the version it was applied to.
    """
    if binding.missing or (binding.user_id is None and binding.login is None):
        raise OktaNotFoundError(
            "the preview found no such user, so the approved call changes nothing; nothing "
            "was written",
            status=404,
            error_code="E0000007",
        )
    budget = wait_budget(ctx)
    target = binding.user_id or binding.login
    assert target is not None
    current, etag = yield from call(ctx, api.get_user(target), budget, user_and_etag)
    changed = differences(binding.expected, current)
    if binding.etag is not None and etag is not None and etag != binding.etag:
        raise _stale(binding, differences(binding.seen, current) or changed, current)
    if changed:
        raise _stale(binding, changed, current)
    delta = profile_delta(current, changes)
    if not delta:
        return current, []
    request = api.update_user(current.id, delta, etag=etag)
    try:
        return (yield from call(ctx, request, budget, api.read_user)), sorted(delta)
    except OktaConflictError:
        pass
    # 412: the user changed after the read, or an earlier attempt of this very write (one
    # whose answer was lost) applied it. Only the latter leaves exactly the approved result.
    now, _ = yield from call(ctx, api.get_user(current.id), budget, user_and_etag)
    others = {name: value for name, value in binding.expected.items() if name not in delta}
    if not profile_delta(now, delta) and not differences(others, now):
        return now, sorted(delta)
    raise _stale(binding, differences(binding.expected, now), now)


def create_approved(
    ctx: Context, binding: CreateBinding, profile: Mapping[str, str], *, activate: bool
) -> Plan[OktaUser]:
    """The approved create, after the same lookup its preview made finds no one new."""
    budget = wait_budget(ctx)
    request = api.list_users(search=lookup_search(profile), limit=LOOKUP_LIMIT)
    page = yield from call(ctx, request, budget, api.read_user_page)
    found = create_preview(
        profile, activate=activate, login_from_email=False, found=page.users, complete=True
    )
    acknowledged = {login.casefold() for login in binding.sibling_logins}
    new = [
        match
        for match in found.matches
        if match.user.id not in binding.known_matches
        and (match.user.login or "").casefold() not in acknowledged
    ]
    if new:
        who = "; ".join(
            f"{quoted(match.user.name)} (login {quoted(match.user.login)}, id "
            f"{quoted(match.user.id)}) has the same "
            + " and ".join(
                what
                for what, same in (
                    ("login", match.same_login),
                    ("email", match.same_email),
                    ("name", match.same_name),
                )
                if same
            )
            for match in new
        )
        raise OktaApprovalStaleError(
            "the org changed since the person approved this create, whose preview did not show "
            f"this user: {who}"
        )
    return (yield from create_user_plan(ctx, profile, activate=activate))


def describe_differences(differences: Sequence[Difference]) -> str:
    return "; ".join(
        f"{name}: {quoted(before)} → {quoted(after)}" for name, before, after in differences
    )


def _stale(
    binding: UpdateBinding, changed: Sequence[Difference], user: OktaUser
) -> OktaApprovalStaleError:
    who = f"user {quoted(user.id)} (login {quoted(user.profile.login)})"
    if changed:
        what = f"what changed (as approved → now): {describe_differences(changed)}"
    else:
        what = "it changed in attributes the preview did not show (its ETag differs)"
    earlier = ""
    if binding.after_calls:
        calls = ", ".join(str(number) for number in binding.after_calls)
        earlier = (
            f" The preview assumed that call(s) {calls} of the same turn ran first; they did "
            "not, or not as previewed."
        )
    return OktaApprovalStaleError(
        f"{who} changed since the person approved this update; {what}.{earlier}"
    )
