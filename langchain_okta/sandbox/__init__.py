"""An in-memory Okta org that answers the Users API as Okta does, for demos, tests and benchmarks.

Test an agent offline: a `SandboxOrg` stands in for Okta, and a `ScriptedChatModel` for the
model, playing tool calls you write (`tool_call`, or a function of the conversation so far that
reads earlier results with `last_tool_result` or `last_tool_json`). `frozen_clock` makes every
timestamp the same on each run.

Reach the org in process with an httpx transport (no sockets)::

    org = SandboxOrg()
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport())

or over loopback HTTP::

    with org.serve() as base_url:
        ...

or from a shell: ``python -m langchain_okta.sandbox --port 8765``.
"""

from typing import TYPE_CHECKING, Any

from langchain_okta.sandbox.clocks import frozen_clock
from langchain_okta.sandbox.faults import Fault
from langchain_okta.sandbox.org import IN_PROCESS_URL, SandboxOrg
from langchain_okta.sandbox.rate_limits import RateLimit

if TYPE_CHECKING:
    from langchain_okta.sandbox.scripted_model import (
        ScriptedChatModel,
        Turn,
        last_tool_json,
        last_tool_result,
        tool_call,
    )

# The scripted model is a LangChain chat model: it is imported on first use, so the org alone
# (a server, a benchmark) does not load LangChain.
_SCRIPTED_MODEL = frozenset(
    {"ScriptedChatModel", "Turn", "last_tool_json", "last_tool_result", "tool_call"}
)


def __getattr__(name: str) -> Any:
    if name in _SCRIPTED_MODEL:
        from langchain_okta.sandbox import scripted_model

        return getattr(scripted_model, name)
    raise AttributeError(f"module 'langchain_okta.sandbox' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "IN_PROCESS_URL",
    "Fault",
    "RateLimit",
    "SandboxOrg",
    "ScriptedChatModel",
    "Turn",
    "frozen_clock",
    "last_tool_json",
    "last_tool_result",
    "tool_call",
]
