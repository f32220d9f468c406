"""Fixtures for the related-work tests: a small curated library in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertools.bib.cites import Library, load_library

# Keys of the test library; `hu2021lora` lets a typo ("hu2021lroa") have a close match.
KEYS = ("alpha2020", "beta2021", "hu2021lora", "dettmers2023qlora")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    path = tmp_path / "library.yaml"
    path.write_text(
        "".join(f"- key: {key}\n  arxiv: '2106.0968{i}'\n\n" for i, key in enumerate(KEYS)),
        encoding="utf-8",
    )
    return load_library(path)
