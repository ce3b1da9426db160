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
	@echo "make load   - 20 simulated staff for 60 s under gunicorn: 100k phones on SQLite, then 1M on PostgreSQL"
	@echo "make bench-import - time a 10,000-row import and its preview against the 5 s budget (SQLite, PostgreSQL)"
	@echo "make cluster - two web nodes, two workers and the scheduler on PostgreSQL and Redis (make cluster-stop)"
	@echo "make load-cluster - make load's 20 staff split across the cluster's two nodes, on the 1M-phone PostgreSQL database"
	@echo "make drill-outage - fault drill: WellApp down for DRILL_MINUTES (10) while staff queue creates on the cluster"
	@echo "make lock   - recompile the locked requirements/*.txt from requirements/*.in"
	@echo "make clean  - remove the virtualenv and local data"

# Create the virtualenv with a Python >= 3.12, or say plainly that there is none.
$(PY):
	@py=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip

# Each set installs from its lock in requirements/ (every package pinned, every file hashed;
# pip refuses anything else). The dev and bench locks hold the runtime lock's packages at the
# same versions, so installing either also installs the runtime set. A changed lock reinstalls.
PIP_INSTALL_LOCKED := $(PY) -m pip install --quiet --require-hashes -r

$(VENV)/.installed-runtime: requirements/runtime.txt | $(PY)
	$(PIP_INSTALL_LOCKED) requirements/runtime.txt
	@touch $@

$(VENV)/.installed-dev: requirements/runtime.txt requirements/dev.txt | $(PY)
	$(PIP_INSTALL_LOCKED) requirements/dev.txt
	@touch $@ $(VENV)/.installed-runtime

$(VENV)/.installed-bench: requirements/runtime.txt requirements/bench.txt | $(PY)
	$(PIP_INSTALL_LOCKED) requirements/bench.txt
	@touch $@ $(VENV)/.installed-runtime

# Recompile the locks from the .in files (pip-compile, in its own virtualenv under .venv/);
# LOCK_ARGS go to each pip-compile (e.g. LOCK_ARGS='--upgrade-package urllib3'). The order
# matters: dev.in and bench.in take the runtime lock's versions, bench.in the dev lock's too.
LOCK_TOOLS := $(VENV)/lock-tools
LOCK_TOOLS_PINS := pip==26.3 pip-tools==7.6.2
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--newline=lf $(LOCK_ARGS)

$(LOCK_TOOLS)/bin/pip-compile: | $(PY)
	$(PY) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet $(LOCK_TOOLS_PINS)

.PHONY: lock
lock: $(LOCK_TOOLS)/bin/pip-compile
	$(PIP_COMPILE) --output-file=requirements/runtime.txt requirements/runtime.in
	$(PIP_COMPILE) --output-file=requirements/dev.txt requirements/dev.in
	$(PIP_COMPILE) --output-file=requirements/bench.txt requirements/bench.in

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
bench: $(VENV)/.installed-bench
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
bench-import: $(VENV)/.installed-bench
	$(PY) -m bench.import_preview $(BENCH_IMPORT_ARGS)
ifneq ($(strip $(BENCH_IMPORT_POSTGRES_URL)),)
	$(PY) -m bench.import_preview --database '$(BENCH_IMPORT_POSTGRES_URL)' $(BENCH_IMPORT_ARGS)
endif

# Gunicorn and the sandbox, 20 simulated staff for 60 s (locust): first over 100k phones synced
# into SQLite (bench/load.sqlite3), then over the 1M-phone benchmark database at
# LOAD_POSTGRES_URL (generated first as `make bench` does; set it empty for SQLite only). Each
# prints its figures and records them in its own section of bench/results.md. LOAD_ARGS go to
# bench/load/run.py (e.g. LOAD_ARGS='--seconds 10 --phones 5000'; --phones & co. only size
# the SQLite run).
LOAD_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/wellui_bench
LOAD_RUN = LOAD_COMMAND="make load$(if $(LOAD_ARGS), LOAD_ARGS='$(LOAD_ARGS)')" \
	$(PY) -m bench.load.run $(LOAD_ARGS)
.PHONY: load
load: $(VENV)/.installed-bench
	$(LOAD_RUN)
ifneq ($(strip $(LOAD_POSTGRES_URL)),)
	BENCH_DATABASE_URL='$(LOAD_POSTGRES_URL)' $(BENCH_GENERATE)
	$(LOAD_RUN) --database '$(LOAD_POSTGRES_URL)'
endif

# A local cluster as in production: the sandbox, two gunicorn nodes on 8101 and 8102 (debug
# off) over PostgreSQL (wellui_cluster) and Redis, two task workers and the scheduler; pids
# and logs in .cluster/. `make cluster-stop` stops it all (safe to run twice).
.PHONY: cluster cluster-stop
cluster: $(VENV)/.installed-runtime
	@bin/cluster start "$(PY)"

cluster-stop:
	@bin/cluster stop

# `make load` against the cluster: bin/cluster (two gunicorn nodes, two task workers, the
# scheduler, Redis LOAD_REDIS_URL) over the 1M-phone benchmark database at LOAD_POSTGRES_URL
# (generated first as `make load` does; no sync from the sandbox: CLUSTER_SYNC=0), locust's
# 20 staff split across the two nodes; its own section of bench/results.md, with totals per
# node. LOAD_ARGS go to bench/load/run.py (e.g. LOAD_ARGS='--seconds 10 --no-record').
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/11
.PHONY: load-cluster
load-cluster: $(VENV)/.installed-bench
	BENCH_DATABASE_URL='$(LOAD_POSTGRES_URL)' $(BENCH_GENERATE)
	LOAD_COMMAND="make load-cluster$(if $(LOAD_ARGS), LOAD_ARGS='$(LOAD_ARGS)')" \
		$(PY) -m bench.load.run --cluster --database '$(LOAD_POSTGRES_URL)' \
		--redis '$(LOAD_REDIS_URL)' $(LOAD_ARGS)

# Fault drill 5 (bench/drills/outage.py): its own cluster on free ports, over a new database
# wellui_outage_drill and Redis database 11; WellApp (the sandbox's process) stopped for
# DRILL_MINUTES while staff create phones through both nodes (each refused by the form, then
# queued), then started again; prints the figures and exits non-zero when a check fails.
DRILL_MINUTES ?= 10
.PHONY: drill-outage
drill-outage: $(VENV)/.installed-runtime
	$(PY) -m bench.drills.outage --minutes $(DRILL_MINUTES)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache
