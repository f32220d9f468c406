"""Batch evaluation from a YAML config (`edgejson batch`, `make eval`).

The config lists models; each gets its own folder (predictions.jsonl + metrics.json).
A model whose metrics.json is newer than its predictions is skipped, so re-running
`make eval` after an interruption only does the work that is left.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from maaza_core.cli import setting, setting_value
from maaza_core.errors import DataError, UserError
from maaza_core.paths import CONFIGS_DIR, ROOT, RUNS_DIR, display
from maaza_core.suggest import did_you_mean
from maaza_core.yamlfile import YamlDoc, load_yaml

from .evaluate import METRICS_FILE, PREDICTIONS_FILE, EvalSettings, evaluate, print_summary
from .provenance import run_name

DEFAULT_CONFIG = CONFIGS_DIR / "eval.yaml"


@dataclasses.dataclass(frozen=True)
class BatchSettings:
    """A batch run (`edgejson batch`); the help texts are its arguments."""

    config: Path = setting(DEFAULT_CONFIG, flag="config", nargs="?",
                           help=f"batch config (default: {display(DEFAULT_CONFIG)})")
    only: tuple[str, ...] | None = setting(None, nargs="+", help="evaluate only these model "
                                           "names (as the metrics files record them)")
    force: bool = setting(False, action="store_true", help="re-run models already done")

# Keys a model entry (or the defaults block) may set: the EvalSettings fields.
_FIELDS = {f.name for f in dataclasses.fields(EvalSettings)} - {"out_dir", "progress"}


@dataclasses.dataclass(frozen=True)
class BatchEntry:
    """One model of the batch, with where its entry is in the config file."""

    settings: EvalSettings  # the resolved evaluation
    where: str  # "file:line" of the entry, for messages

    @property
    def name(self) -> str:
        """The run's name as its metrics file records it (what `--only` matches)."""
        return self.settings.display_name


def _typed(doc: YamlDoc, index: int, merged: dict[str, Any]) -> dict[str, Any]:
    """Each value typed and checked as its flag would be (maaza_core.cli.setting_value);
    a bad one names the line it came from (the entry's own key, else the defaults')."""
    entry = doc.data["models"][index]
    out = {}
    for key, value in merged.items():
        try:
            out[key] = setting_value(EvalSettings, key, value)
        except ValueError as exc:
            steps = ("models", index, key) if key in entry else ("defaults", key)
            raise doc.error(steps, f"{key}: {exc}") from None
    return out


def _out_folder(doc: YamlDoc, index: int, out_root: Path, out: Any, name: str) -> Path:
    """<out_dir>/<out>. `out` must stay inside out_dir (an `out` of ../../x must not
    write over the repository), and out_dir inside runs/ when it is in the repository: a
    folder elsewhere (an absolute path) is the user's explicit choice, as --out is."""
    if out is not None and (not isinstance(out, str) or not out.strip()):
        raise doc.error(("models", index, "out"), "out: expected a folder name")
    folder = (out_root / (out or name.lower())).resolve()
    root, runs = out_root.resolve(), RUNS_DIR.resolve()
    if not folder.is_relative_to(root) or folder == root:
        raise doc.error(("models", index, "out" if out else "name"),
                        f"out: {out or name.lower()!r} leads outside out_dir {display(root)} "
                        "(fix: a folder name such as smollm2-135m)")
    if root.is_relative_to(ROOT.resolve()) and not root.is_relative_to(runs):
        raise doc.error(("out_dir",), f"out_dir: {display(root)} is in the repository but "
                        f"not below {display(RUNS_DIR)}/ (fix: out_dir: runs/eval)")
    return folder


def _settings(doc: YamlDoc, index: int, defaults: dict[str, Any],
              out_root: Path) -> EvalSettings:
    merged = {**defaults, **doc.data["models"][index]}
    out = merged.pop("out", None)
    unknown = sorted(set(merged) - _FIELDS)
    if unknown:
        closest = did_you_mean(unknown[0], _FIELDS | {"out"})
        raise doc.error(("models", index), f"unknown key(s) {', '.join(unknown)} (fix: a "
                        f"setting of edgejson evaluate; {closest})")
    if "model" not in merged:
        raise doc.error(("models", index), "entry has no 'model' (fix: add a hub id or "
                        "folder)")
    merged = _typed(doc, index, merged)
    # The name the metrics file will record (EvalSettings.display_name), so that the out
    # folder and `--only` agree with it.
    name = run_name(merged.get("name"), str(merged["model"]))
    if "data_dir" in merged:
        merged["data_dir"] = ROOT / merged["data_dir"]
    for key in ("model", "adapter"):
        # A folder relative to the repository root wins over a hub id of the same
        # spelling, so that configs work from any working directory.
        if merged.get(key) and (ROOT / str(merged[key])).is_dir():
            merged[key] = str(ROOT / str(merged[key]))
    return EvalSettings(out_dir=_out_folder(doc, index, out_root, out, name), **merged)


def load_batch(path: Path) -> list[BatchEntry]:
    """Parse and check a batch config; errors name file and line."""
    doc = load_yaml(path, what="batch config", missing_fix="pass an existing config, e.g. "
                    "experiments/configs/eval.yaml")
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("models"), list):
        raise doc.error((), "expected a mapping with a 'models' list (fix: models: "
                        "[{name: ..., model: ...}])")
    defaults = doc.data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise doc.error(("defaults",), "defaults must be a mapping of settings")
    out_dir = doc.data.get("out_dir", RUNS_DIR.relative_to(ROOT) / "eval")
    if not isinstance(out_dir, str | Path):
        raise doc.error(("out_dir",), "out_dir: expected a folder below runs/")
    out_root = ROOT / out_dir
    entries = []
    for index, entry in enumerate(doc.data["models"]):
        if not isinstance(entry, dict):
            raise doc.error(("models", index), "a model entry must be a mapping")
        where = f"{display(path)}:{doc.line(('models', index))}"
        entries.append(BatchEntry(_settings(doc, index, defaults, out_root), where))
    return entries


def up_to_date(settings: EvalSettings) -> bool:
    """metrics.json exists and is newer than the predictions it was computed from."""
    metrics, preds = settings.out / METRICS_FILE, settings.out / PREDICTIONS_FILE
    return (metrics.is_file() and preds.is_file()
            and metrics.stat().st_mtime >= preds.stat().st_mtime)


def run_batch(settings: BatchSettings) -> list[str]:
    """Evaluate the config's models (`only`: these names) that are not up to date.

    A model's own error is printed and the batch goes on; returns the names that failed.
    """
    config, only, force = settings.config, settings.only or (), settings.force
    entries = load_batch(config)
    names = {e.name for e in entries}
    unknown = sorted(set(only) - names)
    if unknown:
        raise DataError(config, f"no model named {', '.join(unknown)} (fix: --only takes "
                                f"names from the config: {did_you_mean(unknown[0], names)})")
    failed = []
    for entry in entries:
        if only and entry.name not in only:
            continue
        if up_to_date(entry.settings) and not force:
            print(f"{entry.name}: up to date ({entry.settings.out / METRICS_FILE})")
            continue
        try:
            print_summary(evaluate(entry.settings))
        except UserError as exc:
            print(f"edgejson: error: {entry.where}: {exc}", file=sys.stderr)
            failed.append(entry.name)
    return failed
