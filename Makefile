# The README's two commands: `make run` and `make test`. Both work from a fresh clone with only
# Python 3.11, pip and make; they create .venv and install the pinned requirements into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export CASEWORK_PORT = $(PORT)

.PHONY: run test test-dates browser bench install install-dev migrate demo lint format messages clean

$(BIN)/python:
	@echo "Creating the virtual environment in $(VENV) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements file: reinstall only when the pins change.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	@echo "Installing the pinned requirements (about a minute the first time) ..."
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@$(BIN)/python -c "import importlib.metadata as m, sys; \
	  sys.exit(0) if not any(d.metadata['Name'].lower() == 'django-fsm' for d in m.distributions()) \
	  else sys.exit('The archived django-fsm is installed in $(VENV); remove it: $(BIN)/pip uninstall -y django-fsm django-fsm-2 && make')"
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	@echo "Installing the test and development tools ..."
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

migrate: install
	@echo "Creating or updating the database ..."
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## make run: set everything up and run web, Celery worker and beat on the embedded defaults
## (SQLite and the filesystem broker under var/), or on DATABASE_URL / REDIS_URL when set.
run: demo
	@echo
	@echo "Casework is starting: http://127.0.0.1:$(PORT)/admin/  (health: http://127.0.0.1:$(PORT)/healthz)"
	@echo "Log in with one of the demo logins above. Stop with Ctrl-C."
	@echo
	@# Ctrl-C (honcho's 130) is how one stops it: not an error.
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile || [ $$? -eq 130 ]
	@echo "Casework stopped."

## make test: install what the tests need and run the whole suite.
test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-dates: the date-sensitive tests again as if today were each of a few hard days (a Sunday,
## the Spring Festival's eve that is also a swapped working Saturday, a swapped Saturday before
## National Day, 31 December of a year whose successor is still provisional), pinned through
## CASEWORK_TODAY (tests/conftest.py). CI runs it.
DATE_SENSITIVE_TESTS = tests/casework/test_workdays.py tests/ops/test_reference_and_demo.py \
	tests/ops/test_demo_ledger.py tests/cases/test_lifecycle.py tests/cases/test_actions.py \
	tests/cases/test_field_checks.py tests/cases/test_calendar.py tests/notifications \
	tests/supervision tests/cases/test_feedback.py tests/cases/test_evidence.py \
	tests/cases/test_follow_ups.py tests/cases/test_repeats.py tests/cases/test_public_notice.py \
	tests/browser/test_public_notice.py tests/intake tests/browser/test_import.py \
	tests/browser/test_dashboard.py tests/browser/test_daily_pages.py tests/cases/test_co_units.py
PINNED_TODAYS ?= 2026-11-22 2026-02-14 2026-10-10 2025-12-31 2026-12-31
test-dates: install-dev
	@set -e; for day in $(PINNED_TODAYS); do \
	  echo "== as if today were $$day"; \
	  CASEWORK_TODAY=$$day $(BIN)/python -m pytest -q $(DATE_SENSITIVE_TESTS); \
	done

## The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Chromium not found: the browser tests will be skipped (sudo apt-get install chromium fonts-wqy-microhei)"; \
	  fi; }

## make bench: time each hot path beside its hand-written floor on a generated ledger in a
## throwaway database (PostgreSQL on 127.0.0.1:5432 when it answers, else SQLite with 5,000 cases;
## scripts/bench_database.py); the table goes to bench/results/. BENCH_CASES=1000000 for the
## province's scale (bench/README.md).
BENCH_CASES ?= 100000
bench: install-dev
	@url=$$($(BIN)/python scripts/bench_database.py) && echo "measuring on $${url%%://*}" && \
	DATABASE_URL=$$url $(BIN)/python manage.py migrate --noinput -v0 && \
	DATABASE_URL=$$url $(BIN)/python manage.py bench --cases $(BENCH_CASES)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate and compile the translation catalogues (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
