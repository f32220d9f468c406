"""The one JSONL reader: line numbers, blank lines, bad lines and torn tails."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import UserError
from maaza_core.jsonl import iter_jsonl


def test_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n\n[2]\n')
    assert list(iter_jsonl(path)) == [(1, {"a": 1}), (3, [2])]


def test_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{"a": \n{"b": 2}\n')
    with pytest.raises(UserError, match=r"a\.jsonl:2: not valid JSON"):
        list(iter_jsonl(path))


@pytest.mark.parametrize("tolerated", [True, False])
def test_a_torn_tail_is_skipped_only_when_asked(tmp_path: Path, tolerated: bool) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"step": 1}\n{"step": 2}\n{"st')
    if tolerated:
        assert [v for _, v in iter_jsonl(path, torn_tail_ok=True)] == [{"step": 1},
                                                                       {"step": 2}]
    else:
        with pytest.raises(UserError, match=r"log\.jsonl:3: not valid JSON"):
            list(iter_jsonl(path))


def test_a_bad_line_before_the_end_is_never_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"st\n{"step": 2}\n')
    with pytest.raises(UserError, match=r"log\.jsonl:1:"):
        list(iter_jsonl(path, torn_tail_ok=True))


def test_undecodable_bytes_are_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": "\xff"}\n')
    with pytest.raises(UserError, match=r"a\.jsonl:1: not valid JSON"):
        list(iter_jsonl(path))
