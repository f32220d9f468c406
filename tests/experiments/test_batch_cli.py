"""Batch evaluation from a config file, and the command line's help and stats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edgejson.batch import BatchSettings, load_batch, run_batch
from edgejson.cli import build_parser, main
from edgejson.data import dataset_stats
from maaza_core.errors import UserError
from maaza_core.paths import CONFIGS_DIR, DATA_DIR

COMMANDS = ("evaluate", "batch", "score", "train", "stats", "compare")


def test_default_config_lists_the_papers_five_models() -> None:
    entries = load_batch(CONFIGS_DIR / "eval.yaml")
    names = [e.settings.name for e in entries]
    assert names == ["SmolLM2-135M", "SmolLM2-360M", "Qwen2.5-0.5B", "Maaza-MLM-135M",
                     "Maaza-SLM-360M"]
    assert all(e.settings.max_new_tokens == 512 and e.settings.split == "test"
               for e in entries)
    assert [bool(e.settings.adapter) for e in entries] == [False] * 3 + [True] * 2
    assert len({e.settings.out_dir for e in entries}) == 5


def test_only_matches_the_name_the_metrics_file_records(tmp_path: Path) -> None:
    # An entry without a name: `--only`, the out folder and the metrics file's model.name
    # all derive it once (provenance.run_name), so "Some-Model" is what --only accepts and
    # the hub id is refused (it used to be the other way round).
    config = tmp_path / "eval.yaml"
    config.write_text("models:\n  - model: org/Some-Model/\n")
    (entry,) = load_batch(config)
    assert entry.name == entry.settings.display_name == "Some-Model"
    assert entry.settings.out.name == "some-model"
    with pytest.raises(UserError, match="no model named org/Some-Model"):
        run_batch(BatchSettings(config, only=("org/Some-Model",)))


def test_config_errors_name_the_line(tmp_path: Path) -> None:
    config = tmp_path / "eval.yaml"
    config.write_text("models:\n  - name: a\n    model: x\n  - name: b\n    modle: y\n")
    with pytest.raises(UserError, match=r"eval\.yaml:4: unknown key\(s\) modle"):
        load_batch(config)
    config.write_text("models:\n  - name: a\n   model: [\n")
    with pytest.raises(UserError, match=r"eval\.yaml:\d+: not valid YAML"):
        load_batch(config)


@pytest.mark.ml
def test_batch_runs_each_model_once(tiny_model: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("torch")
    config = tmp_path / "eval.yaml"
    config.write_text(
        f"out_dir: {tmp_path / 'runs'}\n"
        "defaults: {limit: 3, max_new_tokens: 6, device: cpu, batch_size: 2}\n"
        f"models:\n  - {{name: Tiny-A, model: {tiny_model}}}\n"
        f"  - {{name: Tiny-B, model: {tiny_model}, out: b}}\n")
    assert main(["batch", str(config)]) == 0
    for folder in ("tiny-a", "b"):
        doc = json.loads((tmp_path / "runs" / folder / "metrics.json").read_text())
        assert doc["dataset"]["examples"] == 3 and doc["config"]["max_new_tokens"] == 6
    capsys.readouterr()
    assert main(["batch", str(config), "--only", "Tiny-A"]) == 0
    assert "Tiny-A: up to date" in capsys.readouterr().out


def test_every_command_has_help_ending_with_an_example(capsys) -> None:
    for command in (None, *COMMANDS):
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([command, "--help"] if command else ["--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out.rstrip()
        assert text.splitlines()[-2].strip() == "example:"
        assert text.splitlines()[-1].strip().startswith("edgejson ")


def test_stats_json_matches_dataset_stats(capsys) -> None:
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == dataset_stats().to_dict()


def test_stats_out_writes_the_file_render_reads(tmp_path: Path, capsys) -> None:
    out = tmp_path / "generated" / "dataset-stats.json"
    out.parent.mkdir()
    out.write_text("stale")
    assert main(["stats", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == dataset_stats().to_dict()
    assert capsys.readouterr().out == ""  # the statistics go to the file only


def test_stats_out_is_not_written_for_a_broken_gold_answer(tmp_path: Path) -> None:
    data = tmp_path / "edgejson"
    shutil.copytree(DATA_DIR, data)
    lines = (data / "test.jsonl").read_text().splitlines()
    row = json.loads(lines[0])
    row["expected_output"]["priority"] = "whenever"  # not in notification.priority's enum
    (data / "test.jsonl").write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    out = tmp_path / "dataset-stats.json"
    assert main(["stats", "--data", str(data), "-o", str(out)]) == 1
    assert not out.exists()


def test_bad_paths_are_clear_errors(tmp_path: Path, capsys) -> None:
    assert main(["score", str(tmp_path / "missing.jsonl")]) == 1
    assert "no such predictions file" in capsys.readouterr().err
    assert main(["stats", "--data", str(tmp_path)]) == 1
    assert "no schemas folder" in capsys.readouterr().err
