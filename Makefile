# The two things a newcomer runs: `make demo` and `make test`. Both set up .venv on first use.
# While developing: `make check` (ruff, mypy and the database-free tests, under two minutes).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check setup

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/ownergraph demo

test: setup
	$(BIN)/python -m pytest

# The fast tier keeps its bytecode (and pytest's rewritten test modules) in __pycache__ even where the
# environment sets PYTHONDONTWRITEBYTECODE: compiling and rewriting every module again took half a minute of each run.
check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m "not neo4j and not spark and not slow" -q
