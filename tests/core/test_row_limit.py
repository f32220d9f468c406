"""--limit of the benchmark scripts: a row count or `all`, and nothing else, so that a
Makefile variable can ask for the whole split and a typo is not read as one."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maaza_core.cli import row_limit


@given(st.integers(min_value=1, max_value=10**6))
def test_a_positive_count_is_that_many_rows(n: int) -> None:
    assert row_limit(str(n)) == n


def test_all_is_the_whole_split() -> None:
    assert row_limit("all") is None


@pytest.mark.parametrize("text", ["0", "-3", "", "ALL", "16 rows", "1.5"])
def test_anything_else_is_refused_with_the_fix(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="N >= 1, or all"):
        row_limit(text)
