"""Fixtures every test folder shares."""

from __future__ import annotations

import pytest

from maaza_core.paths import DATASET_STATS


@pytest.fixture(autouse=True, scope="session")
def dataset_stats_file() -> None:
    """Render reads the data set's statistics that `make` writes (build/generated/); a clean
    clone has none yet, and no test may depend on which test happened to write it first."""
    if not DATASET_STATS.is_file():
        from edgejson.data import dataset_stats

        dataset_stats().dump(DATASET_STATS)
