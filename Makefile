# The two commands: `make run` serves the API, `make test` checks it.
# Both set themselves up from a fresh clone: a virtualenv in .venv, the
# embedded PostgreSQL under .data/ (unless DATABASE_URL is set), migrations.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run test lint seed migrate openapi clean bench-data bench

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/gunicorn --config python:api.serve 'api:create_app()'

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

migrate: install
	$(BIN)/flask --app api db upgrade

seed: install
	$(BIN)/flask --app api seed

openapi: install
	$(BIN)/flask --app api openapi write --format=yaml openapi.yaml

# Scale benchmarks (bench/README.md): N events into the database eventdata_bench,
# then each query shape timed against it. `make bench-data N=20000` for a quick one.
N ?= 1000000
BENCH_ARGS ?=

bench-data: install
	$(BIN)/python -m bench.data --n $(N)

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
