"""Aggregating per-example scores into the metric sets of the metrics JSON.

Rates are stored as counts (correct of total) so that the paper computes every
percentage itself; each carries a 95% bootstrap confidence interval as fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from .data import COMPLEXITIES
from .metrics import ExampleScore

# 2000 resamples: the Monte Carlo error of a percentile bound is then about
# sqrt(0.025 * 0.975 / 2000) ~ 0.35 percentage points of the resampled quantile,
# small next to the width of the interval for 158 examples (~ +/- 7 points).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240601  # fixed so that rescoring the same outputs gives the same CIs

_RATES = ("json_exact", "valid_json", "schema_compliant", "truncated")
_MEANS = ("field_f1", "field_f1_nested")


def bootstrap_ci(values: Sequence[float], seed: int = BOOTSTRAP_SEED) -> list[float]:
    """Percentile bootstrap 95% interval of the mean (degenerate when values do not vary)."""
    data = np.asarray(values, dtype=float)
    if data.size < 2 or np.all(data == data[0]):
        mean = float(data.mean()) if data.size else 0.0
        return [mean, mean]
    result = stats.bootstrap(
        (data,), np.mean, confidence_level=0.95, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return [round(float(low), 6), round(float(high), 6)]


def _rate(flags: Sequence[bool]) -> dict[str, Any]:
    return {"correct": int(sum(flags)), "total": len(flags), "ci95": bootstrap_ci(flags)}


def _mean(values: Sequence[float]) -> dict[str, Any]:
    return {"mean": round(float(np.mean(values)), 6), "total": len(values),
            "ci95": bootstrap_ci(values)}


def metric_set(scores: Sequence[ExampleScore]) -> dict[str, Any]:
    """One metric set (schema `$defs/metric_set`) over the given examples."""
    out: dict[str, Any] = {}
    for name in _RATES:
        flags = [getattr(s, name) for s in scores]
        # Truncation is unknown for outputs scored without their generation record.
        out[name] = None if any(f is None for f in flags) else _rate(flags)
    for name in _MEANS:
        out[name] = _mean([getattr(s, name) for s in scores])
    return out


def aggregate(scores: Sequence[ExampleScore]) -> dict[str, Any]:
    """Overall, per complexity (every row, by effective complexity) and per schema."""
    if not scores:
        raise ValueError("no scores to aggregate")
    by_c = {c: [s for s in scores if s.complexity == c] for c in COMPLEXITIES}
    schemas = sorted({s.schema_id for s in scores})
    return {
        "overall": metric_set(scores),
        "by_complexity": {c: metric_set(rows) for c, rows in by_c.items() if rows},
        "by_complexity_note": "Every row is counted: rows without a complexity label take "
        "the complexity of their schema's folder (schemas/simple|medium|complex).",
        "by_schema": {sid: metric_set([s for s in scores if s.schema_id == sid])
                      for sid in schemas},
    }
