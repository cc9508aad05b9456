"""A chat model that plays a script: it drives agents offline in the demo, notebooks and tests.

Each turn is an `AIMessage`, or a function of the conversation so far that returns one (so a
turn can use an id that an earlier tool call returned). Tools are accepted and ignored: the
script already knows which tools it calls.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, PrivateAttr, SkipValidation

Turn = AIMessage | Callable[[Sequence[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """Answers with the script's turns in order; after the last one, with `final_answer`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    # Skipped: pydantic would try to validate a turn function as an AIMessage.
    script: SkipValidation[list[Turn]]
    final_answer: str = "Done."
    _position: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            position = self._position
            self._position += 1
        if position < len(self.script):
            turn = self.script[position]
            message = turn(messages) if callable(turn) else turn
        else:
            message = AIMessage(content=self.final_answer)
        return ChatResult(generations=[ChatGeneration(message=message)])


def last_tool_result(messages: Sequence[BaseMessage]) -> str:
    """The text of the most recent tool message, for turns that read it."""
    for message in reversed(messages):
        if isinstance(message, ToolMessage):
            # `.text` joins text blocks too: a note may come as a block of its own.
            return message.text if isinstance(message.content, list) else str(message.content)
    raise LookupError("no tool has answered yet")


def last_tool_json(messages: Sequence[BaseMessage]) -> Any:
    """The most recent tool result as JSON, skipping any note put before it.

    LangChain's human-in-the-loop middleware prefixes a note to the result of a call that a
    reviewer edited, and that note holds JSON of its own (the arguments that ran); the tool's
    JSON is the object that ends the content.
    """
    content = last_tool_result(messages).rstrip()
    decoder = json.JSONDecoder()
    start = content.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(content, start)
        except ValueError:
            end = -1
        if end == len(content):
            return value
        start = content.find("{", start + 1)
    raise ValueError(f"the last tool result does not end with a JSON object: {content[:200]!r}")


def tool_call(name: str, args: dict[str, Any], call_id: str, content: str = "") -> AIMessage:
    """A model turn that calls one tool."""
    return AIMessage(
        content=content,
        tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}],
    )
