# wellui: `make run` brings up the demo, `make test` runs the checks.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
SANDBOX_PORT ?= 8001
WEB_PORT ?= 8000
SANDBOX_SIZE ?= default
export PYTHON

.PHONY: help run test lint format pytest clean bench

help:
	@echo "make run    - start the WellApp sandbox and the portal on http://127.0.0.1:$(WEB_PORT)/"
	@echo "make test   - lint (ruff, mypy) and run the test suite"
	@echo "make format - format the code with ruff"
	@echo "make screenshots - every screen and state, both sizes, light and dark, into screenshots/"
	@echo "make bench  - time the phones list against the Django admin over 1M phones (SQLite, PostgreSQL)"
	@echo "make bench-import - time a 10,000-row import and its preview against the 5 s budget (SQLite, PostgreSQL)"
	@echo "make clean  - remove the virtualenv and local data"

# Create the virtualenv with a Python >= 3.12, or say plainly that there is none.
$(PY):
	@py=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	@bin/run-demo "$(PY)" "$(SANDBOX_PORT)" "$(WEB_PORT)" "$(SANDBOX_SIZE)"

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

pytest: $(VENV)/.installed-dev
	@bin/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint pytest

# Every screen in every state (list, form, waits, errors, queue, sync, 403/404, login) at
# 1280x800 and 390x844, light and dark, into screenshots/ (git-ignored).
.PHONY: screenshots
screenshots: $(VENV)/.installed-dev
	@bin/ensure-chromium
	$(PY) -m pytest -m screenshots -p no:cacheprovider -q tests/browser/test_screenshots.py $(PYTEST_ARGS)
	@dir="$${SCREENSHOTS_DIR:-screenshots}"; echo "$$(find "$$dir" -name '*.png' | wc -l) screenshots in $$dir/"

# SQLite (bench/bench.sqlite3), then PostgreSQL at BENCH_POSTGRES_URL (set it empty for SQLite
# only); each section of bench/results.md is written by its own run. A database that already
# holds the full data set is reused; BENCH_REGENERATE=1 rebuilds them. BENCH_ARGS go to
# bench/run.py (e.g. BENCH_ARGS=--quick).
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/wellui_bench
BENCH_GENERATE = $(PY) -m bench.generate $(if $(filter 1,$(BENCH_REGENERATE)),,--if-needed)
BENCH_RUN = BENCH_COMMAND="make bench$(if $(BENCH_ARGS), BENCH_ARGS='$(BENCH_ARGS)')" \
	$(PY) -m bench.run $(BENCH_ARGS)
bench: $(VENV)/.installed-dev
	BENCH_DATABASE_URL= $(BENCH_GENERATE)
	BENCH_DATABASE_URL= $(BENCH_RUN)
ifneq ($(strip $(BENCH_POSTGRES_URL)),)
	BENCH_DATABASE_URL='$(BENCH_POSTGRES_URL)' $(BENCH_GENERATE)
	BENCH_DATABASE_URL='$(BENCH_POSTGRES_URL)' $(BENCH_RUN)
endif

# A 10,000-row import: reading, checking and storing it, then its preview page, against the
# 5 s budget; on SQLite (bench/import.sqlite3), then PostgreSQL at BENCH_IMPORT_POSTGRES_URL
# (set it empty for SQLite only). Each database is made anew. BENCH_IMPORT_ARGS go to
# bench/import_preview.py (e.g. BENCH_IMPORT_ARGS='--rows 2000 --runs 3').
.PHONY: bench-import
BENCH_IMPORT_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/wellui_bench_import
bench-import: $(VENV)/.installed-dev
	$(PY) -m bench.import_preview $(BENCH_IMPORT_ARGS)
ifneq ($(strip $(BENCH_IMPORT_POSTGRES_URL)),)
	$(PY) -m bench.import_preview --database '$(BENCH_IMPORT_POSTGRES_URL)' $(BENCH_IMPORT_ARGS)
endif

# Gunicorn and the sandbox with 100k cached phones, 20 simulated staff for 60 s (locust);
# prints the figures and records them in bench/results.md. LOAD_ARGS go to bench/load/run.py
# (e.g. LOAD_ARGS='--seconds 10 --phones 5000').
.PHONY: load
load: $(VENV)/.installed-dev
	LOAD_COMMAND="make load$(if $(LOAD_ARGS), LOAD_ARGS='$(LOAD_ARGS)')" $(PY) -m bench.load.run $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache
