# Tollgate. `make run` serves the demo, `make test` runs the suite; both install first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The machine may set PYTHONDONTWRITEBYTECODE=1; then no .pyc is ever cached and every
# Django start recompiles everything (about 4 s instead of under 1 s).
unexport PYTHONDONTWRITEBYTECODE
export UV_PYTHON_DOWNLOADS := never

PY := .venv/bin/python
RUN_HOST ?= 127.0.0.1
RUN_PORT ?= 8000
PYTEST_ARGS ?=

# `make run` is the embedded mode: SQLite under var/, tasks run eagerly in-process,
# DEBUG on. Variables that would point it at real services are cleared.
# The demo's repositories are local folders: allowed under var/demo-repos only.
DEV_ENV := env -u DATABASE_URL -u CACHE_URL DJANGO_DEBUG=true \
	CELERY_BROKER_URL= CELERY_RESULT_BACKEND= \
	REPOS_LOCAL_ROOTS=$(CURDIR)/var/demo-repos

.PHONY: help install run migrate seed test lint format ci clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-9s %s\n", $$1, $$2}'

install: ## Install system packages (if missing), uv and .venv; fast when done already
	@bash scripts/install.sh

migrate: install ## Migrate the embedded SQLite database (var/tollgate.sqlite3)
	@echo "==> manage.py migrate (SQLite, var/tollgate.sqlite3)"
	@$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate ## Create the demo organisation (idempotent) and print its logins
	@echo "==> manage.py seed_demo"
	@$(DEV_ENV) $(PY) manage.py seed_demo

run: seed ## Install, migrate, seed the demo and serve on http://127.0.0.1:8000
	@echo "==> Tollgate on http://$(RUN_HOST):$(RUN_PORT)/ (sign in as a demo user above; Ctrl-C stops)"
	@$(DEV_ENV) $(PY) manage.py runserver $(RUN_HOST):$(RUN_PORT)

test: install ## Install and run the whole suite (make test PYTEST_ARGS="-k audit")
	@bash scripts/test.sh $(PYTEST_ARGS)

lint: install ## ruff check, ruff format --check, missing migrations (runs all three)
	@status=0; \
	.venv/bin/ruff check . || status=1; \
	.venv/bin/ruff format --check . || status=1; \
	env -u DATABASE_URL DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run \
		|| status=1; \
	exit $$status

format: install ## Apply ruff's fixes and formatting
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

ci: ## Run CI locally: bash .ci/run (starts PostgreSQL and Redis; needs root)
	bash .ci/run

clean: ## Remove the virtualenvs (the SQLite database in var/ is kept)
	rm -rf .venv .venv-bootstrap
