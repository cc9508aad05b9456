"""Write docs/okta.mdx, LangChain's integration page, from the executed docs/okta.ipynb.

    python scripts/make_docs.py [--check]

The notebook is the source: `make test` executes it (on the sandbox, with the scripted model),
so every code block on the page is code that ran, and each output shown is what it printed.
Refresh the notebook's saved outputs first (`python notebooks/run.py --in-place docs/okta.ipynb`),
then run this. `--check` writes nothing and exits 1 when the page is not what the notebook makes
(tests/test_docs_page.py checks the same).

The page follows LangChain's tool-integration template (`src/oss/python/integrations/tools/
TEMPLATE.mdx` in langchain-ai/docs): front matter, markdown as written, each code cell as a
```python block followed by its output as a ```text block, and the install cell as a
pip / uv `<CodeGroup>`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOK = REPOSITORY / "docs" / "okta.ipynb"
PAGE = REPOSITORY / "docs" / "okta.mdx"
# Cells the docs site shows but a test run leaves out: the install line.
SKIPPED = "skip-execution"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PIP_INSTALL = re.compile(r"^%pip install (?:-q?U|--quiet|-U|-q|\s)*(?P<packages>.+)$")
# What MDX reads as JSX (or an expression) in prose: braces and "<" outside code.
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_JSX_SIGNIFICANT = re.compile(r"[{}<]")


class NotebookNotReady(ValueError):
    """The notebook cannot make the page: a cell did not run, or failed."""


def read_notebook() -> Any:
    """docs/okta.ipynb as nbformat reads it (nbformat has no type hints)."""
    return nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]


def render(nb: Any) -> str:
    """The MDX page for an executed notebook."""
    parts = list(_parts(nb))
    return "\n\n".join(part.strip("\n") for part in parts if part.strip()) + "\n"


def _parts(nb: Any) -> Iterator[str]:
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "raw":
            yield cell.source
        elif cell.cell_type == "markdown":
            _check_prose(number, cell.source)
            yield cell.source
        elif SKIPPED in cell.metadata.get("tags", []):
            yield _install_group(number, cell.source)
        else:
            yield from _code_and_output(number, cell)


def _code_and_output(number: int, cell: Any) -> Iterator[str]:
    if cell.get("execution_count") is None:
        raise NotebookNotReady(f"cell {number} has not run: execute the notebook first")
    yield f"```python\n{cell.source}\n```"
    text = "".join(_output_text(number, output) for output in cell.get("outputs", []))
    text = ANSI_ESCAPE.sub("", text).rstrip()
    if text:
        yield f"```text\n{text}\n```"


def _output_text(number: int, output: Any) -> str:
    if output.output_type == "error":
        raise NotebookNotReady(f"cell {number} failed: {output.ename}: {output.evalue}")
    if output.output_type == "stream":
        if output.name == "stderr":
            raise NotebookNotReady(f"cell {number} wrote to stderr: {output.text.strip()[:200]}")
        return str(output.text)
    if output.output_type in ("execute_result", "display_data"):
        return str(output.get("data", {}).get("text/plain", "")) + "\n"
    return ""


def _install_group(number: int, source: str) -> str:
    found = PIP_INSTALL.match(source.strip())
    if found is None:
        raise NotebookNotReady(f"cell {number} is skipped but is not a `%pip install` line")
    packages = found.group("packages").strip()
    return (
        "<CodeGroup>\n"
        f"```bash pip\npip install -U {packages}\n```\n"
        f"```bash uv\nuv add {packages}\n```\n"
        "</CodeGroup>"
    )


def _check_prose(number: int, markdown: str) -> None:
    prose = _CODE.sub("", markdown)
    significant = _JSX_SIGNIFICANT.search(prose)
    if significant is not None:
        raise NotebookNotReady(
            f"cell {number}: {significant.group()!r} outside code would be read as JSX by MDX; "
            "put it in `code`"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check that the page is current")
    args = parser.parse_args(argv)
    try:
        page = render(read_notebook())
    except NotebookNotReady as error:
        print(f"{NOTEBOOK.relative_to(REPOSITORY)}: {error}", file=sys.stderr)
        return 1
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else None
    if args.check:
        if current != page:
            print(f"{PAGE.relative_to(REPOSITORY)} is stale: run python scripts/make_docs.py")
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(REPOSITORY)} ({len(page):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
