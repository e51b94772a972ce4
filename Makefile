# The sequence-model playground. `make run` serves it; `make test` checks it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
GPU_PYTHON ?= python3
BENCH_GPU_ARGS ?=
# Two pytest workers: the live-stack tests one after another on one, the others beside them
# (tests/parallel.py). TEST_WORKERS= runs the suite in one process.
TEST_WORKERS ?= -n 2
# In one process against PostgreSQL, until the suite's run in two workers there is as
# steady as on SQLite (PG_TEST_WORKERS="-n 2" tries it).
PG_TEST_WORKERS ?=

.PHONY: help run test test-postgres bench bench-gpu lint format clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt  ## create the virtual environment and install the pinned requirements
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: $(VENV)/.installed  ## migrate, then serve http://127.0.0.1:$(PORT)/ with Redis, a worker and the sweeper (Ctrl-C stops all); keeps a random SECRET_KEY under var/
	PORT=$(PORT) $(PY) -m playground.stack

test: $(VENV)/.installed  ## run the whole suite on SQLite (a Redis DB of its own; the browser tests need Debian's chromium)
	REDIS_URL=$${REDIS_URL_FOR_TESTS:-$(TEST_REDIS_URL)} $(PY) -m playground.stack.with_redis $(VENV)/bin/pytest $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed  ## run the whole suite against the PostgreSQL at 127.0.0.1:5432
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(MAKE) test TEST_WORKERS="$(PG_TEST_WORKERS)"

bench: $(VENV)/.installed  ## run the benchmarks in bench/ and print their figures
	REDIS_URL=$${REDIS_URL_FOR_TESTS:-$(TEST_REDIS_URL)} $(PY) -m playground.stack.with_redis $(PY) -m bench

bench-gpu:  ## on a CUDA machine, GPU training steps/s against a bare loop, the probe's share, runs sharing the GPU (GPU_PYTHON: torch and pydantic, no venv; BENCH_GPU_ARGS="--device cpu --quick": a smoke check)
	$(GPU_PYTHON) -m bench.gpu_throughput $(BENCH_GPU_ARGS)

lint: $(VENV)/.installed  ## check formatting and lint (ruff), the import contracts (import-linter) and types in sequences/ (mypy)
	$(VENV)/bin/ruff format --check . && $(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy sequences

format: $(VENV)/.installed  ## format and fix with ruff
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:  ## remove local state (databases, embedded Redis files, test artifacts)
	rm -rf var tests/artifacts
