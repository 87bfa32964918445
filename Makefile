# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# Re-install when the declared dependencies change: the product alone for run and serve,
# with the test tools (the dev extra: Playwright, Hypothesis, the HTML checker...) for the rest.
STAMP     := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run serve test bench lint format clean help

help:
	@echo "make run    install the product (not the test tools), migrate, load demo data when"
	@echo "            empty, serve with gunicorn on http://$(HOST):$(PORT) (HOST=, PORT= to change)"
	@echo "make serve  install, migrate, serve with gunicorn on 127.0.0.1:8000 (production;"
	@echo "            TRACKER_BIND, TRACKER_WORKERS: see README, Deployment)"
	@echo "make test   install the product and the test tools, run ruff and the whole test suite"
	@echo "make bench  time the pages on 250,000 synthetic agreements (docs/benchmarks.md;"
	@echo "            BENCH_ARGS=\"--agreements 20000 --meetings 20000\" for a quick run)"
	@echo "make lint   ruff check; make format   ruff format"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "tracker needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV). On Debian: sudo apt-get install python3-venv"; exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# The dev extra holds the product too, so this brings both stamps up to date.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $@

# gunicorn with the production settings (tracker/gunicorn_conf.py), on HOST:PORT; the first
# run prints the new admin password (tracker setup). tests/test_serving.py runs these lines.
run: $(STAMP)
	$(BIN)/tracker setup
	@echo
	@echo "  Open http://$(HOST):$(PORT) and log in with a staff account."
	@echo "  Lost the admin password? $(BIN)/tracker users set-password admin"
	@echo "  Programs: the JSON API, described at http://$(HOST):$(PORT)/api/v1/docs"
	@echo
	TRACKER_BIND=$(HOST):$(PORT) exec $(BIN)/gunicorn --config python:tracker.gunicorn_conf tracker.wsgi:app

# Production: several gunicorn workers; settings from TRACKER_* variables (README, Deployment).
serve: $(STAMP)
	$(BIN)/tracker db upgrade
	exec $(BIN)/gunicorn --config python:tracker.gunicorn_conf tracker.wsgi:app

# One pytest worker per core (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Not part of `make test`: builds instance/bench.sqlite once (10 to 17 minutes), then times.
# BENCH_ARGS="--prepare-only" builds or upgrades the data without timing anything.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
