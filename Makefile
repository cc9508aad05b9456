# Two commands set everything up: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The MCP Inspector CLI that tests/mcp_server/test_mcp_inspector.py runs (it skips, saying why,
# without node or .inspector/).
INSPECTOR_VERSION := 2.12.0
.DEFAULT_GOAL := help

.PHONY: help install inspector test lint typecheck workflows unit fast notebooks demo lab bench soak \
	fixtures clean

# `make help` lists the targets with the `## ` line above each.
help:
	@awk '/^## /{text=substr($$0, 4); next} /^[a-z][a-z-]*:/{if (text) printf "  make %-10s %s\n", substr($$1, 1, length($$1)-1), text; text=""} !/^## /{if (!/^[a-z][a-z-]*:/) text=""}' $(MAKEFILE_LIST)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[oauth,mcp,test,notebooks]'
	-$(MAKE) inspector
	touch $@

## Create .venv and install the package with its oauth, mcp, test and notebooks extras.
install: $(INSTALLED)

## The MCP Inspector CLI, a client we did not write, for tests/mcp_server (npm, once).
inspector:
	command -v npm >/dev/null || { echo "npm not found: the MCP Inspector test will skip"; exit 1; }
	npm install --silent --no-audit --no-fund --fetch-retries=1 --fetch-timeout=30000 \
		--prefix .inspector @modelcontextprotocol/inspector@$(INSPECTOR_VERSION)

## The whole gate, as CI runs it: lint, typecheck, workflows, unit, notebooks.
test: lint typecheck workflows unit notebooks

## ruff: lint and format check.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## mypy --strict on the package and scripts/.
typecheck: $(INSTALLED)
	$(BIN)/mypy
	$(BIN)/mypy scripts

# The CI workflow against GitHub's workflow schema, which ships inside check-jsonschema.
## Check .github/workflows against GitHub's workflow schema.
workflows: $(INSTALLED)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

## pytest: every test under tests/.
unit: $(INSTALLED)
	$(BIN)/pytest

# Loading nbmake costs seconds per run; the notebook tests are `make notebooks`.
## pytest without the notebook plugin, stopping at the first failure: `make fast T=tests/test_x.py`.
fast: $(INSTALLED)
	$(BIN)/pytest -p no:nbmake -x -q $(T)

# The notebooks run on the sandbox here even when Okta credentials or a model are exported:
# a test run must not write to a real org or call a model provider.
## Execute the notebooks and docs/okta.ipynb on the sandbox.
notebooks: $(INSTALLED)
	env -u OKTA_ORG_URL -u OKTA_API_TOKEN -u OKTA_CLIENT_ORGURL -u OKTA_CLIENT_TOKEN \
		-u OKTA_CLIENT_ID -u OKTA_PRIVATE_KEY -u OKTA_PRIVATE_KEY_PATH -u OKTA_KEY_ID \
		-u OKTA_SCOPES -u OKTA_CLIENT_AUTHORIZATIONMODE -u OKTA_CLIENT_CLIENTID \
		-u OKTA_CLIENT_PRIVATEKEY -u OKTA_CLIENT_KID -u OKTA_CLIENT_SCOPES \
		-u LANGCHAIN_OKTA_MODEL -u ANTHROPIC_API_KEY -u OPENAI_API_KEY \
		$(BIN)/pytest --nbmake --nbmake-timeout=300 notebooks/*.ipynb docs/*.ipynb

## Run the quickstart, then the agent walkthrough, printing their flow.
demo: $(INSTALLED)
	$(BIN)/python notebooks/run.py

## Open Jupyter on notebooks/.
lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/

## Benchmarks against baselines (installs bench/requirements.txt: Okta's SDK and others).
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py
	$(BIN)/python bench/mcp_overhead.py

## The 60 s fault soak over loopback.
soak: $(INSTALLED)
	$(BIN)/python bench/soak.py --seconds 60 --seed 1

# Remake tests/fixtures/okta/ from Okta's reference data in ../shared (the tests use only these).
## Remake tests/fixtures/okta/ (needs ../shared beside the repository; see CONTRIBUTING.md).
fixtures: $(INSTALLED)
	$(BIN)/python scripts/make_fixtures.py

## Remove .venv, build output and caches.
clean:
	rm -rf $(VENV) .inspector build *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
