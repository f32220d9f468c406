# The Maaza paper: one command from data to PDF.
#
#   make paper      build build/paper.pdf (venv, generated LaTeX, figures, latexmk)
#   make test       pytest + ruff
#   make help       every target
#
# Each area has its own rules in mk/: paper.mk (render + LaTeX), bib.mk (literature),
# litreview.mk (related-work drafts), eval.mk (EdgeJSON harness).

SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamp files: the venv is rebuilt only when pyproject.toml changes.
VENV_STAMP := $(VENV)/.stamp-base
VENV_ML_STAMP := $(VENV)/.stamp-ml
# The CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0

$(VENV_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(VENV_ML_STAMP): $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet '$(TORCH_SPEC)'
	$(BIN)/python -m pip install --quiet -e '.[dev,ml]'
	@touch $@

.PHONY: venv venv-ml
venv: $(VENV_STAMP) ## create or update the project virtual environment (no torch)
venv-ml: $(VENV_ML_STAMP) ## add the model stack (CPU torch, transformers, peft) for edgejson

# paper.mk last: its rules list variables (LITREVIEW_TEX, ...) that the others define,
# and Make expands prerequisite lists as it reads them.
include mk/bib.mk
include mk/litreview.mk
include mk/eval.mk
include mk/paper.mk

.PHONY: test lint
test: $(VENV_ML_STAMP) ## run the test suite (pytest) and the linter (ruff)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV_STAMP) ## ruff only
	$(BIN)/ruff check .

.PHONY: clean distclean help
clean: ## remove generated files (build/)
	rm -rf build

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'
