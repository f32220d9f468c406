"""Contexts for the generated tables and figure snippets: plain dicts of strings.

Every cell is formatted here (``numbers.py``) and escaped here (``latex_escape``), so the
templates in ``paper/templates/`` only lay out what they are given.
"""

from __future__ import annotations

from collections.abc import Callable

from maaza_core.consistency import STOPS
from maaza_core.datastats import COMPLEXITIES, DatasetStats
from maaza_core.metrics import Count, MetricsDoc
from papertools.render import numbers as fmt
from papertools.render.macros import METHOD_LABEL
from papertools.render.measured import main_protocol, measured_runs, measured_values, run_label
from papertools.render.results import by_stem
from papertools.render.texescape import latex_escape


def sources(results: list[MetricsDoc]) -> str:
    """The files a generated table or caption was computed from, for its comment."""
    return ", ".join(r.relpath for r in results)


def interval_cell(count: Count) -> str:
    """The stored 95% interval of a count, as the tables print it."""
    return f"[{fmt.percent(count.ci95.low)}, {fmt.percent(count.ci95.high)}]"


def _provenance_note(results: list[MetricsDoc]) -> str:
    kinds = sorted({r.provenance for r in results})
    if kinds == ["measured"]:
        return "Measured with the project's harness (edgejson evaluate)."
    if kinds == ["reported"]:
        return "Authors' reported runs, not yet re-measured with the project's harness."
    return (MEASURED_MARK + " measured with the project's harness "
            "(Section~\\ref{sec:experiments-measured}); the others are the authors' reported runs.")


# Marks a measured run in every table, so it is never read as one of the reported runs.
MEASURED_MARK = "$^\\dagger$"


def _display_name(r: MetricsDoc) -> str:
    return latex_escape(r.model.name) + (MEASURED_MARK if r.provenance == "measured" else "")


def f1_cell(r: MetricsDoc) -> str:
    """Overall Field F1 as a table cell; '--' for a file that reports none."""
    f1 = r.metrics.overall.field_f1
    return "--" if f1 is None else fmt.decimal(f1.mean)


def results_table(results: list[MetricsDoc]) -> dict:
    """Rows of the main results table (runs under its protocol), the best JSONExact marked."""
    results = main_protocol(results)
    best = max(r.json_exact.rate for r in results)
    rows = []
    for r in results:
        disk = r.model.disk_size_bytes
        rows.append({
            "name": _display_name(r),
            "params": fmt.params(r.model.parameters),
            "method": METHOD_LABEL[r.model.method],
            "exact": fmt.percent(r.json_exact.rate),
            "best": r.json_exact.rate == best,
            "ci": interval_cell(r.json_exact),
            "counts": f"{r.json_exact.correct}/{r.json_exact.total}",
            "f1": f1_cell(r),
            "disk": "--" if disk is None else fmt.megabytes(disk),
        })
    return {"rows": rows, "note": _provenance_note(results), "sources": sources(results),
            "n": results[0].json_exact.total}


def complexity_table(results: list[MetricsDoc]) -> dict:
    """JSONExact per complexity tier for every model under the main protocol, with the
    tiers' notes."""
    results = main_protocol(results)
    rows = []
    for r in results:
        cells = []
        for c in COMPLEXITIES:
            tier = r.metrics.by_complexity.get(c)
            count = None if tier is None else tier.json_exact
            cells.append("--" if count is None else
                         f"{fmt.percent(count.rate)} ({count.correct}/{count.total})")
        rows.append({"name": _display_name(r), "method": METHOD_LABEL[r.model.method],
                     "cells": cells})
    notes = [latex_escape(n) for n in sorted(
        {r.metrics.by_complexity_note or "" for r in results} - {""})]
    if any(r.provenance == "measured" for r in results):
        notes.append(MEASURED_MARK + " Measured runs score every test row, the rows without a "
                     "label in the tier of their schema.")
    return {"rows": rows, "tiers": [c.capitalize() for c in COMPLEXITIES],
            "notes": notes, "sources": sources(results)}


def dataset_table(stats: DatasetStats) -> dict:
    """The data set table: splits, tiers and schemas, from the statistics edgejson wrote."""
    splits = ("train", "test")
    s = {k: stats.splits[k] for k in splits}

    def row(label: str, values: list[int | str]) -> dict:
        return {"label": label, "cells": [str(v) for v in values]}

    rows = [row("Examples", [s[k].examples for k in splits]),
            row("Schemas used", [s[k].schemas for k in splits])]
    for c in COMPLEXITIES:
        rows.append(row(
            f"\\quad {c} (labelled)",
            [f"{s[k].by_complexity[c].examples} ({s[k].by_complexity[c].labelled})"
             for k in splits],
        ))
    rows.append(row("Without complexity label", [s[k].unlabelled for k in splits]))
    tiers = stats.schemas.by_complexity
    return {"rows": rows, "splits": [k.capitalize() for k in splits],
            "schemas_total": stats.schemas.total,
            "schema_tiers": ", ".join(f"{tiers[c]} {c}" for c in COMPLEXITIES),
            "name": latex_escape(f"{stats.name} {stats.version}"),
            "sha": stats.sha256[:12]}


def figure_context(name: str, results: list[MetricsDoc]) -> dict:
    """Numbers quoted in a figure's caption, formatted like the prose's: of the runs the
    main results' figures draw (`main_protocol`); the measured-runs figure quotes none."""
    ctx: dict = {"name": name, "file": f"figures/{name}.pdf", "sources": sources(results)}
    results = main_protocol(results)
    t = by_stem(results)
    ctx["measured"] = any(r.provenance == "measured" for r in results)
    best = max(results, key=lambda r: r.json_exact.rate)
    ctx["best"] = {"name": latex_escape(best.model.name),
                   "exact": fmt.percent(best.json_exact.rate)}
    zero = [r for r in results if r.model.method == "zero-shot"]
    best_zero = max(zero, key=lambda r: r.json_exact.rate) if zero else best
    ctx["best_zero"] = {"name": latex_escape(best_zero.model.name),
                        "exact": fmt.percent(best_zero.json_exact.rate),
                        "params": fmt.params(best_zero.model.parameters)}
    ctx["pairs"] = [
        {"tuned": latex_escape(r.model.name), "base": latex_escape(t[b].model.name),
         "gain": fmt.points(r.json_exact.rate, t[b].json_exact.rate)}
        for r in results if r.model.method == "lora"
        for b in [base_stem(r, results)] if b is not None
    ]
    return ctx


def base_stem(tuned: MetricsDoc, results: list[MetricsDoc]) -> str | None:
    """The zero-shot results file of a fine-tuned model's base (same Hugging Face id)."""
    for r in results:
        if r.model.method == "zero-shot" and r.model.id == tuned.model.base_model:
            return r.stem
    return None


# The two groups of the measured tables: runs of a checkpoint as published (prompted,
# with or without examples), then fine-tuned ones (measured_runs' order).
MEASURED_GROUPS = {"zero-shot": "Not fine-tuned (prompted)", "lora": "LoRA fine-tuned"}


# A table's own cells of one run: (run, cell) -> {name: LaTeX}, where cell(name) is the
# formatted measured value of that name, or "--" when the file has none.
Cells = Callable[[MetricsDoc, Callable[[str], str]], dict]


def _measured_groups(results: list[MetricsDoc], cells: Cells) -> list[dict]:
    """The measured runs as groups of rows: each row the run's label (the model named once
    per run of consecutive rows of one model) and the cells `cells(run, values)` gives."""
    groups: list[dict] = []
    previous = None
    for r in measured_runs(results):
        label = run_label(r)
        heading = MEASURED_GROUPS[r.model.method]
        if not groups or groups[-1]["heading"] != heading:
            groups.append({"heading": heading, "rows": []})
            previous = None
        values = measured_values(r)
        groups[-1]["rows"].append({
            "model": "" if label.model == previous else latex_escape(label.model),
            "prompt": latex_escape(label.prompt), "decoding": latex_escape(label.decoded),
            **cells(r, lambda name, v=values: v[name][0] if name in v else "--")})
        previous = label.model
    return groups


def measured_table(results: list[MetricsDoc]) -> dict:
    """Rows of the measured-runs table, grouped; no groups when nothing was measured."""
    def cells(r: MetricsDoc, cell: Callable[[str], str]) -> dict:
        return {"exact": fmt.percent(r.json_exact.rate), "ci": interval_cell(r.json_exact),
                "f1": f1_cell(r), "valid": cell("valid"), "schema": cell("schema"),
                "tokens": cell("tokens-mean"), "s_per_example": cell("s-per-example")}

    return _measured_context(results, cells)


def measured_ends_table(results: list[MetricsDoc]) -> dict:
    """The appendix table of the measured runs: nested Field F1, truncation and how each
    run's outputs ended, the details the main measured table leaves out."""
    def cells(r: MetricsDoc, cell: Callable[[str], str]) -> dict:
        run = r.run or {}
        # The threads that computed: torch's for the reference engine; a llama.cpp run's
        # own count when its metrics record one (run.weights.threads), else none printed,
        # since torch's count says nothing of llama.cpp's.
        threads = ((run.get("weights") or {}).get("threads") if r.config.engine
                   else (run.get("hardware") or {}).get("torch_threads"))
        device = str(run.get("device", "--"))
        return {"f1_nested": cell("f1-nested"), "truncated": cell("truncated"),
                # Three table cells: complete JSON value & end-of-sequence & token limit.
                "stops": " & ".join(cell(f"stop-{stop}") for stop in STOPS),
                # One cell: the device, then its CPU threads: "CPU (2)".
                "device": ("GPU" if device.startswith("cuda") else latex_escape(device.upper()))
                + ("" if threads is None else f" ({fmt.integer(threads)})"),
                "batch": "--" if r.config.batch_size is None else fmt.integer(r.config.batch_size)}

    return _measured_context(results, cells)


def _measured_context(results: list[MetricsDoc], cells: Cells) -> dict:
    measured = measured_runs(results)
    return {"groups": _measured_groups(results, cells), "sources": sources(measured),
            "n": measured[0].json_exact.total if measured else 0,
            # Engines other than the float32 reference that decoded a run: the caption
            # explains the mark their decoding cells carry.
            "engines": [latex_escape(e) for e in
                        sorted({r.config.engine for r in measured} - {None})]}
