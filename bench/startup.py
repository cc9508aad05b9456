"""3. Import cost: `import langchain_okta` vs `import okta.client`, each in fresh interpreters.

Each import is timed inside a fresh interpreter (perf_counter around the import statement,
so interpreter start-up is excluded) and repeated; the figure is the median. Two settings:

- cold: nothing imported before (what a script or a CLI pays);
- in an agent: LangChain's tool classes (`BaseTool`, `StructuredTool`) imported first, as
  any LangChain agent has them, so the figure is what the package adds on top.

Bytecode: the environment may set PYTHONDONTWRITEBYTECODE (this one does), which would make
our editable install compile from source on every run while the SDK's wheel has its .pyc
files. In full mode both get a private, warmed bytecode cache (PYTHONPYCACHEPREFIX in a
temporary directory) so the two are compared on equal terms and nothing is written into
the source tree.

`httpx_aiohttp` is hidden from the probes (as if not installed): the bench installs it for
measurement 1, and LangSmith, which langchain_core imports, imports it (and with it aiohttp)
whenever it is installed, which `pip install langchain-okta` never does. Full mode also
measures our cold import with it visible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import okta_sdk
from harness import Figure, Section, median

OURS = "langchain_okta"
SDK = "okta.client"
# What any LangChain agent has loaded: the tool classes (`import langchain_core.tools` alone
# is lazy and loads almost nothing).
AGENT_BASE = "from langchain_core.tools import BaseTool, StructuredTool"
HIDDEN = ("httpx_aiohttp",)
GOAL = 10.0

_PROBE = """
import json, sys, time
for name in {hidden!r}:
    sys.modules[name] = None  # as if not installed: importing it raises ImportError
for statement in {before!r}:
    exec(statement)
loaded = len(sys.modules)
start = time.perf_counter()
exec({timed!r})
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "modules": len(sys.modules) - loaded}}))
"""


@dataclass(frozen=True)
class Case:
    """Time `import module` (or `statement`) after running the `before` statements."""

    key: str
    module: str
    before: tuple[str, ...] = ()
    hidden: tuple[str, ...] = HIDDEN
    statement: str = ""

    @property
    def timed(self) -> str:
        return self.statement or f"import {self.module}"


def cases(*, sdk: bool, in_agent: bool) -> list[Case]:
    found = [Case("cold:ours", OURS)]
    if sdk:
        found.append(Case("cold:sdk", SDK))
    if in_agent:
        found.append(Case("agent:ours", OURS, (AGENT_BASE,)))
        if sdk:
            found.append(Case("agent:sdk", SDK, (AGENT_BASE,)))
        found.append(Case("cold:langchain", "", (), statement=AGENT_BASE))
        found.append(Case("cold:ours+httpx_aiohttp", OURS, hidden=()))
    return found


def measure(*, repeats: int, private_bytecode: bool, in_agent: bool) -> Section:
    """`in_agent`: also measure on top of LangChain's tool classes, and those on their own."""
    section = Section("imports", "3. Import cost in a fresh interpreter")
    sdk = okta_sdk.available()
    todo = cases(sdk=sdk, in_agent=in_agent)
    runs: dict[str, list[dict[str, float]]] = {case.key: [] for case in todo}
    with environment(private_bytecode) as env:
        if private_bytecode:
            for case in todo:
                probe(case, env)  # fills the private bytecode cache
        for _ in range(repeats):
            for case in todo:
                runs[case.key].append(probe(case, env))
    ms = {key: median([run["seconds"] for run in values]) * 1000 for key, values in runs.items()}
    modules = {key: int(median([run["modules"] for run in values])) for key, values in runs.items()}
    section.data.update(ms=ms, modules=modules, repeats=repeats, runs=runs)

    for setting, label in (("cold", "cold"), ("agent", "after LangChain's tool classes")):
        if f"{setting}:ours" not in ms:
            continue
        ours, theirs = ms[f"{setting}:ours"], ms.get(f"{setting}:sdk")
        note = f"{modules[f'{setting}:ours']:,} modules"
        if theirs is not None:
            note += f" vs {modules[f'{setting}:sdk']:,}"
        else:
            note += "; okta not installed: no comparison"
        cold = setting == "cold"
        section.figures.append(
            Figure(
                f"3.{setting}",
                "imports",
                f"import langchain_okta ({label})",
                ours,
                "ms",
                "import okta.client" if theirs is not None else "",
                theirs,
                theirs / ours if theirs is not None else None,
                "SDK / ours (x lighter)",
                f"≥ {GOAL:.0f}x" if cold else "",
                (theirs / ours >= GOAL) if cold and theirs is not None else None,
                note,
            )
        )
    if "cold:langchain" in ms:
        section.figures.append(
            Figure(
                "3.langchain",
                "imports",
                "LangChain's tool classes (cold)",
                ms["cold:langchain"],
                "ms",
                "import langchain_okta (cold)",
                ms["cold:ours"],
                ms["cold:langchain"] / ms["cold:ours"],
                "share of ours that is LangChain's",
                note=f"{modules['cold:langchain']:,} modules",
                percent=True,
            )
        )
    if "cold:ours+httpx_aiohttp" in ms:
        section.details.append(
            f"With httpx-aiohttp installed (as in the bench's environment), `import "
            f"langchain_okta` takes {ms['cold:ours+httpx_aiohttp']:,.0f} ms and "
            f"{modules['cold:ours+httpx_aiohttp']:,} modules: LangSmith then imports aiohttp."
        )
    section.details.append(
        f"Median of {repeats} fresh interpreter(s) per case; "
        + (
            "a private, warmed bytecode cache for all (PYTHONPYCACHEPREFIX)."
            if private_bytecode
            else "bytecode caches as installed (quick mode)."
        )
    )
    return section


@contextmanager
def environment(private_bytecode: bool) -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if not private_bytecode:
        yield env
        return
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        yield env


def probe(case: Case, env: dict[str, str]) -> dict[str, float]:
    code = _PROBE.format(timed=case.timed, before=list(case.before), hidden=list(case.hidden))
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
