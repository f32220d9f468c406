"""The data set's statistics as one typed file: `edgejson stats -o` writes it, the render
layer reads it (build/generated/dataset-stats.json).

Why a file between them: edgejson owns the data and render must not import it; Make
rebuilds the file whenever the data set or its reader changes. Both sides use the same
class, so a field renamed on one side cannot go unnoticed on the other.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maaza_core.errors import DataError
from maaza_core.jsonfile import write_json
from maaza_core.paths import DATASET_STATS, display

# The data set's tiers, in the order tables and figures list them (the schema folders).
COMPLEXITIES = ("simple", "medium", "complex")


@dataclass(frozen=True)
class TierStats:
    """Rows of one complexity tier in one split."""

    examples: int  # rows in the tier (labelled, or unlabelled in the tier of their schema)
    labelled: int  # of those, rows that carry the label themselves
    schemas: int  # distinct schemas among them


@dataclass(frozen=True)
class SplitStats:
    """One split (train or test)."""

    examples: int  # rows
    unlabelled: int  # rows without a complexity label
    schemas: int  # distinct schemas
    by_complexity: Mapping[str, TierStats]  # simple | medium | complex -> tier


@dataclass(frozen=True)
class SchemaCounts:
    """The JSON Schemas of the data set."""

    total: int  # schema files
    by_complexity: Mapping[str, int]  # schemas per folder (simple | medium | complex)


@dataclass(frozen=True)
class DatasetStats:
    """What the paper's dataset table and the results' size checks need."""

    name: str  # "EdgeJSON"
    version: str  # "v3"
    sha256: str  # edgejson.data.data_sha256 of the files counted
    schemas: SchemaCounts
    splits: Mapping[str, SplitStats]  # split name -> statistics

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, field for field (what `dump` writes and `from_dict` reads)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetStats:
        """The statistics from their JSON form; a KeyError or TypeError means another shape."""
        return cls(
            name=data["name"], version=data["version"], sha256=data["sha256"],
            schemas=SchemaCounts(**data["schemas"]),
            splits={name: SplitStats(
                examples=s["examples"], unlabelled=s["unlabelled"], schemas=s["schemas"],
                by_complexity={c: TierStats(**t) for c, t in s["by_complexity"].items()})
                for name, s in data["splits"].items()})

    def dump(self, path: Path) -> None:
        """Pretty JSON, written atomically (Make must never see half a file)."""
        write_json(path, self.to_dict())


def load_stats(path: Path = DATASET_STATS) -> DatasetStats:
    """The statistics `edgejson stats -o FILE` wrote; a missing or damaged file names the
    Make target that rebuilds it."""
    shown = display(path)
    fix = f"make {shown}, which runs edgejson stats -o {shown}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, f"missing (fix: {fix})") from None
    try:
        return DatasetStats.from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON: {exc.msg} (fix: delete it and run {fix})",
                        line=exc.lineno) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError(path, f"not the statistics edgejson stats writes ({exc!r}) "
                              f"(fix: delete it and run {fix})") from None
