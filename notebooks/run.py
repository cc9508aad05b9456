"""Run the notebooks headless: `python notebooks/run.py` (what `make demo` does).

Executes every notebook in notebooks/ (the quickstart first, then the agent walkthrough, then
any others by name), or the ones named, with nbclient (kernel `python3`, from notebooks/) into
notebooks/executed/<name>.ipynb, prints each one's flow to the terminal (the quickstart's tool
results, the walkthrough's conversation with its approve, edit and reject), each output under a
label naming the code that printed it, and exits non-zero if a notebook fails.

The notebooks use the built-in sandbox org unless OKTA_ORG_URL and OKTA_API_TOKEN are both set
(the quickstart then runs against that org), and a scripted stand-in model unless
LANGCHAIN_OKTA_MODEL is set (e.g. `openai:gpt-4.1`).

`--in-place` writes the outputs back into the notebooks themselves, cleaned of run-specific
metadata, to refresh them before a commit; it runs only against the sandbox and the scripted
model, so the saved outputs are the same on every run.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import zmq
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets.config import Config

HERE = Path(__file__).resolve().parent
EXECUTED = HERE / "executed"
KERNEL = "python3"
TIMEOUT_SECONDS = 300
# What the terminal shows of each cell's output.
MAX_LINES = 20
MAX_WIDTH = 110
# Run-specific: they would change the saved notebooks on every run.
RUN_VARIABLES = (
    "OKTA_ORG_URL",
    "OKTA_API_TOKEN",
    "OKTA_CLIENT_ID",
    "LANGCHAIN_OKTA_MODEL",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# A conversation line, `model    > ...`: a long one continues under its text.
SPEAKER = re.compile(r"\s*\S+\s+[<>] ")
# The order a newcomer reads them in: what the tools do, then an agent using them.
DEMO_ORDER = ("quickstart.ipynb", "agent_walkthrough.ipynb")
LABEL_WIDTH = 90
LANGUAGE_INFO_KEPT = ("name", "codemirror_mode", "file_extension", "mimetype", "pygments_lexer")


@dataclass(frozen=True)
class Outcome:
    notebook: Path
    saved_to: Path
    seconds: float
    error: str | None = None


def backend() -> str:
    """The org the notebooks talk to, by the same rule as the quickstart."""
    org_url = os.environ.get("OKTA_ORG_URL", "").strip()
    if org_url and os.environ.get("OKTA_API_TOKEN", "").strip():
        return f"the Okta org at {org_url} (quickstart); the sandbox (agent walkthrough)"
    return "the built-in sandbox org (in memory, nothing leaves this machine)"


def model() -> str:
    return os.environ.get("LANGCHAIN_OKTA_MODEL", "").strip() or "a scripted stand-in (offline)"


def execute(notebook: Path, saved_to: Path, *, clean: bool = False) -> Outcome:
    """Run one notebook from notebooks/ and save it, outputs included, even when it fails."""
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_SECONDS,
        kernel_name=KERNEL,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(HERE)}},
        config=_kernel_config(),
    )
    started = time.perf_counter()
    error: str | None = None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = f"{_failed_cell(nb)}{exc.ename}: {_plain(exc.evalue)}"
    except (CellTimeoutError, DeadKernelError) as exc:
        error = f"{_failed_cell(nb)}{type(exc).__name__}: {_last_lines(_plain(str(exc)), 3)}"
    seconds = time.perf_counter() - started
    if clean:
        clean_metadata(nb)
    saved_to.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, saved_to)
    return Outcome(notebook, saved_to, seconds, error)


def _kernel_config() -> Config:
    """Encrypt the kernel's loopback traffic when pyzmq can (which also spares the terminal
    the kernel's warning about plain-text TCP)."""
    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def clean_metadata(nb: Any) -> None:
    """Drop what changes from run to run without changing the notebook: timings, versions."""
    language_info = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {
        key: language_info[key] for key in LANGUAGE_INFO_KEPT if key in language_info
    }
    for key in ("widgets", "papermill"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)


def in_demo_order(notebooks: Iterable[Path]) -> list[Path]:
    """The quickstart, then the walkthrough, then any others by name."""

    def rank(path: Path) -> tuple[int, str]:
        position = DEMO_ORDER.index(path.name) if path.name in DEMO_ORDER else len(DEMO_ORDER)
        return position, path.name

    return sorted(notebooks, key=rank)


def flow(nb: Any) -> Iterator[str]:
    """The notebook as terminal lines: each heading, then the text each code cell printed,
    under a label naming the cell and the statement that printed it."""
    code_cells = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    level = len(line) - len(line.lstrip("#"))
                    title = line.lstrip("#").strip()
                    yield ""
                    yield title if level > 1 else f"{title}\n{'=' * len(title)}"
                    if level == 2:
                        yield "-" * len(title)
        elif cell.cell_type == "code":
            code_cells += 1
            text = "".join(_output_text(output) for output in cell.get("outputs", []))
            if text.strip():
                yield ""
                yield label(cell, code_cells)
                yield from _trimmed(text.rstrip("\n").splitlines())


def label(cell: Any, number: int) -> str:
    """`  In [3]: statement`: the cell as Jupyter numbers it, and the statement that most
    likely printed (its first bare expression, else its last statement), on one line."""
    count = cell.get("execution_count") or number
    statement = " ".join(_printing_statement(cell.source).split())
    if len(statement) > LABEL_WIDTH:
        statement = statement[: LABEL_WIDTH - 1].rstrip() + "…"
    return f"  In [{count}]: {statement}"


def _printing_statement(source: str) -> str:
    try:
        tree = compile(source, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:  # IPython syntax (%magic, !shell): its last line
        return next((line for line in reversed(source.splitlines()) if line.strip()), "")
    if not isinstance(tree, ast.Module) or not tree.body:
        return ""
    expressions = [statement for statement in tree.body if isinstance(statement, ast.Expr)]
    chosen = expressions[0] if expressions else tree.body[-1]
    return ast.get_source_segment(source, chosen) or ""


def _output_text(output: Any) -> str:
    if output.output_type == "stream":
        return str(output.text)
    if output.output_type in ("execute_result", "display_data"):
        data = output.get("data", {})
        text = data.get("text/markdown") or data.get("text/plain") or ""
        return str(text) + "\n"
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}\n"
    return ""


def _trimmed(lines: Sequence[str]) -> Iterator[str]:
    for line in lines[:MAX_LINES]:
        yield from _wrapped("    " + line)
    if len(lines) > MAX_LINES:
        hidden = len(lines) - MAX_LINES
        yield f"    … ({hidden} more line{'s' if hidden > 1 else ''})"


def _wrapped(line: str) -> list[str]:
    """A line, or a long one over several, each word kept."""
    if len(line) <= MAX_WIDTH:
        return [line]
    speaker = SPEAKER.match(line)
    indent = len(speaker.group()) if speaker else len(line) - len(line.lstrip()) + 4
    return textwrap.wrap(line, MAX_WIDTH, subsequent_indent=" " * indent, break_on_hyphens=False)


def _failed_cell(nb: Any) -> str:
    """Where a run stopped: the first cell with an error output, or the last one that ran."""
    ran = [
        (number, cell)
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and cell.get("execution_count") is not None
    ]
    failed = [
        (number, cell)
        for number, cell in ran
        if any(output.output_type == "error" for output in cell.get("outputs", []))
    ]
    if not (failed or ran):
        return ""
    number, cell = failed[0] if failed else ran[-1]
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"  cell {number} ({first_line.strip()[:60]}):\n    "


def _plain(text: str) -> str:
    """Text without the terminal colour codes of IPython's tracebacks."""
    return ANSI_ESCAPE.sub("", text)


def _last_lines(text: str, count: int) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)"
    )
    parser.add_argument(
        "-o", "--output-dir", type=Path, default=EXECUTED, help="where the executed copies go"
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="save the outputs into the notebooks themselves (sandbox and scripted model only)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    notebooks = in_demo_order(args.notebooks or HERE.glob("*.ipynb"))
    if not notebooks:
        print(f"No notebooks in {HERE}.", file=sys.stderr)
        return 1
    if args.in_place:
        set_variables = [name for name in RUN_VARIABLES if os.environ.get(name)]
        if set_variables:
            print(
                f"--in-place runs only against the sandbox with the scripted model; unset "
                f"{', '.join(set_variables)} first.",
                file=sys.stderr,
            )
            return 2

    print(f"Backend: {backend()}")
    print(f"Model:   {model()}")
    outcomes = []
    for notebook in notebooks:
        saved_to = notebook if args.in_place else args.output_dir / notebook.name
        print(f"\nRunning {notebook.name} ...", flush=True)
        outcome = execute(notebook, saved_to, clean=args.in_place)
        outcomes.append(outcome)
        if outcome.error is None:
            print(f"  ok in {outcome.seconds:.1f} s")
        else:
            print(f"  FAILED after {outcome.seconds:.1f} s:\n{outcome.error}")
        for line in flow(nbformat.read(saved_to, as_version=4)):
            print(line)

    failed = [outcome for outcome in outcomes if outcome.error is not None]
    where = "in place" if args.in_place else f"to {_shown(args.output_dir)}"
    print(f"\n{len(outcomes) - len(failed)} of {len(outcomes)} notebooks ran; saved {where}:")
    for outcome in outcomes:
        status = "FAILED" if outcome.error is not None else "ok"
        print(f"  {status:<6} {_shown(outcome.saved_to)}")
    if not args.in_place:
        print(f"Open them in Jupyter: .venv/bin/jupyter lab {_shown(args.output_dir)}")
    return 1 if failed else 0


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
