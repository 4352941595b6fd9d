# Two commands for a new user: `make demo` and `make test`. Both create .venv on
# first use and install the package with its extras into it; a second run with
# nothing changed skips the install (the stamp file is newer than pyproject.toml).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,plots,bench,digits]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/autograd-tiny demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ''

lint: $(STAMP)
	$(BIN)/python -m pyflakes autograd_tiny tests demos
	$(BIN)/python -m mypy

bench: $(STAMP)
	$(BIN)/python demos/bench.py

clean:
	rm -rf $(VENV) build *.egg-info autograd_tiny.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
