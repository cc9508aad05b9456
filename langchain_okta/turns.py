"""Previews of the write calls of one model message, each in the light of the calls before it.

A model may make several writes in one message: two updates of one user, a create then an
update of the new user, two creates of one person. Previewed one by one against the org,
each would promise a diff that an earlier call changes. Here the calls are previewed in
order: a call that an earlier call of the turn affects says so plainly, is shown against the
values the earlier calls leave, and is bound to them (`bindings.py`).

One plan (see `plans.py`) previews the whole message, one request per call at most, no
retry, as `previews.py` does; a preview that cannot be read says so and binds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from langchain_okta import api
from langchain_okta.arguments import CreateUserArgs, UpdateUserArgs, validation_causes
from langchain_okta.bindings import (
    IDENTITY,
    CallApproval,
    CreateBinding,
    TurnApprovals,
    UpdateBinding,
    args_digest,
    shown,
)
from langchain_okta.descriptions import (
    CREATE_TITLE,
    UPDATE_TITLE,
    Action,
    describe_create,
    describe_failure,
    describe_invalid,
    describe_update,
    is_fault,
    quoted,
    requested,
    reviewer_text,
)
from langchain_okta.errors import InvalidUserIdError, OktaNotFoundError
from langchain_okta.models import OktaUser, UserProfile
from langchain_okta.paths import check_user_id
from langchain_okta.plans import Context, Plan, user_and_etag
from langchain_okta.previews import (
    LOOKUP_LIMIT,
    UpdatePreview,
    create_preview,
    lookup_search,
    one_request,
    update_preview,
)
from langchain_okta.tool_names import CREATE_USER, UPDATE_USER

logger = logging.getLogger(__name__)

WRITE_TOOLS = (UPDATE_USER, CREATE_USER)


@dataclass(frozen=True)
class WriteCall:
    id: str
    name: str
    args: Mapping[str, Any]


@dataclass
class _Turn:
    """What the earlier write calls of the turn do, as their previews assumed it."""

    # Per user (an Okta id, or "call N" for a user created by call N): the profile the
    # earlier calls leave, the profile as read from the org, and which calls change it.
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    read: dict[str, tuple[OktaUser, str | None]] = field(default_factory=dict)
    touched: dict[str, list[int]] = field(default_factory=dict)
    # Logins (casefolded) that earlier calls give a user, and to whom.
    logins: dict[str, str] = field(default_factory=dict)
    creates: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # What each earlier call does, in words, for the notes of the calls after it.
    summaries: dict[int, str] = field(default_factory=dict)


def preview_turn(
    ctx: Context, calls: Sequence[WriteCall], message_id: str | None
) -> Plan[TurnApprovals]:
    """Preview `calls` (the write calls of one message, in order); never raises."""
    turn = _Turn()
    approvals: dict[str, CallApproval] = {}
    for position, write in enumerate(calls, start=1):
        try:
            if write.name == UPDATE_USER:
                approval = yield from _update(ctx, turn, position, write)
            else:
                approval = yield from _create(ctx, turn, position, write)
        except Exception as exc:
            if is_fault(exc):
                logger.exception("the preview of %s failed unexpectedly", write.name)
            action: Action = "update" if write.name == UPDATE_USER else "create"
            approval = _approval(
                write, position, describe_failure(action, write.name, write.args, exc)
            )
        if write.id in approvals:
            approval = approval.model_copy(update={"shared_id": True})
        approvals[write.id] = approval
    return TurnApprovals(message_id=message_id, calls=approvals)


def unavailable_turn(calls: Sequence[WriteCall], message_id: str | None, why: str) -> TurnApprovals:
    """The write calls of a message that no client could be had to preview, and `why`."""
    approvals: dict[str, CallApproval] = {}
    for position, write in enumerate(calls, start=1):
        title = UPDATE_TITLE if write.name == UPDATE_USER else CREATE_TITLE
        text = (
            f"{title}: no preview ({why}). If approved, nothing is written, and the model is "
            f"told what stands in the way.\n{requested(write.name, write.args)}"
        )
        approval = _approval(write, position, text).model_copy(update={"unavailable": why})
        if write.id in approvals:
            approval = approval.model_copy(update={"shared_id": True})
        approvals[write.id] = approval
    return TurnApprovals(message_id=message_id, calls=approvals)


def _update(ctx: Context, turn: _Turn, position: int, write: WriteCall) -> Plan[CallApproval]:
    try:
        args = UpdateUserArgs.model_validate(write.args)
    except (ValidationError, InvalidUserIdError) as exc:
        return _invalid(write, position, "update", exc)
    changes = args.profile_changes()
    key = args.user_id.casefold()
    created = next((c for c in turn.creates if c[1]["login"].casefold() == key), None)
    notes: list[str] = []
    etag: str | None = None
    user_id: str | None = None
    login: str | None = None
    seen: dict[str, str | None] = {}
    if created is not None:
        # A user an earlier call of this turn creates: found by login when this call runs.
        number, created_profile = created
        who = f"call {number}"
        user = OktaUser(id=f"(created by call {number})", profile=UserProfile(**created_profile))
        login = created_profile["login"]
    else:
        renamed = turn.logins.get(key)
        if renamed is not None and renamed in turn.read:
            who = renamed
        else:
            try:
                user, etag = yield from one_request(ctx, api.get_user(args.user_id), user_and_etag)
            except OktaNotFoundError as exc:
                if exc.status != 404:
                    raise
                text = describe_failure("update", write.name, write.args, exc)
                binding = UpdateBinding(user_id=None, seen={}, expected={}, missing=True)
                return _approval(write, position, text, args.user_id, update=binding)
            who = user.id
            turn.read.setdefault(who, (user, etag))
        user = turn.read[who][0]
        user_id = user.id
        seen = shown(user.profile.model_dump(), changes)
    after = list(turn.touched.get(who, []))
    if created is not None:
        after = sorted({created[0], *after})
    current = turn.profiles.get(who)
    if current is not None:
        user = user.model_copy(update={"profile": UserProfile(**current)})
        etag = None  # earlier calls change the user first: bound to the values they leave
        notes.append(_earlier_changes_note(turn, after))
    elif created is not None:
        notes.append(
            f"Call {created[0]} of this turn creates this user; this preview assumes it runs "
            "first, and shows the values it creates."
        )
    preview = update_preview(user, changes)
    profile: dict[str, Any] = {**user.profile.model_dump(), **changes}
    binding = UpdateBinding(
        user_id=user_id,
        login=login,
        etag=etag,
        seen=seen,
        expected=shown(user.profile.model_dump(), changes),
        after_calls=after,
    )
    turn.profiles[who] = profile
    turn.touched.setdefault(who, []).append(position)
    if "login" in preview.changed and changes.get("login"):
        turn.logins[str(changes["login"]).casefold()] = who
    turn.summaries[position] = _update_summary(preview)
    text = _with_notes(describe_update(preview), notes)
    return _approval(write, position, text, args.user_id, update=binding)


def _create(ctx: Context, turn: _Turn, position: int, write: WriteCall) -> Plan[CallApproval]:
    try:
        args = CreateUserArgs.model_validate(write.args)
    except (ValidationError, InvalidUserIdError) as exc:
        return _invalid(write, position, "create", exc)
    profile = new_profile(args.new_profile())
    request = api.list_users(search=lookup_search(profile), limit=LOOKUP_LIMIT)
    page = yield from one_request(ctx, request, api.read_user_page)
    notes: list[str] = []
    after: list[int] = []
    sibling_logins: list[str] = []
    # The users found, as the earlier calls of the turn leave them: a login or email an
    # earlier call takes from someone is free when this call runs (and a match that it
    # leaves is not one the preview showed, so the approved create writes nothing then).
    found: list[OktaUser] = []
    for user in page.users:
        changed = turn.profiles.get(user.id)
        if changed is None:
            found.append(user)
            continue
        found.append(user.model_copy(update={"profile": UserProfile(**changed)}))
        before = _same_person(user.profile.model_dump(), profile)
        if before and _same_person(changed, profile) != before:
            numbers = turn.touched[user.id]
            notes.append(
                f"Call {numbers[-1]} of this turn changes {_name(user.profile.model_dump())} "
                f"(id {quoted(user.id)}), who has the same {before} now; this preview assumes "
                "it runs first, and checks the org as it leaves them."
            )
            after.extend(numbers)
    preview = create_preview(
        profile,
        activate=args.activate,
        login_from_email=args.login is None,
        found=found,
        complete=page.next_cursor is None,
    )
    for number, other in turn.creates:
        same = _same_person(other, profile)
        if same:
            notes.append(
                f"Call {number} of this turn creates {_name(other)} (login "
                f"{quoted(other['login'])}) with the same {same}"
                + (
                    ": this create will fail, as logins are unique."
                    if "login" in same
                    else ": approving both makes two accounts for what is likely the same person."
                )
            )
            after.append(number)
            sibling_logins.append(other["login"])
    for who, changed in turn.profiles.items():
        same = _same_person(changed, profile, attributes=("login", "email"))
        if (
            same
            and who in turn.read
            and not _same_person(
                turn.read[who][0].profile.model_dump(), profile, attributes=("login", "email")
            )
        ):
            numbers = turn.touched[who]
            notes.append(
                f"Call {numbers[-1]} of this turn gives {_name(changed)} (id {quoted(who)}) the "
                f"same {same}"
                + (": this create will fail." if "login" in same else ": likely the same person.")
            )
            after.extend(numbers)
            sibling_logins.append(str(changed.get("login")))
    binding = CreateBinding(
        identity={name: profile.get(name) for name in IDENTITY},
        known_matches=[match.user.id for match in preview.matches],
        sibling_logins=sibling_logins,
        after_calls=sorted(set(after)),
    )
    turn.creates.append((position, profile))
    turn.summaries[position] = f"creates {_name(profile)}"
    text = _with_notes(describe_create(preview), notes)
    return _approval(write, position, text, create=binding)


def new_profile(profile: Mapping[str, str]) -> dict[str, str]:
    """The create profile with `login` defaulting to `email`, checked to be path-safe."""
    values = {name: value for name, value in profile.items() if value}
    values.setdefault("login", values.get("email", ""))
    check_user_id(values["login"])
    return values


def _approval(
    write: WriteCall,
    position: int,
    text: str,
    target: str | None = None,
    *,
    update: UpdateBinding | None = None,
    create: CreateBinding | None = None,
) -> CallApproval:
    return CallApproval(
        tool=write.name,
        position=position,
        args_digest=args_digest(write.name, write.args),
        description=reviewer_text(text),
        target=target,
        update=update,
        create=create,
    )


def _invalid(
    write: WriteCall, position: int, action: Any, error: ValidationError | InvalidUserIdError
) -> CallApproval:
    reason = (
        "; ".join(validation_causes(error)) if isinstance(error, ValidationError) else str(error)
    )
    return _approval(write, position, describe_invalid(action, write.name, write.args, reason))


def _earlier_changes_note(turn: _Turn, numbers: Sequence[int]) -> str:
    what = "; ".join(f"call {n} {turn.summaries[n]}" for n in numbers if n in turn.summaries)
    calls = " and ".join(f"call {n}" for n in numbers)
    return (
        f"{calls[0].upper()}{calls[1:]} of this turn also change(s) this user; this preview "
        f"assumes it runs first ({what}), and shows the values after it."
    )


def _update_summary(preview: UpdatePreview) -> str:
    changes = [
        f"{field.attribute} {quoted(field.current)} → {quoted(field.proposed)}"
        for field in preview.fields
        if field.changes
    ]
    return "changes " + (", ".join(changes) if changes else "nothing")


def _with_notes(text: str, notes: Sequence[str]) -> str:
    if not notes:
        return text
    title, _, rest = text.partition("\n")
    lines = [title, *(f"This turn: {note}" for note in notes)]
    return "\n".join([*lines, rest] if rest else lines)


def _same_person(
    other: Mapping[str, Any],
    profile: Mapping[str, str],
    attributes: Sequence[str] = ("login", "email", "name"),
) -> str:
    """Which of login, email and name `other` shares with `profile`, in words ("" if none)."""

    def same(name: str) -> bool:
        a, b = other.get(name), profile.get(name)
        return bool(a and b) and str(a).casefold() == str(b).casefold()

    shared = [name for name in ("login", "email") if name in attributes and same(name)]
    if "name" in attributes and same("firstName") and same("lastName"):
        shared.append("name")
    return " and ".join(shared)


def _name(profile: Mapping[str, Any]) -> str:
    full = " ".join(str(profile[p]) for p in ("firstName", "lastName") if profile.get(p))
    return quoted(full or str(profile.get("login")))
