"""`papertools render`: each subcommand takes only the flags it honours, and what it
reads follows them (a copied results folder renders from the copy, paired tests too)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edgejson.data import dataset_stats
from maaza_core.paths import RESULTS_DIR
from papertools.cli import main
from papertools.render import cli

PAIRED = "maaza-135m-instruct-q4-vs-zero-shot"


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the committed results; the data set's statistics computed, not read
    from build/ (which a clean clone has not made yet)."""
    monkeypatch.setattr(cli, "load_stats", dataset_stats)
    folder = tmp_path / "results"
    shutil.copytree(RESULTS_DIR, folder, ignore=shutil.ignore_patterns("adapters"))
    return folder


def _macros(tex: Path) -> dict[str, str]:
    """\\defresult{key}{value}% comment lines -> key: value."""
    out = {}
    for line in tex.read_text(encoding="utf-8").splitlines():
        if line.startswith(r"\defresult{"):
            key, rest = line[len(r"\defresult{"):].split("}{", 1)
            out[key] = rest.split("}%", 1)[0]
    return out


@pytest.mark.parametrize("argv", [
    ["table", "dataset", "--results", "x"],  # the dataset table reads the data set only
    ["lint", "--results", "x"],
    ["pdf", "--results", "x"],
])
def test_a_flag_the_command_ignores_is_refused(argv, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["render", *argv, "-o", str(tmp_path / "out.tex")])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_the_results_tables_read_results(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "results-table.tex"
    assert main(["render", "table", "results", "--results", str(results), "-o", str(out)]) == 0
    (results / "qwen2.5-0.5b.json").unlink()
    assert main(["render", "table", "results", "--results", str(results), "-o", str(out)]) == 0
    assert "Qwen" not in out.read_text(encoding="utf-8")


def test_macros_read_the_paired_files_of_results(results: Path, tmp_path: Path) -> None:
    path = results / "paired" / f"{PAIRED}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["metrics"]["valid_json"]["mcnemar"]["only_a"] = 14  # was 13
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    out = tmp_path / "macros.tex"
    assert main(["render", "macros", "--results", str(results), "-o", str(out)]) == 0
    assert _macros(out)[f"paired/{PAIRED}/valid-only-a"] == "14"


def test_a_broken_paired_file_of_results_is_named(results: Path, tmp_path: Path,
                                                  capsys) -> None:
    path = results / "paired" / f"{PAIRED}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["metrics"]["json_exact"]["mcnemar"]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    out = tmp_path / "macros.tex"
    assert main(["render", "macros", "--results", str(results), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:" in err and "metrics/json_exact: 'mcnemar' is a required property" in err
    assert not out.exists()
