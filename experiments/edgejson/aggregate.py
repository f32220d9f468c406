"""Aggregating per-example scores into the metric sets of the metrics file.

Rates are stored as counts (correct of total) so that the paper computes every
percentage itself; each count carries its Wilson interval (the one the paper prints),
each mean a percentile-bootstrap interval. `edgejson compare` uses the same bootstrap
for its paired differences: one implementation, one seed, one number of resamples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from maaza_core.datastats import COMPLEXITIES
from maaza_core.intervals import BOOTSTRAP, DIGITS, Interval
from maaza_core.metrics import Count, Mean, Metrics, MetricSet

from .examplescore import ExampleScore

# 2000 resamples: the Monte Carlo error of a percentile bound is then about
# sqrt(0.025 * 0.975 / 2000) ~ 0.35 percentage points of the resampled quantile,
# small next to the width of the interval for 158 examples (~ +/- 7 points).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240601  # fixed so that rescoring the same outputs gives the same CIs

BY_COMPLEXITY_NOTE = ("Every row is counted: rows without a complexity label take the "
                      "complexity of their schema's folder (schemas/simple|medium|complex).")


def bootstrap_interval(values: Sequence[float], method: str = BOOTSTRAP) -> Interval:
    """Percentile bootstrap 95% interval of the mean, degenerate when values do not vary.

    A paired difference of means is the mean of the per-example differences, so
    `compare` passes those differences here (with method PAIRED_BOOTSTRAP).
    """
    from scipy import stats  # a second of import time that stats and --help do not need

    data = np.asarray(values, dtype=float)
    if data.size < 2 or np.all(data == data[0]):
        point = round(float(data.mean()) if data.size else 0.0, DIGITS)
        return Interval(point, point, method)
    result = stats.bootstrap(
        (data,), np.mean, confidence_level=0.95, n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile", rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    low, high = result.confidence_interval
    return Interval(round(float(low), DIGITS), round(float(high), DIGITS), method)


def _rate(flags: Sequence[bool | None]) -> Count | None:
    """Truncation is unknown (None) for outputs scored without their generation record."""
    if any(f is None for f in flags):
        return None
    return Count.of(int(sum(flags)), len(flags))


def _mean(values: Sequence[float]) -> Mean:
    return Mean(round(float(np.mean(values)), DIGITS), len(values), bootstrap_interval(values))


def metric_set(scores: Sequence[ExampleScore]) -> MetricSet:
    """Every metric over the given examples."""
    def rate(name: str) -> Count | None:
        return _rate([getattr(s, name) for s in scores])

    exact = rate("json_exact")
    assert exact is not None  # json_exact is always known
    return MetricSet(
        json_exact=exact,
        field_f1=_mean([s.field_f1 for s in scores]),
        field_f1_nested=_mean([s.field_f1_nested for s in scores]),
        valid_json=rate("valid_json"), schema_compliant=rate("schema_compliant"),
        truncated=rate("truncated"))


def aggregate(scores: Sequence[ExampleScore]) -> Metrics:
    """Overall, per complexity (every row, by effective complexity) and per schema."""
    if not scores:
        raise ValueError("no scores to aggregate")
    by_c = {c: [s for s in scores if s.complexity == c] for c in COMPLEXITIES}
    schemas = sorted({s.schema_id for s in scores})
    return Metrics(
        overall=metric_set(scores),
        by_complexity={c: metric_set(rows) for c, rows in by_c.items() if rows},
        by_complexity_note=BY_COMPLEXITY_NOTE,
        by_schema={sid: metric_set([s for s in scores if s.schema_id == sid])
                   for sid in schemas},
    )
