# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint typecheck pytest bench browser deploy-tools clean stress stress-load stress-restart screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

# `make run PORT=8123` serves elsewhere; every link the demo makes names that port.
PORT ?= 8000
DEMO_ENV := PASSPORT_MODE=demo PASSPORT_BASE_URL=http://127.0.0.1:$(PORT)

run: $(RUN_STAMP)
	$(DEMO_ENV) $(BIN)/passport demo
	$(DEMO_ENV) $(BIN)/passport serve --host 127.0.0.1 --port $(PORT)

# Playwright cannot download its own browsers here: the browser tests drive Debian's chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# tests/test_deploy.py checks deploy/ with the real tools: nginx -t and systemd-analyze verify.
deploy-tools:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "installing Debian's nginx-light for the deployment tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
	@command -v systemd-analyze >/dev/null 2>&1 || { \
	  echo "installing Debian's systemd for the deployment tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Three test processes on two cores: many tests wait on servers, browsers and subprocesses they
# start; work stealing keeps the long ones from ending up last on one process.
PYTEST_WORKERS ?= 3

pytest: $(DEV_STAMP) browser deploy-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck pytest

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# The main pages in English and French, desktop and phone, into docs/screenshots/ (issue #16).
screenshots: $(DEV_STAMP) browser
	$(BIN)/python -m tests.screenshots

# Issue #8 on PostgreSQL: the load mix (loopback only; STRESS_SECONDS, default 300), then the
# database-restart drill on a throwaway cluster of its own (needs root and pg_createcluster).
stress: stress-load stress-restart

stress-load: $(DEV_STAMP)
	$(BIN)/python -m stress.run

stress-restart: $(DEV_STAMP)
	$(BIN)/python -m stress.db_restart

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
