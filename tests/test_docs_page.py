"""docs/okta.mdx: the page for LangChain's docs site, made by scripts/make_docs.py from the
executed docs/okta.ipynb (which `make test` runs), so that its code is code that ran."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from nbformat.v4 import new_output

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "okta.mdx"
# LangChain's tool-integration template (TEMPLATE.mdx in langchain-ai/docs), in order; the
# toolkit's own section sits before the API reference, where the template puts it.
TEMPLATE_SECTIONS = [
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


@pytest.fixture(scope="module")
def make_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _executed(make_docs: ModuleType) -> Any:
    return make_docs.read_notebook()


def test_the_page_is_what_the_executed_notebook_makes(make_docs: ModuleType, page: str) -> None:
    assert page == make_docs.render(_executed(make_docs)), (
        "docs/okta.mdx is stale: run python scripts/make_docs.py"
    )


def test_the_page_opens_with_its_title_in_front_matter(page: str) -> None:
    assert re.match(r'---\ntitle: "Okta [^"\n]+"\n(?:[^\n]*\n)*?---\n', page)


def test_the_page_has_the_templates_sections_in_order(page: str) -> None:
    headings = [line for line in page.splitlines() if line.startswith("#")]

    assert [heading for heading in headings if heading in TEMPLATE_SECTIONS] == TEMPLATE_SECTIONS


def test_every_code_block_on_the_page_is_a_cell_of_the_notebook(
    make_docs: ModuleType, page: str
) -> None:
    cells = {cell.source for cell in _executed(make_docs).cells if cell.cell_type == "code"}

    blocks = re.findall(r"```python\n(.*?)\n```", page, re.DOTALL)

    assert blocks
    assert [block for block in blocks if block not in cells] == []


def test_installation_is_a_pip_and_uv_code_group(page: str) -> None:
    installation = page.split("### Installation", 1)[1].split("\n## ", 1)[0]

    assert "<CodeGroup>" in installation
    assert 'pip install -U "langchain-okta[oauth]" langchain' in installation
    assert 'uv add "langchain-okta[oauth]" langchain' in installation


def test_the_outputs_are_plain_text_without_colour_codes(page: str) -> None:
    assert "\x1b" not in page
    assert "[1m" not in page


def test_a_notebook_that_did_not_run_makes_no_page(make_docs: ModuleType) -> None:
    notebook = _executed(make_docs)
    code = next(cell for cell in notebook.cells if cell.cell_type == "code" and cell.outputs)
    code.execution_count = None

    with pytest.raises(make_docs.NotebookNotReady, match="has not run"):
        make_docs.render(notebook)


def test_a_failed_cell_makes_no_page(make_docs: ModuleType) -> None:
    notebook = _executed(make_docs)
    code = next(cell for cell in notebook.cells if cell.cell_type == "code" and cell.outputs)
    code.outputs = [new_output("error", ename="KeyError", evalue="'x'", traceback=[])]

    with pytest.raises(make_docs.NotebookNotReady, match="KeyError"):
        make_docs.render(notebook)


def test_prose_that_mdx_would_read_as_jsx_is_refused(make_docs: ModuleType) -> None:
    notebook = _executed(make_docs)
    prose = next(cell for cell in notebook.cells if cell.cell_type == "markdown")
    prose.source += "\nA {placeholder} outside code."

    with pytest.raises(make_docs.NotebookNotReady, match="JSX"):
        make_docs.render(notebook)
