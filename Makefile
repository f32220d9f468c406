# The Maaza paper: one command from data to PDF.
#
#   make paper      build build/paper.pdf (venv, generated LaTeX, figures, latexmk)
#   make check      the quick offline check before pushing (ruff, paper lint, spelling, fast tests)
#   make test       every test (slow, ml, network), ruff and spelling: what CI runs
#   make help       every target
#
# Each area has its own rules in mk/: paper.mk (render + LaTeX), bib.mk (literature),
# litreview.mk (related-work drafts), eval.mk (EdgeJSON harness), release.mk (arXiv, diff).

SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# The build runs some twenty Python processes that import the same modules: let them write
# bytecode caches (into .venv and the git-ignored __pycache__ folders) even where the shell
# sets PYTHONDONTWRITEBYTECODE, which doubled the build's CPU time on a uv-built venv
# (uv, unlike pip, compiles nothing when it installs).
unexport PYTHONDONTWRITEBYTECODE

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# Stamp files: the venv is updated only when the lock (or pyproject.toml) changes.
VENV_STAMP := $(VENV)/.stamp-base
VENV_ML_STAMP := $(VENV)/.stamp-ml

# The lock drives every install: exact versions with hashes, written by `make lock`.
#   uv.txt: the installer; base.txt: make paper + tests; ml.txt: base + the model stack.
LOCK_UV := requirements/uv.txt
LOCK_BASE := requirements/base.txt
LOCK_ML := requirements/ml.txt
# The pin that keeps torch a CPU build (see the file).
TORCH_CPU := requirements/torch-cpu.txt
# Where the torch wheel comes from: TORCH_WHEELS, a folder or an HTML page of wheels (our
# machines keep the CPU wheel in /opt/wheels); where that folder does not exist, PyTorch's
# own page of the variant's wheels, which --find-links reads. The lock holds the sha256 of
# the wheel file, the same file from either place: uv refuses any other.
TORCH_WHEELS ?= /opt/wheels
# cpu (the lock's torch==2.13.0+cpu), or a CUDA variant of PyTorch's index such as cu128 for
# a GPU user: that torch is not in the lock, so it comes unhashed, with a warning.
TORCH_VARIANT ?= cpu
TORCH_INDEX = https://download.pytorch.org/whl/$(TORCH_VARIANT)/torch/
TORCH_FIND_LINKS = $(if $(findstring ://,$(TORCH_WHEELS))$(wildcard $(TORCH_WHEELS)),$(TORCH_WHEELS),$(TORCH_INDEX))
TORCH_VERSION = $(patsubst torch==%+cpu,%,$(shell grep -m1 '^torch==' $(TORCH_CPU)))
UV_PIP := $(UV) pip install --quiet --python $(BIN)/python

# The venv starts without pip: uv, installed from its hashed pin, does the rest, several
# times faster than pip (DEVELOPERS.md has the figures).
$(UV): $(LOCK_UV)
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --no-deps --require-hashes -r $(LOCK_UV)
	@touch $@

# A venv shared with a copied tree (the end-to-end tests pass VENV=...) keeps pointing at its
# own checkout: reinstalling the copy in editable mode would leave it pointing at a copy.
VENV_OWNER = $(BIN)/python -c 'import pathlib, papertools; \
  print(pathlib.Path(papertools.__file__).resolve().parents[2])' 2>/dev/null

$(VENV_STAMP): $(LOCK_BASE) pyproject.toml | $(UV)
	@owner=$$($(VENV_OWNER)); test -z "$$owner" || test "$$owner" = "$(CURDIR)" || { \
	  echo "error: $(VENV) is the venv of the checkout $$owner, not of this one, and is" \
	       "older than this lock: update it there first (make venv)" >&2; exit 1; }
	$(UV_PIP) --require-hashes -r $(LOCK_BASE)
	$(UV_PIP) --no-deps --no-build-isolation -e .
	@touch $@

ifeq ($(TORCH_VARIANT),cpu)
$(VENV_ML_STAMP): $(LOCK_ML) $(VENV_STAMP)
	$(UV_PIP) --require-hashes --find-links $(TORCH_FIND_LINKS) -r $(LOCK_ML) || { \
	  echo "error: installing $(LOCK_ML) failed. If torch is the package not found: the CPU" \
	       "build pinned in $(TORCH_CPU) is not on $(TORCH_FIND_LINKS); set TORCH_WHEELS" \
	       "to a folder or page that has it (never take PyPI's CUDA torch)" >&2; exit 1; }
	$(BIN)/python tools/check_torch_cpu.py
	@touch $@
else
# A CUDA torch first (its own pin, no hash: the lock knows only the CPU wheel), then the
# rest of the lock with hashes, less its torch entry (the pin line and its hash lines).
$(VENV_ML_STAMP): $(LOCK_ML) $(VENV_STAMP)
	@echo "warning: TORCH_VARIANT=$(TORCH_VARIANT): installing torch==$(TORCH_VERSION)+$(TORCH_VARIANT)" \
	      "from $(TORCH_FIND_LINKS), outside the lock (no hash check)" >&2
	$(UV_PIP) --find-links $(TORCH_FIND_LINKS) "torch==$(TORCH_VERSION)+$(TORCH_VARIANT)"
	awk '/^torch==/ {skip = 1; next} skip && /^ / {next} {skip = 0; print}' $(LOCK_ML) \
	  > $(VENV)/ml-without-torch.txt
	$(UV_PIP) --require-hashes -r $(VENV)/ml-without-torch.txt
	TORCH_VARIANT=$(TORCH_VARIANT) $(BIN)/python tools/check_torch_cpu.py
	@touch $@
endif

# The edge engine (llama-cpp-python) on top of the model stack. PyPI has only its sdist, so
# uv builds it. uv keeps the built wheel beside the cached sdist, but an online install that
# revalidates the download starts a new cache revision without it (seen here: a clean
# clone rebuilt for 7 minutes an hour after the first build). So the install tries the
# cache alone first (--offline: the same hashes, no download) and goes online only when
# the cache cannot serve the lock, on a fresh machine.
# Portable flags: AVX2/FMA/F16C kernels, which every machine here has, and no -march=native
# (GGML_NATIVE=OFF): a native build on an AVX-512/AMX machine crashed in its first
# multi-token prompt, and a wheel built natively on one machine kind can fault on another.
LOCK_EDGE := requirements/edge.txt
VENV_EDGE_STAMP := $(VENV)/.stamp-edge
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
  -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_BLAS=OFF -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
$(VENV_EDGE_STAMP): $(LOCK_EDGE) $(VENV_ML_STAMP)
	@echo "building llama-cpp-python from source if uv's cache has no build of it (about 10-20 minutes on 2 cores)"
	$(UV_PIP) --offline --require-hashes -r $(LOCK_EDGE) 2>/dev/null || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(UV_PIP) --require-hashes -r $(LOCK_EDGE)
	$(BIN)/edgejson models smollm2-135m-instruct-q4_1
	$(BIN)/python tools/check_llama_build.py
	@touch $@

.PHONY: venv venv-ml venv-edge lock
venv: $(VENV_STAMP) ## create or update the project virtual environment from the lock (no torch)
venv-ml: $(VENV_ML_STAMP) ## add the model stack (CPU torch, transformers, peft) from the lock (TORCH_VARIANT=cu128: CUDA torch)
venv-edge: $(VENV_EDGE_STAMP) ## add the edge engine (llama-cpp-python, built from source with portable CPU flags) and check it
LOCK_FLAGS := --quiet --generate-hashes --python-version 3.11 \
              --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock"
lock: | $(UV) ## rewrite the lock (requirements/*.txt) after editing pyproject.toml (UPGRADE=1: newest versions)
	$(UV) pip compile $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) pyproject.toml --extra dev \
	  --extra ml -c $(TORCH_CPU) --find-links $(TORCH_FIND_LINKS) -o $(LOCK_ML)
	$(UV) pip compile $(LOCK_FLAGS) pyproject.toml --extra dev -c $(LOCK_ML) -o $(LOCK_BASE)
	echo uv | $(UV) pip compile $(LOCK_FLAGS) - -c $(LOCK_BASE) -o $(LOCK_UV)
	$(UV) pip compile $(LOCK_FLAGS) pyproject.toml --extra edge -c $(LOCK_ML) -o $(LOCK_EDGE)

# paper.mk last: its rules list variables (LITREVIEW_TEX, ...) that the others define,
# and Make expands prerequisite lists as it reads them.
include mk/bib.mk
include mk/litreview.mk
include mk/eval.mk
include mk/paper.mk
include mk/release.mk

# Spelling: American English, over the prose people write (drafts, sections, templates,
# docs); codespell's own lists plus British-to-American, and the project's words.
SPELLING_WORDS := tools/spelling-words.txt
SPELLING_FILES := $(wildcard litreview/*.md paper/*.tex paper/sections/*.tex \
                    paper/templates/*.j2 *.md */README.md)
CODESPELL := $(BIN)/codespell --builtin clear,rare,informal,usage,en-GB_to_en-US \
             --ignore-words $(SPELLING_WORDS)

.PHONY: test check lint spelling
# Every test, every marker (pyproject.toml): slow, ml, network, the end-to-end builds.
test: $(VENV_EDGE_STAMP) ## run every test (pytest -m "": slow, ml, network too), ruff and the spelling check (what CI runs)
	$(BIN)/ruff check .
	$(CODESPELL) $(SPELLING_FILES)
	$(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

# The co-author's check before pushing: offline, no torch, well under a minute. Its tests
# are the unit tests of the paper's path (core, render, litreview, release) in pytest's
# default selection (not slow, ml or network); `pytest` alone runs every fast test
# (harness and bibliography too), `make check CHECK_TESTS=tests` the same inside check.
CHECK_TESTS ?= tests/core tests/tools/render tests/tools/litreview tests/tools/release
# The clock starts when Make reads this file, so the time covers every step.
CHECK_START := $(if $(filter check,$(MAKECMDGOALS)),$(shell date +%s.%N))
check: lint lint-paper spelling | $(VENV_STAMP) ## ruff, the paper lint, the spelling check and the fast unit tests, offline, timed
	$(BIN)/python -m pytest -q -p no:cacheprovider $(CHECK_TESTS) $(PYTEST_ARGS)
	@awk 'BEGIN {printf "make check: passed in %.1f s\n", '"$$EPOCHREALTIME"' - $(CHECK_START)}'

lint: $(VENV_STAMP) ## ruff only
	$(BIN)/ruff check .

spelling: $(VENV_STAMP) ## codespell over the drafts, sections, templates and docs (words: tools/spelling-words.txt)
	$(CODESPELL) $(SPELLING_FILES)

# `make -j4 clean paper` would remove build/ while the paper is being built into it: when
# clean comes with other goals, this run is serial, and the goals run in the order given.
ifneq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(filter-out clean distclean,$(MAKECMDGOALS)),)
.NOTPARALLEL:
endif
endif

.PHONY: clean distclean help
clean: ## remove generated files (build/)
	rm -rf build

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'
