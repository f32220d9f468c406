"""`edgejson verify-results`: the paper's measured numbers, recomputed from their outputs.

Why: the paper says every output of the measured runs is kept so that each number can be
recomputed; nothing did, so garbage outputs, deleted outputs or a metrics file edited
consistently (53 -> 60 exact with fresh Wilson intervals) all rendered. `make paper`
runs this before rendering (mk/paper.mk) and renders only after it passed:

- every `provenance: measured` file in the results folder is rescored from its committed
  NAME.predictions.jsonl with the harness's own scorer, and every difference in the
  counts, means, intervals, tiers, schemas or the performance block is refused, naming
  the file, the field's JSON path and the recomputed value;
- the data's sha256 the run recorded must be that of the data set in the repository;
- every paired test in paired/ is recomputed from the two runs it names and must cover
  the whole split;
- every committed adapter (adapters/NAME/) must match its SHA256SUMS, and a run that
  names an adapter folder of that NAME (directly, or as the source of an exported GGUF)
  must have used those weights: a retrained adapter makes its runs stale;
- reported files (copied from publications) keep their provenance: they have no outputs
  to recompute, and the summary says so.

It imports no model stack (torch, transformers): the paper's venv has none.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maaza_core import metrics, paired
from maaza_core.cli import setting
from maaza_core.errors import DataError, DataErrors, UserError
from maaza_core.jsonfile import data_error, write_json
from maaza_core.metrics import MetricsDoc
from maaza_core.paths import DATA_DIR, GENERATED_DIR, RESULTS_DIR, display

from .aggregate import aggregate
from .compare import Side, compare
from .data import Dataset, data_sha256, dataset_stats, load_dataset, load_split
from .examplescore import ExampleScore
from .predictions import read_predictions
from .registry import sha256_files
from .scoring import match_predictions, performance, score_predictions

PREDICTIONS_SUFFIX = ".predictions.jsonl"  # experiments/results/NAME.predictions.jsonl
ADAPTERS = "adapters"  # results/adapters/NAME/: a committed LoRA adapter and its SHA256SUMS
ADAPTER_WEIGHTS = "adapter_model.safetensors"
STAMP = GENERATED_DIR / "results-verified.json"
SHOWN = 12  # differences listed per file; the rest are counted
PUBLISH = "fix: commit the metrics and predictions of one run together, as `make measured` " \
          "publishes them"


@dataclass(frozen=True)
class VerifySettings:
    """What `edgejson verify-results` checks; the help texts are its flags."""

    results: Path = setting(RESULTS_DIR, help="folder of metrics files, their "
                            "NAME.predictions.jsonl and paired/")
    data_dir: Path = setting(DATA_DIR, flag="--data", help="the EdgeJSON folder")
    out: Path | None = setting(None, help="write the summary as JSON here (atomically, "
                               "only when every check passed), e.g. " + display(STAMP))


@dataclass
class _Run:
    """A measured run as rescored: the predictions file and its per-example scores."""

    preds: Path
    split: str
    scores: list[ExampleScore]


class _Checker:
    """One verification pass; collects every problem so one run lists them all."""

    def __init__(self, s: VerifySettings) -> None:
        self.s, self.errors = s, []
        self.dataset: Dataset = load_dataset(s.data_dir)
        self.stats = dataset_stats(s.data_dir)
        self.sha = data_sha256(s.data_dir)
        self.runs: dict[str, _Run] = {}  # predictions file name -> rescored run
        self.adapters: dict[str, str] = {}  # adapter folder name -> its weights' sha256
        for sums in sorted((s.results / ADAPTERS).glob("*/SHA256SUMS")):
            self.adapter_sums(sums)

    def adapter_sums(self, sums: Path) -> None:
        """Check one committed adapter against its SHA256SUMS (`sha256sum` lines)."""
        folder = sums.parent
        for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
            digest, _, name = line.partition("  ")
            path = folder / name
            if not path.is_file():
                self.errors.append(DataError(sums, f"lists {name}, which is missing (fix: "
                                   f"git checkout -- {display(path)})", line=number))
                continue
            actual = sha256_files([path])
            if actual != digest:
                self.errors.append(DataError(sums, f"{name} has sha256 {actual}, not "
                                   f"{digest} (fix: git checkout -- {display(path)}, or "
                                   "publish a retrained adapter with its runs: make measured)",
                                   line=number))
            elif name == ADAPTER_WEIGHTS:
                self.adapters[folder.name] = digest

    def adapter_used(self, path: Path, doc: MetricsDoc) -> None:
        """A run of a committed adapter (by folder name) must have used its weights."""
        weights = (doc.run or {}).get("weights") or {}
        export = weights.get("export") or {}
        for steps, folder, sha in (
                (("run", "weights", "adapter_sha256"), weights.get("adapter"),
                 weights.get("adapter_sha256")),
                (("run", "weights", "export", "adapter_sha256"), export.get("adapter"),
                 export.get("adapter_sha256"))):
            committed = self.adapters.get(Path(folder).name) if folder else None
            if committed and sha != committed:
                self._error(path, steps, f"the run used adapter weights with sha256 {sha}, "
                            f"but the committed {ADAPTERS}/{Path(folder).name} has "
                            f"{committed} (fix: evaluate again with the committed adapter, "
                            "make measured)")

    def measured(self, path: Path, doc: MetricsDoc) -> None:
        """Rescore one measured file from its predictions and diff every number."""
        preds_path = path.with_name(path.stem + PREDICTIONS_SUFFIX)
        if not preds_path.is_file():
            self._error(path, ("provenance",), f"measured, but its outputs "
                        f"{preds_path.name} are missing, so no number of it can be "
                        f"recomputed (fix: commit {display(preds_path)} from the run, or "
                        "remove the file)")
            return
        self._data_hash(path, doc)
        self.adapter_used(path, doc)
        preds = read_predictions(preds_path)
        header = preds.settings or {}
        for key, stored in (("split", doc.dataset.split),
                            ("max_new_tokens", doc.config.max_new_tokens)):
            if key in header and header[key] != stored:
                self._error(path, _config_path(key), f"is {stored!r} but "
                            f"{preds_path.name} was generated with {header[key]!r} "
                            f"({PUBLISH})")
        examples = match_predictions(load_split(doc.dataset.split, self.s.data_dir,
                                                self.dataset), preds, display(preds_path))
        scores = score_predictions(examples, preds, self.dataset)
        self.runs[preds_path.name] = _Run(preds_path, doc.dataset.split, scores)
        again = dataclasses.replace(
            doc, metrics=aggregate(scores),
            performance=performance([preds.records[e.id] for e in examples]),
            dataset=dataclasses.replace(doc.dataset, examples=len(scores)))
        self._differences(path, doc.to_dict(), again.to_dict(), preds_path.name)

    def _data_hash(self, path: Path, doc: MetricsDoc) -> None:
        recorded = {("dataset", "sha256"): doc.dataset.sha256,
                    ("run", "data_sha256"): (doc.run or {}).get("data_sha256", self.sha)}
        for steps, sha in recorded.items():
            if sha != self.sha:
                self._error(path, steps, f"the run scored data with sha256 {sha} but the "
                            f"repository's {self.stats.name} {self.stats.version} has "
                            f"{self.sha} (fix: evaluate again on this data: make measured)")

    def _differences(self, path: Path, stored: dict[str, Any], again: dict[str, Any],
                     preds_name: str) -> None:
        found = [(steps, old, new) for key in ("dataset", "metrics", "performance")
                 for steps, old, new in _diff(stored.get(key), again.get(key), (key,))]
        for steps, old, new in found[:SHOWN]:
            self._error(path, steps, f"stored {_show(old)}, recomputed from {preds_name}: "
                        f"{_show(new)} ({PUBLISH})")
        if len(found) > SHOWN:  # named at the first one not shown, so it sorts after them
            self._error(path, found[SHOWN][0], f"and {len(found) - SHOWN} more numbers "
                        f"from here on differ from those recomputed from {preds_name}")

    def paired_file(self, path: Path) -> None:
        """Recompute one paired test from the two runs it names, over the full split."""
        doc = paired.load(path)
        runs = [self._named_run(path, side, name)
                for side, name in (("a", doc.a), ("b", doc.b))]
        split = runs[0].split if runs[0] else "test"
        size = self.stats.splits[split].examples if split in self.stats.splits else None
        if doc.examples != size or any(doc.dropped.values()):
            self._error(path, ("examples",), f"a paired test over {doc.examples} of the "
                        f"{size} examples of the {split} split (dropped: "
                        f"{dict(doc.dropped)}); the paper quotes paired tests over the full "
                        f"split only (fix: compare the two full runs: "
                        f"{self._compare_fix(doc, path)})")
        if None in runs:
            return
        sides = [Side(name, {s.id: s for s in run.scores})
                 for name, run in zip((doc.a, doc.b), runs, strict=True)]
        again = compare(*sides, allow_subset=True)
        for steps, old, new in list(_diff(doc.to_dict(), again.to_dict(), ()))[:SHOWN]:
            self._error(path, steps, f"stored {_show(old)}, recomputed from {doc.a} and "
                        f"{doc.b}: {_show(new)} (fix: {self._compare_fix(doc, path)})")

    def _named_run(self, path: Path, side: str, name: str) -> _Run | None:
        """The rescored measured run a paired file's side names (its predictions file)."""
        run = self.runs.get(name)
        if run is None:
            known = ", ".join(sorted(self.runs)) or "none"
            self._error(path, (side,), f"names {name!r}, which is not the predictions file "
                        f"of a measured run in {display(self.s.results)} (measured: "
                        f"{known}), so the test cannot be recomputed (fix: compare the "
                        "committed predictions files with `edgejson compare A B --json`)")
        return run

    def _compare_fix(self, doc: paired.PairedDoc, path: Path) -> str:
        """The command that writes the paired file again from the committed runs."""
        a, b = (display(self.s.results / name) for name in (doc.a, doc.b))
        return f"edgejson compare {a} {b} --json > {display(path)}"

    def _error(self, path: Path, steps: tuple[str, ...], message: str) -> None:
        # The file's text only gives the error its line: read when a file has one, not
        # for every file (metrics.load and paired.load have read each file already).
        self.errors.append(data_error(path, steps, message,
                                      path.read_bytes().decode("utf-8")))


def _config_path(key: str) -> tuple[str, ...]:
    return ("dataset", "split") if key == "split" else ("config", key)


def _diff(old: Any, new: Any, steps: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...],
                                                                          Any, Any]]:
    """(JSON path, stored, recomputed) of every leaf that differs, in document order; a
    key on one side only is a difference of the whole value."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _diff(old.get(key), new.get(key), (*steps, str(key)))
    elif type(old) is not type(new) or old != new:
        yield steps, old, new


def _show(value: Any) -> str:
    """A value in a message: JSON, shortened (a whole by_schema entry can be long)."""
    text = "absent" if value is None else json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def verify_results(s: VerifySettings) -> dict[str, Any]:
    """Check every results file (module docstring); the summary, or DataErrors naming
    every difference."""
    checker = _Checker(s)
    paths = sorted(p for p in s.results.glob("*.json"))
    if not paths:
        raise UserError(f"{display(s.results)}: no results files (*.json)")
    reported = []
    for path in paths:
        doc = metrics.load(path, checker.stats)
        if doc.provenance == "measured":
            checker.measured(path, doc)
        else:
            reported.append(path.stem)
    pairs = sorted((s.results / paired.FOLDER).glob("*.json"))
    for path in pairs:
        checker.paired_file(path)
    if checker.errors:
        raise DataErrors(checker.errors, "the results (recomputed from their outputs)")
    summary = {"data_sha256": checker.sha,
               "recomputed": sorted(p.stem for p in paths if p.stem not in reported),
               "paired": [p.stem for p in pairs], "reported": reported}
    if s.out:
        write_json(s.out, summary)
    return summary


def summary_line(summary: Mapping[str, Any]) -> str:
    """The one line `make paper` prints."""
    runs, pairs = len(summary["recomputed"]), len(summary["paired"])
    reported = len(summary["reported"])
    return (f"recomputed {_count(runs, 'measured run')} and {_count(pairs, 'paired test')} "
            f"from their committed outputs: all match; "
            f"{_count(reported, 'reported run')} (copied from publications) "
            f"{'has' if reported == 1 else 'have'} no outputs and cannot be recomputed")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
