"""What only a run of the project's own harness can tell: speed, how rows ended, and
paired tests between two runs on the same examples.

Reported results carry none of this, so these macros and the measured-runs table exist
only for files with ``"provenance": "measured"``. Paired tests come from the JSON that
`edgejson compare --json` writes into the results folder's ``paired/``, read through
the model both share (maaza_core.paired): the render layer reads files the harness
produced and never recomputes a statistic itself.
"""

from __future__ import annotations

from pathlib import Path

from maaza_core import paired
from maaza_core.consistency import STOPS
from maaza_core.errors import DataError
from maaza_core.metrics import MetricsDoc
from maaza_core.paired import PairedDoc
from papertools.render import numbers as fmt
from papertools.render.contexts import f1_cell, interval_cell, sources
from papertools.render.macros import Macro
from papertools.render.texescape import latex_escape

# Rates a measured run adds to JSONExact: macro and table name -> metrics key.
RATES = {"valid": "valid_json", "schema": "schema_compliant", "truncated": "truncated"}


def _measured_values(r: MetricsDoc) -> dict[str, tuple[str, str]]:
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
        # Seconds per example = the run's generation wall time / examples (batched).
        out["latency"] = (fmt.decimal(perf.wall_s / perf.examples, 2),
                          f"performance.wall_s {perf.wall_s} / {perf.examples} examples")
        for stop in STOPS:
            out[f"stop-{stop}"] = (fmt.integer(perf.stop_reasons.get(stop, 0)),
                                   "performance.stop_reasons")
    return out


def measured_macros(r: MetricsDoc) -> list[Macro]:
    """Validity, truncation, generated tokens, latency and stop reasons of one run."""
    if r.provenance != "measured":
        return []
    src, run = r.relpath, r.run or {}
    m = [Macro(f"{r.stem}/{name}", value + (r"\%" if name in RATES else ""), f"{src}: {where}")
         for name, (value, where) in _measured_values(r).items()]
    m.append(Macro(f"{r.stem}/dtype", latex_escape(str(run.get("dtype"))), f"{src}: run.dtype"))
    if r.performance:
        m.append(Macro(f"{r.stem}/eval-batch", fmt.integer(r.config.batch_size),
                       f"{src}: config.batch_size"))
    hw = run.get("hardware") or {}
    if hw.get("cpu_model"):
        m.append(Macro(f"{r.stem}/cpu", latex_escape(hw["cpu_model"]), f"{src}: run.hardware"))
    if hw.get("torch_threads"):
        m.append(Macro(f"{r.stem}/threads", fmt.integer(hw["torch_threads"]),
                       f"{src}: run.hardware.torch_threads"))
    return m + _loss_macros(r)


def _loss_macros(r: MetricsDoc) -> list[Macro]:
    """Training loss at the first and last optimizer step, from the resolved config."""
    losses = (r.config.training or {}).get("loss_history") or []
    if not losses:
        return []
    src = f"{r.relpath}: config.training.loss_history"
    return [Macro(f"{r.stem}/train-steps", fmt.integer(len(losses)), src),
            Macro(f"{r.stem}/loss-first", fmt.decimal(losses[0], 2), src),
            Macro(f"{r.stem}/loss-last", fmt.decimal(losses[-1], 2), src)]


# Metrics of a paired file -> macro name; the first three are yes/no (McNemar), the last
# two means of per-example scores (paired bootstrap only).
PAIRED_METRICS = {"json_exact": "exact", "valid_json": "valid", "schema_compliant": "schema",
                  "field_f1": "f1", "field_f1_nested": "f1-nested"}


def load_paired(folder: Path) -> list[PairedDoc]:
    """Every paired comparison in `folder` (RESULTS/paired) that the paper may quote:
    valid (maaza_core.paired) and over the full split."""
    out = []
    for path in sorted(folder.glob("*.json")):
        doc = paired.load(path)
        if any(doc.dropped.values()):
            raise DataError(path, "the runs answered different examples; the paper only "
                            "quotes paired tests on the full split (fix: "
                            "score both runs on the whole split and compare again)",
                            pointer="/dropped")
        out.append(doc)
    return out


def paired_macros(p: PairedDoc) -> list[Macro]:
    """paired/<stem>/<metric>-diff (points or F1), its interval, and McNemar's p and counts."""
    src, key = p.relpath, f"paired/{p.stem}"
    out = [Macro(f"{key}/examples", fmt.integer(p.examples), src)]
    for name, m in p.metrics.items():
        short, ci = PAIRED_METRICS[name], m.ci95
        if m.mcnemar:  # a share: differences in percentage points
            diff, low, high = (fmt.points(v, 0.0) for v in (m.diff, ci.low, ci.high))
        else:  # a mean score in [0, 1]
            diff, low, high = (fmt.decimal(v) for v in (m.diff, ci.low, ci.high))
        out += [Macro(f"{key}/{short}-diff", diff, f"{src}: {name}: B - A"),
                Macro(f"{key}/{short}-diff-ci-low", low, f"{src}: {name}: paired bootstrap"),
                Macro(f"{key}/{short}-diff-ci-high", high, f"{src}: {name}: paired bootstrap")]
        mc = m.mcnemar
        if mc:
            out += [Macro(f"{key}/{short}-p", fmt.pvalue(mc.p_value),
                          f"{src}: {name}: McNemar exact, p = {mc.p_value}"),
                    Macro(f"{key}/{short}-only-a", fmt.integer(mc.only_a),
                          f"{src}: {name}: right only in A"),
                    Macro(f"{key}/{short}-only-b", fmt.integer(mc.only_b),
                          f"{src}: {name}: right only in B")]
    return out


def measured_table(results: list[MetricsDoc]) -> dict:
    """Rows of the measured-runs table; empty when nothing has been measured yet."""
    measured = [r for r in results if r.provenance == "measured"]
    rows = []
    for r in measured:
        values = _measured_values(r)

        def cell(name: str, values: dict = values) -> str:
            return values[name][0] if name in values else "--"

        rows.append({
            "name": latex_escape(r.model.name),
            "exact": fmt.percent(r.json_exact.rate),
            "ci": interval_cell(r.json_exact),
            "f1": f1_cell(r),
            "f1_nested": cell("f1-nested"), "valid": cell("valid"), "schema": cell("schema"),
            "truncated": cell("truncated"), "tokens": cell("tokens-mean"),
            "latency": cell("latency"),
            # Three table cells: complete JSON value & end-of-sequence & token limit.
            "stops": " & ".join(cell(f"stop-{stop}") for stop in STOPS),
        })
    return {"rows": rows, "sources": sources(measured),
            "n": measured[0].json_exact.total if measured else 0}
