"""make paper recomputes the measured results before it renders them (mk/paper.mk): the
check runs before every render, a measured run's predictions are real prerequisites (an
edit re-runs the check, a deletion stops the build with the reason), and reported runs
need none. Make runs in a copy of the repository with this checkout's venv."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from treecopy import copy_tree

from maaza_core.paths import ROOT

STAMP = "build/generated/results-verified.json"
FT = "experiments/results/maaza-135m-instruct-q4"


def run_make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    return subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
                          cwd=tree, env=env, capture_output=True, text=True)


def built_ok(tree: Path, *args: str) -> str:
    proc = run_make(tree, *args)
    assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy_tree(tmp_path / "maaza")
    return tmp_path / "maaza"


def test_every_render_waits_for_the_recompute(tree):
    plan = built_ok(tree, "-n", "render").splitlines()
    check = next(i for i, line in enumerate(plan)
                 if re.search(rf"edgejson verify-results --out {STAMP}$", line))
    renders = [i for i, line in enumerate(plan) if "papertools render" in line]
    assert renders and check < min(renders)


def test_predictions_are_prerequisites(tree):
    built_ok(tree, STAMP)
    assert run_make(tree, "-q", STAMP).returncode == 0
    os.utime(tree / f"{FT}.predictions.jsonl")
    assert run_make(tree, "-q", STAMP).returncode == 1  # an edited output re-runs it
    (tree / f"{FT}.predictions.jsonl").unlink()
    done = run_make(tree, STAMP)
    assert done.returncode == 2
    assert f"error: {FT}.json is measured but its outputs {FT}.predictions.jsonl are " \
           "missing" in done.stderr


def test_a_failed_check_leaves_no_stamp(tree):
    def edit(text: str) -> str:
        return text.replace('"correct": 53,', '"correct": 52,', 1)

    path = tree / f"{FT}.json"
    path.write_text(edit(path.read_text()))
    done = run_make(tree, STAMP)
    assert done.returncode == 2 and not (tree / STAMP).exists()
    assert "edgejson: error:" in done.stderr and "maaza-135m-instruct-q4.json:" in done.stderr
