"""`edgejson compare A B`: is B really better than A on the same examples?

Two models scored on the same split make paired observations, so a paired test has
far more power than comparing two confidence intervals: McNemar's exact test for the
yes/no metrics (it only looks at examples where the two disagree) and a paired
bootstrap interval for the difference of every metric, Field F1 included.
Aggregate metrics files cannot be paired; the per-example outputs can, so each side is
a run folder, its metrics.json (predictions.jsonl next to it) or a predictions file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from maaza_core import metrics, paired
from maaza_core.cli import setting
from maaza_core.errors import UserError
from maaza_core.intervals import DIGITS, PAIRED_BOOTSTRAP
from maaza_core.paired import McNemar, PairedDoc, PairedMetric
from maaza_core.paths import DATA_DIR

from .aggregate import bootstrap_interval
from .data import load_dataset, load_split
from .examplescore import ExampleScore
from .predictions import read_predictions
from .scoring import match_predictions, score_predictions


@dataclass(frozen=True)
class CompareSettings:
    """A paired comparison (`edgejson compare`); the help texts are its flags."""

    a: Path = setting(help="run folder, metrics.json or predictions.jsonl")
    b: Path = setting(help="the other run, scored on the same split")
    split: str | None = setting(None, help="split (default: from the metrics file, else test)")
    allow_subset: bool = setting(False, help="compare only the examples both runs scored "
                                 "(default: refuse runs whose example sets differ); says "
                                 "how many rows were dropped")
    data_dir: Path = setting(DATA_DIR, flag="--data", help="the EdgeJSON folder")


@dataclass(frozen=True)
class Side:
    """One model's per-example scores for the comparison."""

    label: str  # what to call it in the report (model name or file name)
    scores: dict[str, ExampleScore]  # example id -> scores


def _predictions_path(path: Path) -> tuple[Path, str | None, str]:
    """The predictions file behind a path, the split it was made on, and a label."""
    if path.is_dir():
        path = path / "metrics.json" if (path / "metrics.json").is_file() else path
    if path.suffix == ".json":
        doc = metrics.load(path)
        # A run folder's metrics.json sits by predictions.jsonl; a published NAME.json in
        # experiments/results/ by NAME.predictions.jsonl.
        preds = (path.parent / "predictions.jsonl" if path.name == "metrics.json"
                 else path.with_suffix(".predictions.jsonl"))
        if doc.provenance != "measured" or not preds.is_file():
            raise UserError(f"{path}: no per-example predictions next to it (a paired test "
                            "needs them; fix: pass a run folder written by edgejson "
                            "evaluate, or a published NAME.json with its "
                            "NAME.predictions.jsonl)")
        return preds, doc.dataset.split, doc.model.name
    if path.is_dir():
        path = path / "predictions.jsonl"
    # A run folder's file is named after the folder; any other file after itself.
    label = path.parent.name if path.name == "predictions.jsonl" else path.name
    return path, None, label or path.name


def load_side(path: Path, split: str | None, data_dir: Path = DATA_DIR) -> Side:
    """Score one side on its split (from the metrics file, else `split`, else test)."""
    preds_path, doc_split, label = _predictions_path(path)
    preds = read_predictions(preds_path)
    split = split or doc_split or (preds.settings or {}).get("split") or "test"
    dataset = load_dataset(data_dir)
    examples = match_predictions(load_split(split, data_dir, dataset), preds, str(preds_path),
                                 partial=True)
    return Side(label, {s.id: s for s in score_predictions(examples, preds, dataset)})


def mcnemar_exact(a: list[bool], b: list[bool]) -> McNemar:
    """Exact McNemar test: under H0 the discordant pairs split 50/50 (binomial)."""
    only_a = sum(x and not y for x, y in zip(a, b, strict=True))
    only_b = sum(y and not x for x, y in zip(a, b, strict=True))
    n = only_a + only_b
    from scipy import stats  # imported when used: --help and stats stay fast

    p = stats.binomtest(only_b, n, 0.5).pvalue if n else 1.0
    # Unrounded: a tiny p rounded to 6 places would print as an impossible 0.
    return McNemar(only_a, only_b, float(p))


def paired_metric(a: list[float], b: list[float], yes_no: bool) -> PairedMetric:
    """Both means and the 95% interval of mean(b) - mean(a), resampling examples jointly
    (the mean of the per-example differences, through the harness's one bootstrap); for
    a yes/no metric also McNemar's test."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return PairedMetric(
        a=round(float(x.mean()), DIGITS), b=round(float(y.mean()), DIGITS),
        diff=round(float(y.mean() - x.mean()), DIGITS),
        ci95=bootstrap_interval(y - x, PAIRED_BOOTSTRAP),
        mcnemar=mcnemar_exact([v > 0 for v in a], [v > 0 for v in b]) if yes_no else None)


def compare_runs(s: CompareSettings) -> PairedDoc:
    """Load and score both sides, then compare them (`paired.dumps` checks the result with
    the one validator the paper's reader uses too before `compare --json` prints it)."""
    return compare(load_side(s.a, s.split, s.data_dir), load_side(s.b, s.split, s.data_dir),
                   allow_subset=s.allow_subset)


def compare(a: Side, b: Side, allow_subset: bool = False) -> PairedDoc:
    """Paired statistics over the examples both sides scored.

    Different example sets are refused unless `allow_subset`: a partial run compared on
    the intersection silently answers a different question than the one asked.
    """
    common = sorted(set(a.scores) & set(b.scores))
    dropped = {"a": len(a.scores) - len(common), "b": len(b.scores) - len(common)}
    if (dropped["a"] or dropped["b"]) and not allow_subset:
        raise UserError(f"{a.label} has {len(a.scores)} examples and {b.label} has "
                        f"{len(b.scores)}; {len(common)} are in both (fix: score both runs "
                        f"on the same examples, or --allow-subset to compare the "
                        f"{len(common)} shared ones)")
    if len(common) < 2:
        raise UserError(f"{a.label} and {b.label} share {len(common)} examples "
                        "(fix: compare runs on the same split)")
    found = {name: paired_metric([float(getattr(a.scores[i], name)) for i in common],
                                 [float(getattr(b.scores[i], name)) for i in common],
                                 yes_no=name in paired.YES_NO)
             for name in (*paired.YES_NO, *paired.MEANS)}
    return PairedDoc(a=a.label, b=b.label, examples=len(common), dropped=dropped,
                     metrics=found)


def report_lines(doc: PairedDoc) -> list[str]:
    """Human-readable table of a comparison."""
    a_out, b_out = doc.dropped["a"], doc.dropped["b"]
    lines = [f"A = {doc.a}, B = {doc.b}, {doc.examples} paired examples"
             + (f" (dropped {a_out} of A's and {b_out} of B's, not in both)"
                if a_out or b_out else ""),
             f"{'metric':<17} {'A':>7} {'B':>7} {'B-A':>8}  95% CI (paired bootstrap)  McNemar p"]
    for name, m in doc.metrics.items():
        p = f"{m.mcnemar.p_value:.4g}" if m.mcnemar else ""
        lines.append(f"{name:<17} {m.a:>7.3f} {m.b:>7.3f} {m.diff:>+8.3f}  "
                     f"[{m.ci95.low:+.3f}, {m.ci95.high:+.3f}]{'':<13}{p}")
    return lines
