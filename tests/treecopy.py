"""Copying the repository for tests that run `make` in a tree of their own.

Why one place: the end-to-end, recovery and Make tests all copy the working tree, and
each copy must leave out the same things: version control, the venv (the copy uses the
original's), generated files, and the 100 MB model cache of `make models`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from maaza_core.paths import ROOT

SKIP = shutil.ignore_patterns(".git", ".venv", ".cache", "build", "runs", "__pycache__",
                              ".pytest_cache", ".ruff_cache", "*.egg-info")


def copy_tree(dest: Path) -> Path:
    """The working tree (tracked and untracked sources) copied to `dest`."""
    shutil.copytree(ROOT, dest, ignore=SKIP, symlinks=True)
    return dest
