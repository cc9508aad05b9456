# Two commands set everything up: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install inspector test lint typecheck workflows unit notebooks demo lab bench soak fixtures clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[oauth,mcp,test,notebooks]'
	-$(MAKE) inspector
	touch $@

install: $(INSTALLED)

# The MCP Inspector's CLI, a client we did not write, for tests/mcp_server/test_mcp_inspector.py
# (which skips, saying why, without node or this folder). Needs npm and its registry once.
INSPECTOR_VERSION := 2.12.0
inspector:
	command -v npm >/dev/null || { echo "npm not found: the MCP Inspector test will skip"; exit 1; }
	npm install --silent --no-audit --no-fund --fetch-retries=1 --fetch-timeout=30000 \
		--prefix .inspector @modelcontextprotocol/inspector@$(INSPECTOR_VERSION)

test: lint typecheck workflows unit notebooks

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy
	$(BIN)/mypy scripts

# The CI workflow against GitHub's workflow schema, which ships inside check-jsonschema.
workflows: $(INSTALLED)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

unit: $(INSTALLED)
	$(BIN)/pytest

# The notebooks run on the sandbox here even when Okta credentials or a model are exported:
# a test run must not write to a real org or call a model provider.
notebooks: $(INSTALLED)
	env -u OKTA_ORG_URL -u OKTA_API_TOKEN -u OKTA_CLIENT_ORGURL -u OKTA_CLIENT_TOKEN \
		-u OKTA_CLIENT_ID -u OKTA_PRIVATE_KEY -u OKTA_PRIVATE_KEY_PATH -u OKTA_KEY_ID \
		-u OKTA_SCOPES -u OKTA_CLIENT_AUTHORIZATIONMODE -u OKTA_CLIENT_CLIENTID \
		-u OKTA_CLIENT_PRIVATEKEY -u OKTA_CLIENT_KID -u OKTA_CLIENT_SCOPES \
		-u LANGCHAIN_OKTA_MODEL $(BIN)/pytest --nbmake --nbmake-timeout=300 notebooks/*.ipynb docs/*.ipynb

demo: $(INSTALLED)
	$(BIN)/python notebooks/run.py

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/

bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[oauth,mcp,test,notebooks,bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/mcp_overhead.py

soak: $(INSTALLED)
	$(BIN)/python bench/soak.py --seconds 60 --seed 1

# Remake tests/fixtures/okta/ from Okta's reference data in ../shared (the tests use only these).
fixtures: $(INSTALLED)
	$(BIN)/python scripts/make_fixtures.py

clean:
	rm -rf $(VENV) .inspector build *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
