"""Macros are computed from the metrics files, not copied: change a count, the text changes."""

from __future__ import annotations

import json
import shutil

import pytest

from edgejson.data import dataset_stats
from maaza_core.datastats import DatasetStats
from maaza_core.errors import UserError
from maaza_core.intervals import wilson
from maaza_core.paths import RESULTS_DIR
from papertools.render.macros import all_macros, comparison_macros, dataset_macros
from papertools.render.results import load_paired, load_results

DATA_STATS = dataset_stats()  # the real split sizes the results files are checked against


def _results(folder):
    return load_results(folder, DATA_STATS)


STATS = DatasetStats.from_dict({  # the JSON edgejson stats -o writes
    "name": "EdgeJSON", "version": "v3", "sha256": "0" * 64,
    "schemas": {"total": 25, "by_complexity": {"simple": 10, "medium": 10, "complex": 5}},
    "splits": {
        split: {"examples": n, "unlabelled": u, "schemas": 25, "by_complexity": {
            c: {"examples": e, "labelled": lab, "schemas": s}
            for c, e, lab, s in zip(("simple", "medium", "complex"), ex, lb, (10, 10, 5),
                                    strict=True)}}
        for split, n, u, ex, lb in [("train", 629, 72, (300, 200, 129), (280, 180, 97)),
                                    ("test", 158, 20, (85, 44, 29), (76, 37, 25))]},
})


def values(macros):
    return {m.key: m.value for m in macros}


@pytest.fixture
def results_copy(tmp_path):
    for p in RESULTS_DIR.glob("*"):
        if p.is_file():  # adapters/ holds no results files
            shutil.copy(p, tmp_path)
    shutil.copytree(RESULTS_DIR / "paired", tmp_path / "paired")
    return tmp_path


def _all_macros(folder):
    """Every macro rendered from a results folder, its paired comparisons included."""
    return all_macros(_results(folder), folder / "comparisons.yaml", STATS,
                      load_paired(folder / "paired"))


def test_headline_numbers(results_copy):
    v = values(_all_macros(results_copy))
    assert v["maaza-mlm-135m/exact"] == r"24.7\%"  # 39 / 158
    assert v["maaza-slm-360m/exact"] == r"55.1\%"  # 87 / 158
    assert v["qwen2.5-0.5b/exact"] == r"14.6\%"  # 23 / 158
    assert v["cmp/mlm135-vs-qwen/exact-ratio"] == r"1.7$\times$"  # 39 / 23 = 1.696
    assert v["cmp/mlm135-vs-qwen/size-ratio"] == r"3.7$\times$"  # 500M / 135M = 3.70
    assert v["cmp/slm360-vs-base/exact-gain"] == "43.7"  # (87 - 18) / 158
    assert v["smollm2-360m/f1"] == "n/a"
    assert v["maaza-mlm-135m/lr"] == r"$2\times10^{-4}$"
    assert v["maaza-slm-360m/lora-rank"] == "32"
    assert v["data/test-labelled"] == "138"  # 76 + 37 + 25
    assert v["eval/max-new-tokens"] == "512"


def test_changed_count_changes_the_macro(results_copy):
    path = results_copy / "maaza-mlm-135m.json"
    doc = json.loads(path.read_text())
    doc["metrics"]["overall"]["json_exact"]["correct"] = 46
    doc["metrics"]["overall"]["json_exact"]["ci95"] = wilson(46, 158).to_dict()
    path.write_text(json.dumps(doc))
    v = values(_all_macros(results_copy))
    assert v["maaza-mlm-135m/exact"] == r"29.1\%"  # 46 / 158
    assert v["cmp/mlm135-vs-qwen/exact-ratio"] == r"2.0$\times$"  # 46 / 23


def test_every_macro_names_its_source(results_copy):
    for m in _all_macros(results_copy):
        assert m.source and ("experiments/" in m.source or "/" in m.source), m


def test_unknown_comparison_target_is_reported(results_copy):
    bad = results_copy / "comparisons.yaml"
    bad.write_text("- name: x\n  a: maaza-mlm-135m\n  b: gpt-5\n")
    with pytest.raises(UserError, match=r"comparisons\.yaml:1: entry 1 \(x\).*gpt-5"):
        comparison_macros(_results(results_copy), bad)


def test_dataset_macros_from_stats():
    v = values(dataset_macros(STATS))
    assert v["data/schemas"] == "25"
    assert v["data/test-unlabelled"] == "20"
    assert v["data/test-labelled-medium"] == "37"


def test_a_changed_paired_file_changes_its_macros(results_copy):
    path = results_copy / "paired" / "maaza-135m-instruct-q4-vs-zero-shot.json"
    doc = json.loads(path.read_text())
    doc["metrics"]["json_exact"]["mcnemar"]["only_b"] = 9
    path.write_text(json.dumps(doc))
    v = values(_all_macros(results_copy))
    assert v["paired/maaza-135m-instruct-q4-vs-zero-shot/exact-only-b"] == "9"
    assert v["paired/maaza-135m-instruct-q4-vs-zero-shot/exact-only-a"] == "0"


def test_training_minutes_come_from_the_training_record(results_copy):
    v = values(_all_macros(results_copy))
    # config.training: 2026-11-25T18:16:57 to 19:20:40, 3,823 s = 63.7 min
    assert v["maaza-135m-instruct-q4/train-minutes"] == "64"
    path = results_copy / "maaza-135m-instruct-q4.json"
    doc = json.loads(path.read_text())
    t = doc["config"]["training"]
    t["started"], t["finished"] = t["finished"], t["started"]
    path.write_text(json.dumps(doc))
    with pytest.raises(UserError, match=r"maaza-135m-instruct-q4\.json: config\.training "
                                        r"finished .* is not after started"):
        _all_macros(results_copy)
