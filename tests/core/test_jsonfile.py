"""One spelling of a written JSON file, whichever document writes it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from maaza_core import jsonfile, metrics, paired
from maaza_core.datastats import DatasetStats, load_stats
from maaza_core.paths import RESULTS_DIR


def test_write_json_keeps_utf8_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    jsonfile.write_json(path, {"name": "Café", "n": 1})
    assert path.read_text(encoding="utf-8") == '{\n  "name": "Café",\n  "n": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temporary left behind


def _stats() -> DatasetStats:
    # The committed metrics file's data set sizes, as `edgejson stats` would write them.
    return DatasetStats.from_dict({
        "name": "EdgéJSON", "version": "v3", "sha256": "0" * 64,
        "schemas": {"total": 1, "by_complexity": {"simple": 1}},
        "splits": {"test": {"examples": 1, "unlabelled": 0, "schemas": 1,
                            "by_complexity": {"simple": {"examples": 1, "labelled": 1,
                                                         "schemas": 1}}}}})


def test_every_document_is_written_the_same_way(tmp_path: Path) -> None:
    # The data set's statistics used to escape non-ASCII text (ensure_ascii's default)
    # while the metrics file kept it: now all go through jsonfile.dumps.
    stats = _stats()
    stats.dump(tmp_path / "stats.json")
    assert (tmp_path / "stats.json").read_text(encoding="utf-8") == jsonfile.dumps(
        stats.to_dict())
    assert load_stats(tmp_path / "stats.json") == stats

    doc = metrics.load(RESULTS_DIR / "maaza-135m-instruct-q4.json")
    renamed = dataclasses.replace(doc, model=dataclasses.replace(doc.model, name="Maaza-é"))
    metrics.dump(renamed, tmp_path / "m.json")
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == jsonfile.dumps(
        renamed.to_dict())

    comparison = paired.load(RESULTS_DIR / paired.FOLDER /
                             "maaza-135m-instruct-q4-vs-zero-shot.json")
    text = paired.dumps(dataclasses.replace(comparison, a="Zéro"))
    assert '"a": "Zéro"' in text and json.loads(text)["a"] == "Zéro"
