# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test lint format bench migrate demo clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

# Links in e-mails point to the address served (SITE_URL wins when set; 0.0.0.0 is reached as 127.0.0.1).
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))

# The web server and a worker together (Procfile.dev, run by honcho): Ctrl-C stops both.
run: $(VENV)/.installed
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	@echo "--- http://$(LINK_HOST):$(PORT)/ : serveur web et processus de travail (Ctrl-C arrête les deux)"
	DEBUG=$${DEBUG:-true} HOST=$(HOST) SITE_URL=$${SITE_URL:-http://$(LINK_HOST):$(PORT)} \
		$(BIN)/honcho --procfile Procfile.dev start --port $(PORT)

# The Nu HTML Checker (npm package vnu-jar, run with Java) for the markup test; skipped when npm is missing.
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "!!! npm not found: the markup test will be skipped"; fi

test: $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Pages, PDFs and concurrent writers measured against their floors; PostgreSQL when DATABASE_URL is set.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

demo: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# One more worker (on this node or another one with the same settings): they share the queue in the database.
worker: $(VENV)/.installed
	$(BIN)/python manage.py worker

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
