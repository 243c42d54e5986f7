# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV ?= .venv
PY := $(VENV)/bin/python
# Django 5.2 LTS runs on Python 3.11 or newer; take the newest one on PATH.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
FIND_PYTHON = (for p in $(PYTHON_CANDIDATES); do \
    if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
        command -v $$p; exit 0; fi; done; exit 1)

.PHONY: run test lint typecheck check-python install install-dev migrate sample clean worker beat

check-python:
	@$(FIND_PYTHON) >/dev/null || { \
	  echo "error: Python 3.11 or newer is needed (tried: $(PYTHON_CANDIDATES))." >&2; \
	  echo "       Install it (Debian: apt-get install python3 python3-venv) and run make again." >&2; exit 1; }

$(VENV)/.created: | check-python
	@interp=$$( $(FIND_PYTHON) ); echo "Using $$interp ($$($$interp --version))"; \
	  $$interp -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@echo "Preparing the database…"
	@$(PY) manage.py migrate --no-input -v 0

sample: migrate
	@$(PY) manage.py load_sample_district
	@$(PY) manage.py load_demo_list_revision
	@$(PY) manage.py load_demo_demands
	@$(PY) manage.py load_demo_knowledge
	@$(PY) manage.py load_demo_reviews
	@$(PY) manage.py load_demo_territory
	@$(PY) manage.py load_demo_from_above
	@$(PY) manage.py load_demo_visits
	@$(PY) manage.py load_demo_hot_topic
	@$(PY) manage.py load_demo_appeal
	@$(PY) manage.py rebuild_daily_figures
	@$(PY) manage.py load_demo_report

# Embedded default: SQLite, tasks and periodic sweeps in process, no Redis or PostgreSQL needed.
# PORT=8001 make run serves on another port.
PORT ?= 8000
run: sample
	@DEBUG=$${DEBUG:-false} $(PY) manage.py run_platform 127.0.0.1:$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# Whole packages, listed in pyproject.toml ([tool.mypy] files): a new app is one more name there.
typecheck: install-dev
	$(VENV)/bin/mypy

test: install-dev lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Production-style processes, for when CELERY_BROKER_URL and DATABASE_URL are set.
worker: install
	$(VENV)/bin/celery -A config worker -l info
beat: install
	$(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 media .pytest_cache .mypy_cache .ruff_cache
