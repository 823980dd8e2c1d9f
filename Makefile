# Two entry points for a fresh clone: `make demo` and `make test`.
# Both build .venv from nothing but Python, with editable installs of the
# core and every plugin and example distribution in this repository.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Every distribution in the repository, installed editable.
DISTS := core $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml)) \
         $(patsubst %/pyproject.toml,%,$(wildcard examples/*/plugin/pyproject.toml examples/plugins/*/pyproject.toml))
PYPROJECTS := pyproject.toml $(addsuffix /pyproject.toml,$(DISTS))

.PHONY: demo test lint typecheck bench clean

$(STAMP): $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The venv's bundled setuptools is old and has advisories (CVE-2024-6345, CVE-2025-47273): upgrade it too.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1" "setuptools>=78.1.1"
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(DISTS))
	$(BIN)/python -m pip install --quiet --group dev
	touch $@

# The notes demo (examples/notes): migrate its SQLite database in
# examples/notes/instance/ (a no-op when at head), then serve it. The
# development secret key is made once in that folder, so a second run keeps
# the accounts, the notes and the logged-in sessions.
DEMO      := examples/notes
DEMO_PORT ?= 8000
demo: $(STAMP)
	cd $(DEMO) && $(abspath $(BIN))/corolla db upgrade
	@echo "Serving the Corolla notes demo on http://127.0.0.1:$(DEMO_PORT)/ (Ctrl+C to stop)"
	cd $(DEMO) && exec $(abspath $(BIN))/corolla run --host 127.0.0.1 --port $(DEMO_PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	$(BIN)/python bench/run.py
	# the load run (gunicorn, PostgreSQL, Redis, wrk; skipped with a message without wrk)
	$(BIN)/python bench/load/run_load.py

clean:
	rm -rf $(VENV)
