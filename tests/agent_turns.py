"""One agent turn as the tests script and read it: the model's message of tool calls, and what
a reviewer reads when the run pauses on them. Imported by module name (pytest puts the tests
folder on sys.path)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage


def calls(*specs: tuple[str, dict[str, Any]]) -> AIMessage:
    """One model message making these tool calls, with ids call-1, call-2..."""
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": args, "id": f"call-{n}", "type": "tool_call"}
            for n, (name, args) in enumerate(specs, start=1)
        ],
    )


def reviewer_texts(interrupts: Sequence[Any]) -> list[str]:
    """What the reviewer reads for each paused call, in call order (batched or per call)."""
    texts: list[str] = []
    for pending in sorted(interrupts, key=lambda p: p.value.get("tool_call_id", "")):
        value = pending.value
        if "action_requests" in value:
            texts += [action["description"] for action in value["action_requests"]]
        else:
            texts.append(value["description"])
    return texts
