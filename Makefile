# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# Re-install when the declared dependencies change.
STAMP  := $(VENV)/.installed

.PHONY: run serve test bench lint format clean help

help:
	@echo "make run    install, migrate, load demo data when empty, serve on http://$(HOST):$(PORT)"
	@echo "make serve  install, migrate, serve with gunicorn on 127.0.0.1:8000 (production;"
	@echo "            TRACKER_BIND, TRACKER_WORKERS: see README, Deployment)"
	@echo "make test   install the test tools and run the whole test suite"
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
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(BIN)/tracker setup
	@echo
	@echo "  Open http://$(HOST):$(PORT) and log in with a staff account."
	@echo "  Lost the admin password? $(BIN)/tracker users set-password admin"
	@echo
	$(BIN)/tracker run --host $(HOST) --port $(PORT)

# Production: several gunicorn workers; settings from TRACKER_* variables (README, Deployment).
serve: $(STAMP)
	$(BIN)/tracker db upgrade
	exec $(BIN)/gunicorn --config python:tracker.gunicorn_conf tracker.wsgi:app

# One pytest worker per core (pytest-xdist); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Not part of `make test`: builds instance/bench.sqlite once (10 to 17 minutes), then times.
# BENCH_ARGS="--prepare-only" builds or upgrades the data without timing anything.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
