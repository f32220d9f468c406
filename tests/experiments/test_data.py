"""Data loading: both row shapes, effective complexity, schema validation, statistics."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edgejson.data import (
    data_sha256,
    dataset_stats,
    load_dataset,
    load_split,
    validate_expected,
)
from maaza_core.errors import UserError
from maaza_core.paths import DATA_DIR


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "edgejson"
    shutil.copytree(DATA_DIR, target)
    return target


def test_both_row_shapes_load_and_none_is_dropped() -> None:
    rows = load_split("test")
    assert len(rows) == 158
    unlabelled = [r for r in rows if not r.labelled]
    assert len(unlabelled) == 20
    folders = load_dataset().folders
    assert all(r.complexity == folders[r.schema_id] for r in rows)


def test_dataset_stats_shape_and_counts() -> None:
    stats = dataset_stats().to_dict()
    assert stats["schemas"] == {"total": 25,
                                "by_complexity": {"simple": 10, "medium": 10, "complex": 5}}
    for split, n, unlabelled in (("train", 629, 72), ("test", 158, 20)):
        s = stats["splits"][split]
        assert (s["examples"], s["unlabelled"]) == (n, unlabelled)
        by = s["by_complexity"]
        assert sum(v["examples"] for v in by.values()) == n
        assert sum(v["labelled"] for v in by.values()) == n - unlabelled
    assert stats["splits"]["test"]["by_complexity"]["medium"] == {
        "examples": 57, "labelled": 37, "schemas": 9}
    assert len(stats["sha256"]) == 64


def test_every_gold_answer_matches_its_schema() -> None:
    dataset = load_dataset()
    for split in ("train", "test"):
        assert validate_expected(load_split(split, dataset=dataset), dataset) == []


def test_a_broken_gold_answer_is_reported(data_copy: Path) -> None:
    path = data_copy / "test.jsonl"
    lines = path.read_text().splitlines()
    row = json.loads(lines[0])
    row["expected_output"]["priority"] = "whenever"  # not in notification.priority's enum
    path.write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    dataset = load_dataset(data_copy)
    failures = validate_expected(load_split("test", data_copy, dataset), dataset)
    assert len(failures) == 1 and row["id"] in failures[0] and "line 1" in failures[0]


def test_bad_rows_name_file_and_line(data_copy: Path) -> None:
    path = data_copy / "test.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{broken", *lines[2:]]) + "\n")
    with pytest.raises(UserError, match=r"test\.jsonl:2: not valid JSON"):
        load_split("test", data_copy)
    row = json.loads(lines[0]) | {"schema_id": "nope"}
    path.write_text("\n".join([lines[0], json.dumps(row)]) + "\n")
    with pytest.raises(UserError, match=r"test\.jsonl:2: unknown schema_id 'nope'"):
        load_split("test", data_copy)


def test_hash_follows_content_and_schema_folders(data_copy: Path) -> None:
    before = data_sha256(data_copy)
    assert before == data_sha256(DATA_DIR)
    moved = data_copy / "schemas" / "medium" / "rating.json"
    (data_copy / "schemas" / "simple" / "rating.json").rename(moved)
    assert data_sha256(data_copy) != before


def test_data_module_imports_without_torch() -> None:
    # A meta-path finder that refuses torch/transformers, as in a venv without them.
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('torch', 'transformers', 'peft'):\n"
            "            raise ImportError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import edgejson.data, edgejson.scoring, edgejson.compare, edgejson.cli\n"
            "print(edgejson.data.dataset_stats().splits['test'].examples)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "158"


def test_asserted_schema_drops_format_annotations_only() -> None:
    """Formats go at every depth; a property named "format" and values stay."""
    from edgejson.data import asserted_schema

    schema = {"type": "object", "format": "x", "properties": {
        "format": {"type": "string", "format": "date-time", "enum": [{"format": "v"}]},
        "list": {"type": "array", "items": {"anyOf": [{"format": "email"}, {"const": 1}]}}},
        "$defs": {"d": {"format": "date"}}, "additionalProperties": {"format": "uri"}}
    assert asserted_schema(schema) == {"type": "object", "properties": {
        "format": {"type": "string", "enum": [{"format": "v"}]},
        "list": {"type": "array", "items": {"anyOf": [{}, {"const": 1}]}}},
        "$defs": {"d": {}}, "additionalProperties": {}}
    assert schema["properties"]["format"]["format"] == "date-time"  # the input is kept
