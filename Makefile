# Mekong Bridge. `make demo` runs the platform with synthetic data; `make test` checks it.
# Both set up everything they need from a fresh clone (Python 3.11+, make, Node.js/npm).

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
VENDOR := src/mekong/web/static/vendor

.PHONY: demo test install assets messages lint typecheck pytest serve clean

## demo: install, migrate the SQLite database under var/, load the demo programme, serve it
demo: install assets messages
	@mkdir -p var
	MEKONG_DEBUG=1 $(BIN)/mekong migrate --noinput -v0
	MEKONG_DEBUG=1 $(BIN)/mekong demo --seed 1 --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	MEKONG_DEBUG=1 $(BIN)/mekong runserver $(HOST):$(PORT)

## test: ruff, mypy and pytest (SQLite; PostgreSQL too when MEKONG_TEST_POSTGRES_URL is set;
## the database-free measure tests and the browser tests run once, on the first pass)
test: install assets messages lint typecheck pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json tools/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

messages: install
	$(BIN)/python tools/compile_messages.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install assets messages
	@if [ -n "$$MEKONG_CI" ] && [ -z "$$MEKONG_TEST_POSTGRES_URL" ]; then \
		echo "CI mode needs MEKONG_TEST_POSTGRES_URL (PostgreSQL tests may not be skipped)"; exit 1; fi
	$(BIN)/pytest
	@if [ -n "$$MEKONG_TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL ($$MEKONG_TEST_POSTGRES_URL)"; \
		MEKONG_DATABASE_URL="$$MEKONG_TEST_POSTGRES_URL" $(BIN)/pytest -m "not e2e" --ignore=tests/measure; \
	fi

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
