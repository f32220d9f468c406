"""Several data errors reported together: one line each, in file and line order."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import DataError, DataErrors, UserError


def test_errors_come_sorted_by_file_then_line_under_one_head() -> None:
    errors = [DataError(Path("b.yaml"), "late", line=9), DataError(Path("b.yaml"), "early",
                                                                    line=2),
              DataError(Path("a.yaml"), "other file", line=40)]
    caught = DataErrors(errors, "the tables")
    assert isinstance(caught, UserError)
    assert str(caught).splitlines() == [
        "3 problems in the tables:", "a.yaml:40: other file", "b.yaml:2: early",
        "b.yaml:9: late"]
    assert [e.message for e in caught.errors] == ["other file", "early", "late"]


def test_one_error_is_its_own_line_without_a_head() -> None:
    caught = DataErrors([DataError(Path("lib.yaml"), "unknown field 'color'", line=7)])
    assert str(caught) == "lib.yaml:7: unknown field 'color'"


def test_errors_without_a_line_sort_by_pointer_and_before_lined_ones() -> None:
    caught = DataErrors([DataError(Path("m.json"), "x", line=3),
                         DataError(Path("m.json"), "z", pointer="/z"),
                         DataError(Path("m.json"), "a", pointer="/a")])
    assert [e.message for e in caught.errors] == ["a", "z", "x"]


def test_no_errors_is_a_callers_bug() -> None:
    with pytest.raises(ValueError):
        DataErrors([])
