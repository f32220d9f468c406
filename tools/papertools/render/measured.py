"""What only a run of the project's own harness can tell (validity, truncation, tokens,
time per example, how rows ended), formatted once for the macros and the measured-runs
table, so that the prose and the table cannot print the same figure differently.

Reported results carry none of this: a file without ``"provenance": "measured"`` has no
measured values. The macros are built in ``macros.py``, the table in ``contexts.py``.
"""

from __future__ import annotations

from maaza_core.consistency import STOPS
from maaza_core.metrics import MetricsDoc
from papertools.render import numbers as fmt

# Rates a measured run adds to JSONExact: macro and table name -> metrics key.
RATES = {"valid": "valid_json", "schema": "schema_compliant", "truncated": "truncated"}


def measured_values(r: MetricsDoc) -> dict[str, tuple[str, str]]:
    """What a run measured, formatted once for macros and table: name -> (value, where).

    A figure the file does not have (timings of rescored outputs) is simply absent.
    """
    overall, perf = r.metrics.overall, r.performance
    out = {name: (fmt.percent(c.rate), f"{key}: {c.correct} of {c.total}")
           for name, key in RATES.items() for c in [getattr(overall, key)] if c is not None}
    if overall.field_f1_nested is not None:
        out["f1-nested"] = (fmt.decimal(overall.field_f1_nested.mean),
                            "metrics.overall.field_f1_nested")
    if perf:
        out["tokens-mean"] = (fmt.decimal(perf.generated_tokens_mean, 0),
                              "performance.generated_tokens_mean")
        # Run time per example: the run's generation time / examples (rows decoded
        # together), what results.schema.json calls performance.wall_s / examples.
        out["s-per-example"] = (fmt.decimal(perf.wall_s / perf.examples, 2),
                          f"performance.wall_s {perf.wall_s} / {perf.examples} examples")
        for stop in STOPS:
            out[f"stop-{stop}"] = (fmt.integer(perf.stop_reasons.get(stop, 0)),
                                   "performance.stop_reasons")
    return out
