"""The example LangGraph app (examples/connected_agent): its auth handler, its credential
store and its graph serve two people on two orgs at once, one of them read-only.

The runs go through the compiled graph with the configuration a LangGraph server gives each
run (`langgraph_auth_user` from the auth handler), not through a server process."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from connected_runs import OfferRecordingModel, in_threads, tool_messages

from langchain_okta.sandbox.scripted_model import tool_call

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "connected_agent"
NEW_USER = {"first_name": "Ada", "last_name": "Byron", "email": "ada.byron@example.com"}


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    names = ("credentials", "auth", "agent")
    modules = {name: importlib.import_module(name) for name in names}
    try:
        yield modules
    finally:
        modules["agent"].TOOLKIT.close()
        for name in names:
            sys.modules.pop(name, None)


def test_langgraph_json_names_the_graph_factory_and_the_auth_handler(
    example: dict[str, ModuleType],
) -> None:
    config = json.loads((EXAMPLE / "langgraph.json").read_text())

    module, _, name = config["graphs"]["okta"].partition(":")
    assert (EXAMPLE / module).is_file()
    assert callable(getattr(example["agent"], name))
    auth_module, _, auth_name = config["auth"]["path"].partition(":")
    assert (EXAMPLE / auth_module).is_file()
    assert getattr(example["auth"], auth_name) is example["auth"].auth


def test_the_auth_handler_names_the_signed_in_person_and_refuses_others(
    example: dict[str, ModuleType],
) -> None:
    authenticate = example["auth"].authenticate

    alice = asyncio.run(authenticate("Bearer alice-session-7f3a"))
    with pytest.raises(example["auth"].Auth.exceptions.HTTPException) as refused:
        asyncio.run(authenticate("Bearer someone-else"))

    assert alice["identity"] == "alice"
    assert refused.value.status_code == 401


def _server_config(identity: str) -> dict[str, Any]:
    """What a LangGraph server puts in a run's config for an authenticated request."""
    user = {"identity": identity, "is_authenticated": True}
    return {"configurable": {"langgraph_auth_user": user, "langgraph_auth_user_id": identity}}


def test_two_people_on_two_orgs_at_once_each_act_with_their_own_credential(
    example: dict[str, ModuleType],
) -> None:
    agent_module, credentials = example["agent"], example["credentials"]
    orgs = credentials.demo_orgs()
    toolkit = agent_module.build_toolkit(orgs)
    models = {
        identity: OfferRecordingModel(
            script=[
                tool_call("okta_get_user", {"user_id": "me"}, "c1"),
                tool_call("okta_create_user", NEW_USER, "c2"),
            ]
        )
        for identity in ("alice", "bob")
    }
    results: dict[str, Any] = {}

    def run(identity: str) -> None:
        graph = agent_module.build_graph(toolkit, models[identity])
        question = {"messages": [("user", "who am I? then add Ada Byron")]}
        results[identity] = graph.invoke(question, config=_server_config(identity))

    with toolkit:
        in_threads([lambda: run("alice"), lambda: run("bob")])

    alice_me, alice_create = tool_messages(results["alice"]["messages"])
    bob_me, bob_create = tool_messages(results["bob"]["messages"])
    assert orgs.acme.admin["id"] in str(alice_me.content)
    assert orgs.acme.find_by_login("ada.byron@example.com") is not None
    assert {r.principal for r in orgs.acme.requests} == {orgs.acme.admin["id"]}
    bob_id = orgs.globex.find_by_login(json.loads(str(bob_me.content))["user"]["login"])["id"]
    assert {r.principal for r in orgs.globex.requests} == {bob_id}
    assert "may only read" in str(bob_create.content)
    assert orgs.globex.find_by_login("ada.byron@example.com") is None
    assert all("okta_create_user" not in offered for offered in models["bob"].offered)
    assert any("okta_create_user" in offered for offered in models["alice"].offered)
    assert alice_create.status != "error"
