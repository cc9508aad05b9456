"""docs/okta.ipynb: LangChain's tool integration page, in the shape of LangChain's template
(`src/oss/python/integrations/tools/TEMPLATE.mdx` in langchain-ai/docs).

`make test` executes it on the sandbox (nbmake); these tests hold its shape and its set-up.
docs/okta.mdx is made from it (tests/test_docs_page.py).
"""

from __future__ import annotations

import ast
import asyncio
import getpass
import inspect
import json
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "okta.ipynb"
# LangChain's tool integration template, in order.
SECTIONS = [
    "## Overview",
    "### Details",
    "### Features",
    "## Setup",
    "### Credentials",
    "### Installation",
    "## Instantiation",
    "## Invocation",
    "### Directly",
    "### As a ToolCall",
    "### Within an agent",
    "## Approving writes",
    "## API reference",
]
CREDENTIAL_VARIABLES = ("OKTA_ORG_URL", "OKTA_API_TOKEN", "OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY")


@pytest.fixture(scope="module")
def page() -> Any:
    return nbformat.read(PAGE, as_version=4)


def _headings(nb: Any) -> list[str]:
    return [
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]


def _code_after(nb: Any, heading: str) -> str:
    """The first code cell after the markdown cell holding `heading`."""
    cells = list(nb.cells)
    start = next(
        number
        for number, cell in enumerate(cells)
        if cell.cell_type == "markdown" and heading in cell.source.splitlines()
    )
    return str(next(cell.source for cell in cells[start:] if cell.cell_type == "code"))


def test_the_page_has_langchains_sections_in_order(page: Any) -> None:
    headings = _headings(page)
    positions = []
    for section in SECTIONS:
        matches = [number for number, heading in enumerate(headings) if heading.startswith(section)]
        assert matches, f"no {section!r} heading"
        positions.append(matches[0])

    assert positions == sorted(positions)


def test_the_page_opens_with_front_matter_holding_its_title(page: Any) -> None:
    first = page.cells[0]

    assert first.cell_type == "raw"
    assert re.fullmatch(r'---\ntitle: "Okta .*"\n(.*\n)*---', first.source)


def test_the_overview_names_the_class_and_the_package(page: Any) -> None:
    overview = next(cell.source for cell in page.cells if "### Details" in cell.source)

    assert re.search(r"\| \[OktaToolkit\]\(.*\) \| \[langchain-okta\]\(", overview)


def test_only_the_install_cell_is_left_out_of_runs(page: Any) -> None:
    skipped = [
        cell.source for cell in page.cells if "skip-execution" in cell.metadata.get("tags", [])
    ]

    assert skipped == ['%pip install -qU "langchain-okta[oauth]" langchain']


def test_the_page_ends_with_an_api_reference_link(page: Any) -> None:
    last = page.cells[-1].source

    assert "## API reference" in last
    assert "https://pypi.org/project/langchain-okta/" in last.split("## API reference")[-1]


def test_writes_are_gated_with_the_toolkits_binding_approval_middleware(page: Any) -> None:
    code = "\n".join(cell.source for cell in page.cells if cell.cell_type == "code")

    assert "middleware=toolkit.approval_middleware()" in code
    assert "interrupt_on=" not in code
    assert '"okta_create_user": True' not in code


def test_the_agent_uses_a_real_model_when_its_key_is_set_and_the_scripted_one_only_offline(
    page: Any,
) -> None:
    agent_code = _code_after(page, "### Within an agent")
    branches = agent_code.split("\nelse:", 1)

    assert 'init_chat_model("anthropic:' in branches[0]
    assert 'init_chat_model("openai:' in branches[0]
    assert "ScriptedChatModel(" not in branches[0]
    assert "ScriptedChatModel(" in branches[1]


def test_the_outputs_hold_no_terminal_colour_codes(page: Any) -> None:
    outputs = json.dumps([cell.get("outputs", []) for cell in page.cells])

    assert "\\u001b" not in outputs


def _run_credentials_cell(
    page: Any, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> list[str]:
    """Run the Credentials cell in this environment; returns the prompts getpass showed."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.setenv(name, "")  # so that the cell's own setting is undone too
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    prompts: list[str] = []

    def typed(prompt: str = "") -> str:
        prompts.append(prompt)
        return "typed-token"

    monkeypatch.setattr(getpass, "getpass", typed)
    _run_cell(_code_after(page, "### Credentials"), {})
    return prompts


def _run_cell(source: str, namespace: dict[str, Any]) -> None:
    """Run a cell's code as Jupyter does, top-level `await` included."""
    code = compile(source, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)  # noqa: S307 - the page's own cell
    if inspect.iscoroutine(result):
        asyncio.run(result)


def test_the_token_is_asked_for_when_an_org_is_set_without_one(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = _run_credentials_cell(page, monkeypatch, {"OKTA_ORG_URL": "https://x.okta.com"})

    assert len(prompts) == 1
    assert "token" in prompts[0]
    assert os.environ.get("OKTA_API_TOKEN") == "typed-token"


def test_a_token_in_the_environment_is_not_asked_for(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {"OKTA_ORG_URL": "https://x.okta.com", "OKTA_API_TOKEN": "from-env"}

    assert _run_credentials_cell(page, monkeypatch, environment) == []
    assert os.environ.get("OKTA_API_TOKEN") == "from-env"


def test_a_service_app_in_the_environment_is_not_asked_for_a_token(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {
        "OKTA_ORG_URL": "https://x.okta.com",
        "OKTA_CLIENT_ID": "0oaapp",
        "OKTA_PRIVATE_KEY": "key text",
    }

    assert _run_credentials_cell(page, monkeypatch, environment) == []
    assert "OKTA_API_TOKEN" not in os.environ


def test_without_an_org_nothing_is_asked_and_the_page_uses_the_sandbox(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run_credentials_cell(page, monkeypatch, {}) == []
    namespace: dict[str, Any] = {}

    _run_cell("import os\n" + _code_after(page, "## Instantiation"), namespace)

    assert namespace["toolkit"].client.settings.org_url == namespace["IN_PROCESS_URL"]
