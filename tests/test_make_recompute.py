"""make paper recomputes the measured results before it renders them (mk/paper.mk): the
check runs before every render, a measured run's predictions are real prerequisites (an
edit re-runs the check, a deletion stops the build with the reason), and reported runs
need none. Make runs in a copy of the repository with this checkout's venv."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from test_make import built_ok, run_make  # Make in a copy of the tree, with our venv
from treecopy import copy_tree

STAMP = "build/generated/results-verified.json"
FT = "experiments/results/maaza-135m-instruct-q4"


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


# --- make measured: what depends on the adapter follows it (mk/eval.mk) ----------------

ADAPTER = "runs/train/maaza-135m-instruct-q4"
FT_RUN = "runs/measured/maaza-135m-instruct-q4"


def _fake_venv(tmp_path: Path) -> Path:
    """A venv whose `edgejson` records its arguments instead of evaluating (no model
    here), its stamps newer than the lock so Make installs nothing."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    script = venv / "bin" / "edgejson"
    script.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\n')
    script.chmod(0o755)
    later = time.time() + 60
    for name in ("bin/uv", ".stamp-base", ".stamp-ml"):
        (venv / name).touch()
        os.utime(venv / name, (later, later))
    return venv


def _files(tree: Path, ages: dict[str, int]) -> None:
    """Create files with the given ages in seconds (older = larger)."""
    now = time.time()
    for name, age in ages.items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        os.utime(path, (now - age, now - age))


@pytest.mark.parametrize(("predictions_age", "restart"), [(50, True), (5, False)])
def test_the_fine_tuned_run_restarts_after_retraining_and_resumes_otherwise(
        tree, tmp_path, predictions_age, restart):
    """Weights newer than the predictions: the adapter was retrained, the old rows are
    another model's (--restart). Predictions newer: an interrupted run, resumed."""
    venv = _fake_venv(tmp_path)
    os.utime(tree / "experiments/configs/models.yaml", (time.time() - 100,) * 2)
    _files(tree, {f"{ADAPTER}/edgejson_train.json": 20,
                  f"{ADAPTER}/adapter_model.safetensors": 20,
                  f"{FT_RUN}/predictions.jsonl": predictions_age})
    built_ok(tree, f"VENV={venv}", f"{FT_RUN}/metrics.json")
    (call,) = (venv / "bin" / "calls").read_text().splitlines()
    assert call.startswith("evaluate smollm2-135m-instruct-q4_1 ")
    assert call.endswith(" --restart") == restart


def test_a_retrained_adapter_makes_the_fine_tuned_run_out_of_date(tree, tmp_path):
    _files(tree, {"experiments/configs/models.yaml": 100,
                  f"{ADAPTER}/edgejson_train.json": 50,
                  f"{ADAPTER}/adapter_model.safetensors": 50,
                  f"{FT_RUN}/predictions.jsonl": 40, f"{FT_RUN}/metrics.json": 30})
    assert run_make(tree, "-q", f"{FT_RUN}/metrics.json").returncode == 0
    os.utime(tree / ADAPTER / "adapter_model.safetensors")  # retrained in place
    assert run_make(tree, "-q", f"{FT_RUN}/metrics.json").returncode == 1
