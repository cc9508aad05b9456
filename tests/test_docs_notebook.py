"""docs/okta.ipynb: LangChain's tool integration page, in the shape LangChain's docs use.

`make test` executes it on the sandbox (nbmake); these tests hold its shape and its set-up.
"""

from __future__ import annotations

import ast
import asyncio
import getpass
import inspect
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "okta.ipynb"
# LangChain's tool integration template, in order.
SECTIONS = [
    "# Okta",
    "## Overview",
    "### Integration details",
    "### Tool features",
    "## Setup",
    "### Credentials",
    "## Instantiation",
    "## Invocation",
    "### [Invoke directly with args]",
    "### [Invoke with ToolCall]",
    "## Use within an agent",
    "## API reference",
]


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


def test_the_overview_names_the_class_and_the_package(page: Any) -> None:
    overview = next(cell.source for cell in page.cells if "### Integration details" in cell.source)

    assert re.search(r"\| \[OktaToolkit\]\(.*\) \| \[langchain-okta\]\(", overview)


def test_only_the_install_cell_is_left_out_of_runs(page: Any) -> None:
    skipped = [
        cell.source for cell in page.cells if "skip-execution" in cell.metadata.get("tags", [])
    ]

    assert skipped == ["%pip install --quiet -U langchain-okta langchain"]


def test_the_page_ends_with_an_api_reference_link(page: Any) -> None:
    last = page.cells[-1].source

    assert "## API reference" in last
    assert "https://pypi.org/project/langchain-okta/" in last.split("## API reference")[-1]


def _run_credentials_cell(
    page: Any, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> list[str]:
    """Run the Credentials cell in this environment; returns the prompts getpass showed."""
    for name in ("OKTA_ORG_URL", "OKTA_API_TOKEN"):
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


def test_without_an_org_nothing_is_asked_and_the_page_uses_the_sandbox(
    page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run_credentials_cell(page, monkeypatch, {}) == []
    namespace: dict[str, Any] = {}

    _run_cell("import os\n" + _code_after(page, "## Instantiation"), namespace)

    assert namespace["toolkit"].client.settings.org_url == namespace["IN_PROCESS_URL"]
