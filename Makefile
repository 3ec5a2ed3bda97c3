# SEND Improvement Portal: the commands people and CI run.
#   make run    the portal with demo data on an embedded SQLite database
#   make test   the whole test suite (uses DATABASE_URL when it is set)
#   make serve  the production stack on this machine (scripts/serve, docs/deploy.md)
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: help venv run serve test lint format bench bench-instructions lock clean

help:
	@echo "make run    - serve the portal with demo data on http://127.0.0.1:$(PORT)"
	@echo "make serve  - run as in production: gunicorn, task worker, scheduler (docs/deploy.md)"
	@echo "make test   - run the whole test suite"
	@echo "make lint   - ruff, the import layers and makemigrations --check"
	@echo "make bench  - print speed figures (uses DATABASE_URL when set)"
	@echo "make bench-instructions - count the instructions drawing a report takes (valgrind)"
	@echo "make lock   - re-resolve requirements*.txt into the hashed lock files"

# Django 6.1 needs Python 3.12 or newer; find one without naming a machine path.
$(PY):
	@interp=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interp"; \
	"$$interp" -m venv $(VENV)

# Installs exactly what the lock file names, every file checked against its hash.
$(STAMP): $(PY) requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-true} TASKS_BACKEND=$${TASKS_BACKEND:-immediate} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} TASKS_BACKEND=$${TASKS_BACKEND:-immediate} $(PY) manage.py load_demo
	@# Reports are generated off the request path by a task worker beside the server.
	DEBUG=$${DEBUG:-true} TASKS_BACKEND=database $(PY) manage.py run_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} TASKS_BACKEND=database $(PY) manage.py runserver 127.0.0.1:$(PORT)

# As in production (DEBUG off): static files, migrations, checks, then gunicorn with
# WEB_WORKERS processes, the task worker and the scheduler, restarted if they stop.
serve: $(STAMP)
	VENV=$(VENV) PORT=$(PORT) scripts/serve

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/machine.py
	$(PY) bench/area_page.py
	$(PY) bench/home_page.py
	$(PY) bench/reports.py
	$(PY) bench/plan_import.py
	$(PY) bench/front_cache.py

bench-instructions: $(STAMP)
	$(PY) bench/instructions.py

# requirements.txt and requirements-dev.txt say what the portal depends on and why;
# the lock files pin every package they pull in, with hashes, for Python 3.12 and
# newer on any platform. The development lock is constrained by the runtime one, so
# the tests run on the versions production installs.
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.12
lock: $(PY)
	@test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet "$$(grep '^uv==' requirements-dev.txt)"
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt --constraint requirements.lock -o requirements-dev.lock

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
