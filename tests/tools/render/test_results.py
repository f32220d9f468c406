"""Results files: validation errors name the file and field; the statistics file."""

from __future__ import annotations

import json
import shutil

import pytest

from edgejson.data import dataset_stats
from maaza_core.datastats import load_stats as dataset_stats_file
from maaza_core.errors import UserError
from maaza_core.paths import RESULTS_DIR
from papertools.render.results import load_result, load_results

STATS = dataset_stats()  # tests may compute them; render reads them from a file


def test_all_committed_results_validate():
    results = load_results(RESULTS_DIR, STATS)
    assert {r.stem for r in results} >= {"maaza-mlm-135m", "qwen2.5-0.5b"}
    assert all(r.json_exact.total == 158 for r in results)


def test_paper_order_is_by_size_then_zero_shot_first():
    names = [r.model.name for r in load_results(RESULTS_DIR, STATS)]
    assert names.index("SmolLM2-135M") < names.index("Maaza-MLM-135M") < names.index("Qwen2.5-0.5B")


def test_invalid_file_is_named_with_field(tmp_path):
    bad = tmp_path / "bad.json"
    doc = json.loads((RESULTS_DIR / "maaza-mlm-135m.json").read_text())
    doc["metrics"]["overall"]["json_exact"]["correct"] = "39"
    bad.write_text(json.dumps(doc))
    with pytest.raises(UserError, match=r"bad\.json:1: metrics/overall/json_exact/correct"):
        load_result(bad)


def test_broken_json_names_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "edgejson-metrics/2",\n  oops\n}')
    with pytest.raises(UserError, match=r"bad\.json:3: invalid JSON"):
        load_result(bad)


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(UserError, match="no results files"):
        load_results(tmp_path, STATS)


def test_extra_results_file_joins_the_tables(tmp_path):
    for p in RESULTS_DIR.glob("*.json"):
        shutil.copy(p, tmp_path)
    doc = json.loads((RESULTS_DIR / "qwen2.5-0.5b.json").read_text())
    doc["model"]["name"] = "Tiny & Co_1"
    (tmp_path / "tiny.json").write_text(json.dumps(doc))
    assert "Tiny & Co_1" in [r.model.name for r in load_results(tmp_path, STATS)]


def test_stats_file_is_read_as_edgejson_wrote_it(tmp_path):
    path = tmp_path / "dataset-stats.json"
    path.write_text(json.dumps(STATS.to_dict()))
    assert dataset_stats_file(path) == STATS


def test_missing_stats_file_names_it_and_its_make_target(tmp_path):
    with pytest.raises(UserError, match=r"dataset-stats\.json: missing \(fix: make .*"
                       r"dataset-stats\.json, which runs edgejson stats -o"):
        dataset_stats_file(tmp_path / "dataset-stats.json")


def test_damaged_stats_file_names_its_line(tmp_path):
    path = tmp_path / "dataset-stats.json"
    path.write_text('{\n  "name": "EdgeJSON",\n  oops\n}\n')
    with pytest.raises(UserError, match=r"dataset-stats\.json:3: not valid JSON"):
        dataset_stats_file(path)


@pytest.mark.parametrize("name", ["a b", "x#1", "50%", "a{b}", "a\\b", "a$b", "a:b", "-x",
                                  "a~b"])
def test_a_results_file_name_with_tex_or_make_specials_is_refused(tmp_path, name):
    """Planted: names that would break \\result{NAME/...} or a Make rule; refused before
    any file is read (the planted file is not even JSON). Silent: the committed names."""
    folder = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, folder)
    (folder / f"{name}.json").write_text("not json")
    with pytest.raises(UserError, match=r"a results file name may hold only letters"):
        load_results(folder, STATS)
    (folder / f"{name}.json").unlink()
    assert len(load_results(folder, STATS)) == len(load_results(RESULTS_DIR, STATS))
