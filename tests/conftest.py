"""Fixtures every test folder shares."""

from __future__ import annotations

import pytest

from maaza_core.paths import DATASET_STATS


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--record`: refresh tests/fixtures/api-recordings from the real APIs (see
    tests/fixtures/README.md and tests/tools/bib/recorder.py)."""
    parser.addoption("--record", action="store_true", default=False,
                     help="literature tests: forward the mirror's requests to the APIs "
                     "(RECORD_ARXIV_URL, RECORD_S2_URL) and save the answers as recordings")


@pytest.fixture(autouse=True, scope="session")
def dataset_stats_file() -> None:
    """Render reads the data set's statistics that `make` writes (build/generated/); a clean
    clone has none yet, and no test may depend on which test happened to write it first."""
    if not DATASET_STATS.is_file():
        from edgejson.data import dataset_stats

        dataset_stats().dump(DATASET_STATS)
