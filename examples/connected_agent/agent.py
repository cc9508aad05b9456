"""The deployed agent: one graph for everyone, each run acting with its person's own Okta
credential.

`make_graph` is the graph factory named in `langgraph.json`; the server calls it per run.
With `EXAMPLE_MODEL` set (e.g. `openai:gpt-4.1-mini`, with that provider's package and key)
it uses that model; otherwise a scripted model looks up the signed-in person, offline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from credentials import ACME_URL, GLOBEX_URL, DemoOrgs, demo_orgs
from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, tool_call

ADA = {"first_name": "Ada", "last_name": "Byron", "email": "ada.byron@example.com"}
SYSTEM_PROMPT = "You help the signed-in Okta admin look up and manage users of their org."


def identity_of(config: Any) -> str | None:
    """The signed-in person, as the server's auth handler named them."""
    configurable = (config or {}).get("configurable", {})
    user = configurable.get("langgraph_auth_user")
    identity = getattr(user, "identity", None)
    if identity is None and isinstance(user, dict):
        identity = user.get("identity")
    return identity or configurable.get("langgraph_auth_user_id")


def build_toolkit(orgs: DemoOrgs) -> OktaConnectedToolkit:
    def resolve(runtime: Any) -> OktaConnection | None:
        identity = identity_of(runtime.config)
        return orgs.store.connection_of(identity) if identity else None

    return OktaConnectedToolkit(
        resolve=resolve,
        allowed_orgs=[ACME_URL, GLOBEX_URL],
        transports={ACME_URL: orgs.acme.transport(), GLOBEX_URL: orgs.globex.transport()},
    )


def build_graph(toolkit: OktaConnectedToolkit, model: BaseChatModel) -> Any:
    return create_agent(
        model,
        toolkit.get_tools(),
        middleware=[toolkit.middleware()],
        system_prompt=SYSTEM_PROMPT,
    )


def _model() -> BaseChatModel:
    name = os.environ.get("EXAMPLE_MODEL")
    if name:
        from langchain.chat_models import init_chat_model

        return init_chat_model(name)
    return ScriptedChatModel(
        script=[tool_call("okta_get_user", {"user_id": "me"}, "whoami"), _add_ada_if_asked],
        final_answer="Done.",
    )


def _add_ada_if_asked(messages: Sequence[BaseMessage]) -> AIMessage:
    """The scripted model's second turn: add Ada Byron when the question asks for it."""
    question = next(message for message in messages if message.type == "human")
    if "Ada" in str(question.content):
        return tool_call("okta_create_user", ADA, "add-ada")
    return AIMessage(content="That is you, as Okta knows you.")


# The server's process keeps one toolkit (its pooled clients) for every run.
ORGS = demo_orgs()
TOOLKIT = build_toolkit(ORGS)


def make_graph(config: RunnableConfig) -> Any:
    return build_graph(TOOLKIT, _model())
