# The two commands of the README (`make run`, `make test`) and the checks CI runs.
# Works on a machine with only Python 3.11: everything else is installed into .venv.

PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The PostgreSQL pass of `make test`: Django creates (and drops) test_<name> on this server.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/factcheck
MO_FILES := $(patsubst %.po,%.mo,$(wildcard */locale/*/LC_MESSAGES/django.po))

.PHONY: run test test-sqlite test-postgres lint typecheck check messages makemessages browser clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Compiled catalogues are build products: the .po files are committed, the .mo files built here.
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null 2>&1

messages: $(MO_FILES)

# Re-extract the strings to translate (needs GNU gettext's xgettext: apt-get install gettext).
# One catalogue for the project (factcheck/locale): apps, templates and settings.
makemessages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages -l vi -l en --no-obsolete \
		--ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=tests --ignore=bench

run: $(STAMP) messages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) messages
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP) messages
	@echo "== test suite on SQLite =="
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Runs when PostgreSQL answers; under CI=true an unreachable server is a failure, not a skip.
test-postgres: $(STAMP) messages
	@if $(PY) tests/pg_ready.py "$(TEST_DATABASE_URL)"; then \
		echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(VENV)/bin/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but PostgreSQL is unreachable at $(TEST_DATABASE_URL): failing."; exit 1; \
	else \
		echo "PostgreSQL unreachable at $(TEST_DATABASE_URL): skipping the PostgreSQL pass (mandatory in CI)."; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	SECRET_KEY=typecheck $(VENV)/bin/mypy factcheck claims sources

check: lint typecheck

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The benchmark suite of bench/README.md, on demand (not part of `make test`): creates, migrates and fills
# its own database to N claims, then runs every benchmark against it.
N ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/factcheck_bench
.PHONY: bench
bench: $(STAMP) messages
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) -m bench.run_all --n $(N)

# Public traffic at saturation through gunicorn for DURATION seconds while an editor works in the admin
# (bench/load.py; figures in docs/reliability.md, section 5), on its own database filled to N claims.
# Exits 1 on any error or 429, or when the workers' memory climbs.
DURATION ?= 60
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/factcheck_load
.PHONY: load
load: $(STAMP) messages
	BENCH_DATABASE_URL="$(LOAD_DATABASE_URL)" $(PY) -m bench.load --n $(N) --duration $(DURATION) --strict

# The API fuzzed hard against its OpenAPI schema (docs/reliability.md §1), on demand: `make test` runs the same
# tests with a small FUZZ_EXAMPLES. Prints the cases, 5xx and schema violations per persona. PostgreSQL:
# `DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck make fuzz`.
FUZZ_EXAMPLES ?= 40
.PHONY: fuzz
fuzz: $(STAMP) messages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest tests/test_api_schema.py -k keeps_to_its_schema $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
	find . -name '*.mo' -path '*/locale/*' -delete
