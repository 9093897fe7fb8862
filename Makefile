# Jobvækst monitor: everyday commands. `make help` lists them.
#
# `make run` and `make test` need nothing but Python 3.11: they install uv if it is
# missing and run on the embedded default (SQLite, Celery eager). Tests that need a
# real PostgreSQL, Redis or Chromium are skipped with a note on what to install.

# uv from PATH; if it is not there, the pip-installed module (pyenv and ~/.local
# often do not put a fresh pip install on PATH at once).
UV ?= $(shell command -v uv >/dev/null 2>&1 && echo uv || echo python3 -m uv)
PYTEST_ARGS ?=
# One test process per CPU (pytest-xdist's "auto"): the suite is CPU-bound once its
# waits are gone, and more processes than cores only contend. PYTEST_WORKERS=0: one.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help ensure-uv sync run test lint bench services-start services-stop

help: ## Vis denne hjælp
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

ensure-uv: ## Installér uv med pip, hvis det mangler
	@$(UV) --version >/dev/null 2>&1 || { \
		echo "uv mangler; installerer det med pip ..."; \
		python3 -m pip install --quiet uv; }

sync: ensure-uv ## Installér afhængighederne præcis som i uv.lock
	$(UV) sync --frozen

# No environment is set here on purpose: with none you get SQLite and eager Celery.
# A DATABASE_URL or CELERY_BROKER_URL you exported yourself is respected.
run: sync ## Start udviklingsserveren på http://127.0.0.1:8000 (SQLite, demo-brugere)
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_reference
	$(UV) run python manage.py seed_demo
	$(UV) run python manage.py runserver 127.0.0.1:8000

test: sync ## Kør testene (PYTEST_ARGS="-k noget" for et udvalg; PYTEST_WORKERS=0 i én proces)
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: sync ## ruff (fejl og formatering), bandit (sikkerhed) og mypy (typer); undtagelser står i koden
	$(UV) run ruff check . && $(UV) run ruff format --check .
	$(UV) run bandit -r jobvaekst initiatives evaluations -q -x '*/migrations/*'
	$(UV) run mypy

# BENCH_ARGS="--factors 1 --load-seconds 10" for a quick run; the full one takes long.
BENCH_ARGS ?=
bench: sync ## Benchmarks på PostgreSQL ved faktor 1, 10 og 100 (se docs/performance.md)
	UV="$(UV)" bash bench/bench.sh $(BENCH_ARGS)

services-start: ## Start PostgreSQL og Redis lokalt (se .ci/services.sh)
	bash .ci/services.sh start
	@echo 'Brug dem i testene:  eval "$$(bash .ci/services.sh env)" && make test'

services-stop: ## Stop det, services-start startede
	bash .ci/services.sh stop
