# Sidebar: `make run` starts a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 || command -v python3)
INSTALLED := $(VENV)/.installed
ASSETS := static/vendor/.built
# The compiled translations (build products; locale/*/LC_MESSAGES/django.po are the sources).
CATALOGS := $(wildcard locale/*/LC_MESSAGES/django.po)
MESSAGES := $(CATALOGS:.po=.mo)

.PHONY: run test test-fast lint format bench install assets messages services stop-services worker beat clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json scripts/copy-assets.mjs
	npm run --silent build
	@touch $@

$(MESSAGES): $(CATALOGS) | $(INSTALLED)
	@command -v msgfmt >/dev/null || { echo "gettext is missing: run 'sudo apt-get install gettext'" >&2; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

install: $(INSTALLED) $(MESSAGES)

messages: $(MESSAGES)

assets: $(ASSETS)

## make run: install, build assets, migrate, seed demo data into an empty database, serve with gunicorn on PORT
## (default 8000; links follow it unless SITE_URL is set), with Celery worker and beat when REDIS_URL is set
run: install assets
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	scripts/run.sh

## make test: install, start the Postgres and Redis the tests need (private ports), run the whole suite
test: install assets
	scripts/ensure-test-packages.sh
	eval "$$(scripts/test-services.sh)" && $(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

## make test-fast: the suite without the browser and the real-worker tests
test-fast: install assets
	eval "$$(scripts/test-services.sh)" && $(VENV)/bin/pytest -n auto -m "not e2e and not integration" $(PYTEST_ARGS)

## make lint: ruff (lint and format check), mypy (django-stubs, DRF stubs) and complete translations, as CI runs them
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py check_translations

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make bench: every benchmark in bench/, figures printed (copy them into docs/benchmarks.md)
bench: install
	eval "$$(scripts/test-services.sh)" && bench/run_all.sh

services:
	@scripts/test-services.sh

stop-services:
	scripts/stop-test-services.sh

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles $(MESSAGES)
