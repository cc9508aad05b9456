"""Model messages for the tests' scripted models. Imported by module name (pytest puts the
tests folder on sys.path)."""

from __future__ import annotations

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
