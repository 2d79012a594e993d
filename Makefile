# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean bench loadtest bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Bytecode, as a regular pip install compiles it: an editable install never does, and with
# PYTHONDONTWRITEBYTECODE set every command would compile the package again (~60 ms).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q barcamp_search

install: $(STAMP)

demo: bytecode
	$(BIN)/barcamp-search index examples/archive --archive demo --index index --rebuild
	exec $(BIN)/barcamp-search serve --index index --port $(PORT)

# The lint gate runs before the suite: formatting, lint rules and types, zero findings.
lint: $(STAMP)
	$(BIN)/ruff format --check barcamp_search tests bench
	$(BIN)/ruff check barcamp_search tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: bytecode
	$(BIN)/python bench/run.py

loadtest: bytecode
	$(BIN)/python bench/loadtest.py

clean:
	rm -rf $(VENV) build dist *.egg-info
