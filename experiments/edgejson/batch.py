"""Batch evaluation from a YAML config (`edgejson batch`, `make eval`).

The config lists models; each gets its own folder (predictions.jsonl + metrics.json).
A model whose metrics.json is newer than its predictions is skipped, so re-running
`make eval` after an interruption only does the work that is left.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from maaza_core.errors import UserError
from maaza_core.paths import ROOT, RUNS_DIR

from .evaluate import METRICS_FILE, PREDICTIONS_FILE, EvalSettings

# Keys a model entry (or the defaults block) may set: the EvalSettings fields.
_FIELDS = {f.name for f in dataclasses.fields(EvalSettings)} - {"out_dir", "progress"}


@dataclasses.dataclass(frozen=True)
class BatchEntry:
    """One model of the batch, with where its entry is in the config file."""

    settings: EvalSettings  # the resolved evaluation
    where: str  # "file:line" of the entry, for messages


def _line_map(text: str) -> list[int]:
    """1-based line of each item under `models:`, from the YAML node tree."""
    root = yaml.compose(text)
    if root is None or not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "models" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _settings(entry: dict[str, Any], defaults: dict[str, Any], out_root: Path,
              where: str) -> EvalSettings:
    merged = {**defaults, **entry}
    out = merged.pop("out", None)
    unknown = sorted(set(merged) - _FIELDS)
    if unknown:
        raise UserError(f"{where}: unknown key(s) {', '.join(unknown)} "
                        f"(fix: use {', '.join(sorted(_FIELDS | {'out'}))})")
    if "model" not in merged:
        raise UserError(f"{where}: entry has no 'model' (fix: add a hub id or folder)")
    name = merged.get("name") or Path(str(merged["model"])).name
    if "data_dir" in merged:
        merged["data_dir"] = ROOT / merged["data_dir"]
    for key in ("model", "adapter"):
        # A folder relative to the repository root wins over a hub id of the same
        # spelling, so that configs work from any working directory.
        if merged.get(key) and (ROOT / str(merged[key])).is_dir():
            merged[key] = str(ROOT / str(merged[key]))
    return EvalSettings(out_dir=out_root / (out or name.lower()), **merged)


def load_batch(path: Path) -> list[BatchEntry]:
    """Parse and check a batch config; errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such config file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{path}{line}: invalid YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise UserError(f"{path}: expected a mapping with a 'models' list")
    out_root = ROOT / doc.get("out_dir", RUNS_DIR.relative_to(ROOT) / "eval")
    lines = _line_map(text)
    entries = []
    for index, entry in enumerate(doc["models"]):
        where = f"{path}:{lines[index] if index < len(lines) else '?'}"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: a model entry must be a mapping")
        entries.append(BatchEntry(_settings(entry, doc.get("defaults") or {}, out_root,
                                            where), where))
    return entries


def up_to_date(settings: EvalSettings) -> bool:
    """metrics.json exists and is newer than the predictions it was computed from."""
    metrics, preds = settings.out_dir / METRICS_FILE, settings.out_dir / PREDICTIONS_FILE
    return (metrics.is_file() and preds.is_file()
            and metrics.stat().st_mtime >= preds.stat().st_mtime)
