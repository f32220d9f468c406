"""Every path the project uses, resolved from this file, never from the working directory.

Why one module: the Makefile, the CLIs, the figure scripts and the tests all run from
different folders; resolving everything here means both tools behave the same
whether it is called from the repository root, from `paper/` or from a temporary copy.
"""

from __future__ import annotations

import os
from pathlib import Path

# core/maaza_core/paths.py -> parents[2] is the repository root.
# MAAZA_ROOT lets the end-to-end test point a copied tree at itself.
ROOT = Path(os.environ.get("MAAZA_ROOT") or Path(__file__).resolve().parents[2])

# --- sources people edit -------------------------------------------------------------
PAPER_DIR = ROOT / "paper"  # main.tex and sections/
SECTIONS_DIR = PAPER_DIR / "sections"
TEMPLATES_DIR = PAPER_DIR / "templates"  # Jinja templates for generated LaTeX
BIB_DIR = ROOT / "bib"
LIBRARY_FILE = BIB_DIR / "library.yaml"  # curated library, edited by people
BIB_CACHE_DIR = BIB_DIR / "cache"  # normalized source records, committed
REFERENCES_BIB = BIB_DIR / "references.bib"  # written by `make bib`
BIB_SEED_DIR = BIB_DIR / "seed"  # hand-gathered facts the cache was seeded from
LITREVIEW_DIR = ROOT / "litreview"  # Markdown drafts and table data
# <name>.yaml rows and <name>.schema.json per related-work summary table
LITREVIEW_DATA_DIR = LITREVIEW_DIR / "data"
FIGURES_DIR = ROOT / "figures"  # figure scripts
TEX_PACKAGES = ROOT / "tools" / "tex-packages.txt"  # the Debian packages make paper needs

# --- data -----------------------------------------------------------------------------
EXPERIMENTS_DIR = ROOT / "experiments"
DATA_DIR = EXPERIMENTS_DIR / "data" / "edgejson-v3"  # the EdgeJSON v3 benchmark
RESULTS_DIR = EXPERIMENTS_DIR / "results"  # one metrics JSON per model in the paper
RESULTS_SCHEMA = EXPERIMENTS_DIR / "results.schema.json"  # the metrics file format
PAIRED_SCHEMA = EXPERIMENTS_DIR / "paired.schema.json"  # the paired-comparison file format
CONFIGS_DIR = EXPERIMENTS_DIR / "configs"  # batch evaluation / training configs
BENCH_RESULTS_DIR = ROOT / "bench" / "results"  # what the benchmarks wrote (--json)
EDGE_BENCH_SCHEMA = ROOT / "bench" / "edge.schema.json"  # bench/edge.py's figures file

# --- test fixtures --------------------------------------------------------------------
# Real arXiv / Semantic Scholar responses (with their MIT licenses), served by the local
# mirror in the tests; copied from the team's shared material so a clone is self-contained.
API_RECORDINGS_DIR = ROOT / "tests" / "fixtures" / "api-recordings"

# --- generated (git-ignored) ----------------------------------------------------------
BUILD_DIR = ROOT / "build"
GENERATED_DIR = BUILD_DIR / "generated"  # LaTeX rendered from data
# `edgejson stats -o` writes it (a Make target); render reads it instead of importing edgejson.
DATASET_STATS = GENERATED_DIR / "dataset-stats.json"
BUILD_FIGURES_DIR = BUILD_DIR / "figures"  # figure PDFs
LATEX_OUT_DIR = BUILD_DIR / "latex"  # latexmk's aux and log files
PAPER_PDF = BUILD_DIR / "paper.pdf"  # the product
RUNS_DIR = ROOT / "runs"  # ad-hoc evaluation runs (predictions + metrics)
# Downloads kept out of build/, so that `make clean` does not throw them away: the model
# files (edgejson.registry; MAAZA_MODEL_CACHE moves them) and llama.cpp's converter scripts.
CACHE_DIR = ROOT / ".cache"
LLAMA_TOOLS_DIR = CACHE_DIR / "llama.cpp"  # edgejson.llamatools: scripts of the locked sdist
LOCK_EDGE = ROOT / "requirements" / "edge.txt"  # the edge extra's lock (llama-cpp-python)


def display(path: Path) -> str:
    """A path relative to the repository when it lies inside it, else as given: the one
    spelling every message uses, so a location reads the same from any working folder."""
    try:
        return path.resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)
