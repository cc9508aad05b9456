"""Previews in plain words: the text a person reads before approving a write.

Every value that comes from the org or from the model is shown as a quoted string literal,
so no name or email can pass itself off as part of the text ("(no change)", a new line, a
right-to-left override): printable text stays readable, anything else is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from langchain_okta.errors import OktaError, OktaNotFoundError
from langchain_okta.previews import CreatePreview, ExistingUser, PersonSummary, UpdatePreview
from langchain_okta.views import to_json

Action = Literal["update", "create"]

UPDATE_TITLE = "Update the Okta user"
CREATE_TITLE = "Create an Okta user"
# The requested call is shown whole, but a runaway argument is cut short.
MAX_REQUEST_CHARS = 1000

_LABELS = {
    "firstName": "first name",
    "lastName": "last name",
    "email": "email",
    "login": "login",
    "mobilePhone": "mobile phone",
}
_LABEL_WIDTH = 13
# Shown escaped, so no value can forge or reorder a line: the C0 controls but the line feed,
# DEL and the C1 controls (Unicode's Cc), the line and paragraph separators (Zl, Zp), lone
# surrogates (Cs), and the bidirectional marks, embeddings, overrides and isolates.
_FORGERS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
    "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)


def describe_update(preview: UpdatePreview) -> str:
    user = preview.user
    name = quoted(user.name)
    proposed = {f.attribute: f.proposed for f in preview.fields}
    lines = [f"{UPDATE_TITLE} {name} ({_identity(user)})"]
    for field in preview.fields:
        label = _label(field.attribute)
        if not field.changes:
            lines.append(f"  {label}{quoted(field.current)} (no change)")
        elif field.proposed is None or field.proposed == "":
            lines.append(f"  {label}{quoted(field.current)} → removed")
        else:
            lines.append(f"  {label}{quoted(field.current)} → {quoted(field.proposed)}")
    notes = []
    for consequence in preview.consequences:
        if consequence == "nothing_changes":
            notes.append(
                "Nothing changes: every field already holds the requested value, so approving "
                "sends no update."
            )
        elif consequence == "email_changes_login_stays":
            notes.append(
                f"The login stays {quoted(user.login)}: changing the email does not change how "
                f"{name} signs in. Okta's emails to them go to {quoted(proposed.get('email'))} "
                "from now on."
            )
        elif consequence == "login_changes":
            notes.append(
                f"Changing the login changes how {name} signs in: with "
                f"{quoted(proposed.get('login'))} instead of {quoted(user.login)}. Okta "
                "refuses the change if another user already has that login."
            )
        elif consequence == "mobile_phone_removed":
            current = {f.attribute: f.current for f in preview.fields}.get("mobilePhone")
            notes.append(f"The mobile phone number {quoted(current)} is removed from the profile.")
    if notes:
        lines.append("What it means:")
        lines += [f"  - {note}" for note in notes]
    return "\n".join(lines)


def describe_create(preview: CreatePreview) -> str:
    profile = preview.profile
    full_name = " ".join(
        part for part in (profile.get("firstName"), profile.get("lastName")) if part
    )
    lines = [f"{CREATE_TITLE} {quoted(full_name or profile.get('login'))}"]
    for attribute in sorted(profile, key=_label_order):
        value = profile[attribute]
        note = " (the email)" if attribute == "login" and preview.login_from_email else ""
        lines.append(f"  {_label(attribute)}{quoted(value)}{note}")
    if preview.activate:
        lines.append(
            f"What Okta will do: create the user ({preview.status_after}) and email an "
            f"activation link to {quoted(preview.activation_email_to)}."
        )
    else:
        lines.append(
            f"What Okta will do: create the user as {preview.status_after} and send nothing; "
            "no email goes out until someone activates the user."
        )
    if not preview.matches:
        lines.append(
            "Checked the org: no user has this login, this email or this name."
            if preview.lookup_complete
            else "Checked the org: more users matched than one page holds, and none of the "
            "first page has this login, this email or this name; the rest were not checked."
        )
        return "\n".join(lines)
    lines.append("Warnings:")
    lines += [f"  - {_warning(match, profile)}" for match in preview.matches]
    if not preview.lookup_complete:
        lines.append("  - More users matched than one page holds; the rest were not checked.")
    return "\n".join(lines)


def describe_failure(
    action: Action, tool_name: str, arguments: Mapping[str, Any], error: Exception
) -> str:
    """A preview that could not be read: what went wrong, and the call as requested."""
    if action == "update":
        target = quoted(str(arguments.get("user_id")))
        if isinstance(error, OktaNotFoundError):
            head = (
                f"{UPDATE_TITLE} {target}: no such user in the org. If approved, the update "
                "fails and changes nothing."
            )
        else:
            head = (
                f"{UPDATE_TITLE} {target}: preview unavailable, the user could not be read "
                f"({_reason(error)}). Check the user in the Okta Admin Console before approving."
            )
    else:
        head = (
            f"{CREATE_TITLE}: preview unavailable, the org could not be searched for users "
            f"with the same login, email or name ({_reason(error)}). Check before approving: "
            "a taken login makes the create fail, but a second account for the same person "
            "under another login would go through."
        )
    return f"{head}\n{requested(tool_name, arguments)}"


def describe_invalid(
    action: Action, tool_name: str, arguments: Mapping[str, Any], reason: str
) -> str:
    """A call whose arguments the tool would refuse."""
    title = UPDATE_TITLE if action == "update" else CREATE_TITLE
    return (
        f"{title}: the arguments are invalid ({reason}). If approved, the tool refuses them "
        "and writes nothing; the model is told to fix them.\n"
        f"{requested(tool_name, arguments)}"
    )


def requested(tool_name: str, arguments: Mapping[str, Any]) -> str:
    try:
        text = to_json(arguments)
    except (TypeError, ValueError, RecursionError):
        # Not JSON: arguments from code rather than from a model.
        text = repr(arguments)
    if len(text) > MAX_REQUEST_CHARS:
        text = text[:MAX_REQUEST_CHARS] + "… (cut)"
    return reviewer_text(f"Requested: {reviewer_text(tool_name)} {text}")


def reviewer_text(text: str) -> str:
    """`text` with every character that could forge or reorder a line of it escaped.

    Applied to every text a reviewer reads, whatever its source: C0/C1 controls other than
    the line breaks the text itself puts in, U+2028/U+2029, lone surrogates and bidirectional
    controls become `\\uXXXX`. Inside a JSON string literal the escape means the same character.
    """
    return _FORGERS.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def quoted(value: str | None) -> str:
    """A value as a string literal; anything but printable text is escaped."""
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=not value.isprintable())


def _warning(match: ExistingUser, profile: Mapping[str, str]) -> str:
    who = f"{quoted(match.user.name)} ({_identity(match.user)})"
    if match.same_login:
        return f"The login {quoted(profile.get('login'))} is taken by {who}: the create will fail."
    if match.same_email:
        also = " and the same name" if match.same_name else ""
        return (
            f"{who} already has the email {quoted(profile.get('email'))}{also}: likely the same "
            "person."
        )
    return f"{who} has the same name: possibly the same person."


def _identity(user: PersonSummary) -> str:
    return f"login {quoted(user.login)}, {_token(user.status)}, id {_token(user.id)}"


def _token(value: str | None) -> str:
    """An id or a status: shown bare when it is one plain word, as Okta's are."""
    if value is not None and value.isascii() and value.replace("_", "").isalnum():
        return value
    return quoted(value)


def _label_order(attribute: str) -> int:
    """Base attributes in the usual order, then any other attribute."""
    order = list(_LABELS)
    return order.index(attribute) if attribute in order else len(order)


def _label(attribute: str) -> str:
    return _LABELS.get(attribute, attribute).ljust(_LABEL_WIDTH) + " "


def _reason(error: Exception) -> str:
    # Only Okta's errors are shown in full: they are known to carry no secret.
    if isinstance(error, OktaError):
        return str(error)
    return f"an unexpected {type(error).__name__}"
