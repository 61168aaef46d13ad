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

.PHONY: install run test test-quick lint seed migrate openapi explorer clean bench-data bench bench-shapes soak

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

# The quick loop: the suite without the tests marked slow (fuzzing, faults, races,
# live servers, benchmarks), on one process per core; `make test` runs them all, on one.
test-quick: install
	$(BIN)/pytest -m "not slow" -n auto

lint: install
	$(BIN)/ruff check .

migrate: install
	$(BIN)/flask --app api db upgrade

seed: install
	$(BIN)/flask --app api seed

# openapi.yaml, then the TypeScript client's types from it (clients/typescript),
# with the npm packages its lockfile pins.
CLIENT := clients/typescript

openapi: install
	$(BIN)/flask --app api openapi write --format=yaml openapi.yaml
	@command -v npm >/dev/null || { echo "make openapi: npm is needed to regenerate $(CLIENT)/src/schema.d.ts (apt-get install nodejs npm)" >&2; exit 1; }
	test -d $(CLIENT)/node_modules || (cd $(CLIENT) && npm ci --no-audit --no-fund)
	cd $(CLIENT) && npm run --silent generate

# The explorer page (/explore): compiled under tsc --strict and bundled from
# $(CLIENT)/explorer into api/web/explorer/static, which is checked in so that
# `make run` needs no Node.js; a test fails while those files are stale.
explorer:
	@command -v npm >/dev/null || { echo "make explorer: npm is needed to build the explorer (apt-get install nodejs npm)" >&2; exit 1; }
	test -d $(CLIENT)/node_modules || (cd $(CLIENT) && npm ci --no-audit --no-fund)
	cd $(CLIENT) && npm run --silent explorer

# Benchmarks (bench/README.md, docs/PERFORMANCE.md). `make bench-data` loads N events
# into the database eventdata_bench (`make bench-data N=20000` for a quick one).
# `make bench` drives gunicorn with wrk and replays each endpoint's SQL, on it and
# on eventdata_bench_10k (made here when missing); `make bench-shapes` times every
# query shape in process. BENCH_ARGS go to either: BENCH_ARGS="--only search".
N ?= 1000000
BENCH_SMALL_N := 10000
BENCH_ARGS ?=

bench-data: install
	$(BIN)/python -m bench.data --n $(N)

bench: install
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.data --n $(BENCH_SMALL_N) --database eventdata_bench_10k --if-missing
	$(BIN)/python -m bench.http $(BENCH_ARGS)

bench-shapes: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Soak (bench/soak.py): CONCURRENCY clients send mixed reads and writes to a
# live gunicorn for DURATION seconds; then no 5xx, no lost write, flat memory
# per worker. `make soak DURATION=60` for a quick one.
DURATION ?= 300
CONCURRENCY ?= 32

soak: install
	$(BIN)/python -m bench.soak --duration $(DURATION) --concurrency $(CONCURRENCY)

clean:
	rm -rf $(VENV) build *.egg-info
