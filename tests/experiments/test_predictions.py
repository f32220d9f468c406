"""The predictions file's torn tail: cut only when a resume asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgejson.predictions import read_predictions
from maaza_core.errors import UserError

WHOLE = '{"id": "a", "output": "{}"}\n{"id": "b", "output": "[]"}\n'


def test_a_torn_tail_is_an_error_unless_repairing_and_repair_cuts_only_it(
        tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text(WHOLE + '{"id": "c", "outp', encoding="utf-8")
    with pytest.raises(UserError, match=r"predictions.jsonl:3: not valid JSON"):
        read_predictions(path)
    assert path.read_text(encoding="utf-8").endswith('"outp')  # reading changes nothing
    assert list(read_predictions(path, repair=True).records) == ["a", "b"]
    assert path.read_text(encoding="utf-8") == WHOLE


def test_repair_leaves_a_whole_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text(WHOLE, encoding="utf-8")
    assert list(read_predictions(path, repair=True).records) == ["a", "b"]
    assert path.read_text(encoding="utf-8") == WHOLE
