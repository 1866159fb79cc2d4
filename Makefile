# Front Door. `make help` lists the targets; `make run` and `make test` are the two
# commands a newcomer needs. Works on a fresh machine with Python 3.11+, Node.js
# with npm, and make.

.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FRONTDOOR_DEMO_PASSWORD ?= demo-password

.PHONY: help run test lint format bench assets translations demo clean audit sbom

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed $(BIN)/.installed static/build-assets.sh static/name-keyboards.mjs $(wildcard static/src/*.scss)
	bash static/build-assets.sh
	touch $@

translations/.compiled: $(BIN)/.installed $(wildcard translations/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel compile -d translations >/dev/null
	touch $@

translations: translations/.compiled ## Compile the translations (.po) into .mo files

assets: static/dist/.built ## Build the CSS and JavaScript into static/dist (needs Node)

run: $(BIN)/.installed assets translations ## Set up, load the demo council if empty, serve on 127.0.0.1:5000
	$(BIN)/frontdoor db upgrade
	$(BIN)/frontdoor demo --if-empty --password "$(FRONTDOOR_DEMO_PASSWORD)"
	$(BIN)/frontdoor urls
	FRONTDOOR_SCHEDULER_IN_PROCESS=1 $(BIN)/frontdoor run --host 127.0.0.1 --port 5000

test: $(BIN)/.installed assets translations ## Run the whole test suite (SQLite; PostgreSQL with FRONTDOOR_TEST_DATABASE_URL)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed ## ruff check, format check, and mypy (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/.installed assets ## Measure the numbers each issue names (loopback only, bounded)
	$(BIN)/python -m bench

audit: $(BIN)/.installed ## Known vulnerabilities: pip-audit (virtualenv) and npm audit (lock file)
	$(BIN)/python -m tools.audit

sbom: $(BIN)/.installed ## CycloneDX bills of materials (Python, npm) into sbom/
	mkdir -p sbom
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --of JSON \
		--output-reproducible -o sbom/python.cdx.json $(VENV)
	npm sbom --sbom-format cyclonedx --package-lock-only --omit dev > sbom/assets.cdx.json
	@echo "sbom/python.cdx.json: $$($(BIN)/python -c 'import json; print(len(json.load(open("sbom/python.cdx.json"))["components"]))') components"
	@echo "sbom/assets.cdx.json: $$($(BIN)/python -c 'import json; print(len(json.load(open("sbom/assets.cdx.json"))["components"]))') components"

clean: ## Remove the virtualenv, node_modules and built assets
	rm -rf $(VENV) node_modules static/dist translations/.compiled translations/*/LC_MESSAGES/*.mo
