"""Copying the repository for tests that run `make` in a tree of their own.

Why one place: the end-to-end, recovery and Make tests all copy the working tree, and
each copy must leave out the same things: version control, the venv (the copy uses the
original's), generated files, and the 100 MB model cache of `make models`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from maaza_core.intervals import wilson
from maaza_core.paths import ROOT

SKIP = shutil.ignore_patterns(".git", ".venv", ".cache", "build", "runs", "__pycache__",
                              ".pytest_cache", ".ruff_cache", "*.egg-info")


def copy_tree(dest: Path) -> Path:
    """The working tree (tracked and untracked sources) copied to `dest`."""
    shutil.copytree(ROOT, dest, ignore=SKIP, symlinks=True)
    return dest


def with_exact_correct(text: str, correct: int) -> str:
    """A metrics file's text with overall JSONExact set to `correct`, and the stored Wilson
    interval with it: the file stays consistent, as a real re-run would leave it."""
    doc = json.loads(text)
    exact = doc["metrics"]["overall"]["json_exact"]
    exact["correct"] = correct
    exact["ci95"] = wilson(correct, exact["total"]).to_dict()
    return json.dumps(doc, indent=2) + "\n"


def planted_json(source: Path, folder: Path, change) -> Path:
    """A copy of the JSON file `source` in `folder` (as bad.json) after `change(data)`: the
    one way a test plants a mistake in a committed metrics or comparison file."""
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    path = folder / "bad.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def pin_adapter(folder: Path, weights: bytes = b"lora weights") -> str:
    """A stand-in committed adapter in `folder` (these bytes as its weights, its config
    kept or an empty one), pinned by a SHA256SUMS written as `make measured` writes it;
    returns the weights' sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapter_model.safetensors").write_bytes(weights)
    config = folder / "adapter_config.json"
    if not config.exists():
        config.write_text("{}\n")
    subprocess.run("sha256sum adapter_model.safetensors adapter_config.json > SHA256SUMS",
                   shell=True, cwd=folder, check=True)
    return hashlib.sha256(weights).hexdigest()
