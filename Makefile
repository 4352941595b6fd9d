# Two commands for a new user: `make demo` and `make test`. Both create .venv on
# first use and install the package with its extras into it; a second run with
# nothing changed skips the install (the stamp file is newer than pyproject.toml).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all lint bench clean kernel notebook

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,numpy,plots,bench,digits]'
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

# Jupyter: `make kernel` registers this checkout's venv as the kernel "Python
# (autograd-tiny)" for any Jupyter, VS Code or JupyterLab on this machine; `make
# notebook` also installs Jupyter into the venv and opens the tour notebook.
NOTEBOOK_STAMP := $(VENV)/.notebook

$(NOTEBOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,numpy,plots,bench,digits,notebook]'
	@touch $(NOTEBOOK_STAMP)

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name autograd-tiny \
		--display-name "Python (autograd-tiny)"

notebook: $(NOTEBOOK_STAMP) kernel
	$(BIN)/jupyter notebook $$(test "$$(id -u)" = 0 && echo --allow-root) demos/tour.ipynb

bench: $(STAMP)
	$(BIN)/python demos/bench.py

clean:
	rm -rf $(VENV) build *.egg-info autograd_tiny.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
