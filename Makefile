# Two commands do all the set-up on a fresh machine:
#   make demo   # the main job: fit a pipeline on 20 Newsgroups, print results
#   make test   # lint and the test suite
# Both create .venv and install skvae into it on first use.
#   make docs   # the documentation site (runs the examples) into docs/_build/html

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A CPU build of PyTorch: pip picks a local CPU wheel of this version where the
# machine has one. Elsewhere, override TORCH_SPEC to point pip at a CPU build.
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test lint install docs

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install $(TORCH_SPEC)
	$(BIN)/python -m pip install -e ".[test]"
	touch $@

demo: install
	$(BIN)/python -m skvae $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

# -W: the site must build without a single warning.
docs: install
	$(BIN)/python -m pip install -e ".[docs]"
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html
