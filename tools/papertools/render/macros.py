"""The numbers the prose quotes, as LaTeX macros with the file each one comes from.

Prose writes ``\\result{maaza-mlm-135m/exact}``; the key names the results file (or
``data/``, ``cmp/``, ``eval/``) and the quantity. A keyed lookup rather than one
``\\newcommand`` name per number because LaTeX command names cannot hold digits or
hyphens, and names like ``\\MaazaMLMOneThreeFiveExact`` help nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from maaza_core.datastats import COMPLEXITIES, DatasetStats
from maaza_core.errors import UserError
from maaza_core.metrics import MetricsDoc
from maaza_core.paired import PairedDoc
from maaza_core.paths import DATA_DIR, RESULTS_DIR, display
from papertools.render import numbers as fmt
from papertools.render.deployment import EdgeBench, edge_values
from papertools.render.measured import RATES, measured_values
from papertools.render.results import load_comparisons
from papertools.render.texescape import latex_escape

METHOD_LABEL = {"zero-shot": "zero-shot", "lora": "LoRA fine-tuned"}


@dataclass(frozen=True)
class Macro:
    """One \\result{KEY}: its LaTeX value and the file (and detail) it is computed from."""

    key: str  # what prose passes to \result{...}
    value: str  # LaTeX text it expands to
    source: str  # file (and detail) the value is computed from, written as a comment


def model_macros(r: MetricsDoc) -> list[Macro]:
    """Name, size, method, JSONExact with its interval, Field F1 and disk size of one results
    file."""
    src, model, exact = r.relpath, r.model, r.json_exact
    f1 = r.metrics.overall.field_f1
    ci = f"{src}: metrics.overall.json_exact.ci95 ({exact.ci95.method} 95% interval)"
    m = [
        Macro(f"{r.stem}/name", model.name, src),
        Macro(f"{r.stem}/params", fmt.params(model.parameters),
              f"{src}: {model.parameters} parameters"),
        Macro(f"{r.stem}/method", METHOD_LABEL[model.method], src),
        Macro(f"{r.stem}/exact", fmt.percent(exact.rate) + r"\%",
              f"{src}: {exact.correct} of {exact.total}"),
        Macro(f"{r.stem}/exact-correct", fmt.integer(exact.correct), src),
        Macro(f"{r.stem}/exact-total", fmt.integer(exact.total), src),
        Macro(f"{r.stem}/exact-ci-low", fmt.percent(exact.ci95.low) + r"\%", ci),
        Macro(f"{r.stem}/exact-ci-high", fmt.percent(exact.ci95.high) + r"\%", ci),
        Macro(f"{r.stem}/f1", "n/a" if f1 is None else fmt.decimal(f1.mean),
              f"{src}: metrics.overall.field_f1"),
    ]
    if model.disk_size_bytes is not None:
        m.append(Macro(f"{r.stem}/disk", fmt.megabytes(model.disk_size_bytes) + r"\,MB",
                       f"{src}: {model.disk_size_bytes} bytes"))
    for c in COMPLEXITIES:
        if c in r.metrics.by_complexity:
            count = r.metrics.by_complexity[c].json_exact
            m.append(Macro(f"{r.stem}/exact-{c}", fmt.percent(count.rate) + r"\%",
                           f"{src}: {c}: {count.correct} of {count.total}"))
    return m + training_macros(r)


def training_macros(r: MetricsDoc) -> list[Macro]:
    """The LoRA settings of a fine-tuned run, from its resolved training config."""
    t = r.config.training
    if not t:
        return []
    src = f"{r.relpath}: config.training"
    fields = {
        "lora-rank": fmt.integer(t["rank"]),
        "lora-alpha": fmt.integer(t["alpha"]),
        "lora-dropout": f"{t['dropout']:g}",
        "lr": fmt.scientific(t["learning_rate"]),
        # 3 and 3.0 both print "3"; a fractional run (1.5 epochs) keeps its fraction.
        "epochs": f"{float(t['epochs']):g}",
        "batch": fmt.integer(t["effective_batch_size"]),
        "warmup": fmt.percent(t["warmup_ratio"], digits=0) + r"\%",
    }
    return [Macro(f"{r.stem}/{k}", v, src) for k, v in fields.items()]


def comparison_macros(results: list[MetricsDoc], path: Path) -> list[Macro]:
    """Ratios and gains of the pairs comparisons.yaml names."""
    out: list[Macro] = []
    rel = display(path)
    for cmp in load_comparisons(path, results):
        name, ra, rb = cmp.name, cmp.a, cmp.b
        src = f"{rel}: {ra.relpath} vs {rb.relpath}"
        out += [
            Macro(f"cmp/{name}/exact-ratio",
                  fmt.ratio(ra.json_exact.rate / rb.json_exact.rate) + r"$\times$", src),
            Macro(f"cmp/{name}/size-ratio",
                  fmt.ratio(rb.model.parameters / ra.model.parameters) + r"$\times$", src),
            Macro(f"cmp/{name}/exact-gain",
                  fmt.points(ra.json_exact.rate, rb.json_exact.rate), src),
        ]
    return out


def dataset_macros(stats: DatasetStats, data_dir: Path = DATA_DIR) -> list[Macro]:
    """The data set's sizes the prose quotes (splits, tiers, schemas)."""
    src = display(data_dir)
    train, test = stats.splits["train"], stats.splits["test"]
    labelled = {c: test.by_complexity[c].labelled for c in COMPLEXITIES}
    values = {
        "train-examples": train.examples,
        "test-examples": test.examples,
        "schemas": stats.schemas.total,
        "train-unlabelled": train.unlabelled,
        "test-unlabelled": test.unlabelled,
        "test-labelled": sum(labelled.values()),
    }
    for c in COMPLEXITIES:
        values[f"schemas-{c}"] = stats.schemas.by_complexity[c]
        values[f"test-labelled-{c}"] = labelled[c]
        values[f"test-{c}"] = test.by_complexity[c].examples
    return [Macro(f"data/{k}", fmt.integer(v), src) for k, v in values.items()]


def eval_macros(results: list[MetricsDoc]) -> list[Macro]:
    """Evaluation settings shared by every run; a mismatch is an error, since the paper
    states one setting for all models."""
    settings = {(r.config.max_new_tokens, r.config.decoding) for r in results}
    if len(settings) != 1:
        raise UserError(f"results disagree on max_new_tokens/decoding: {sorted(settings)}")
    (max_new, decoding), = settings
    src = f"{display(RESULTS_DIR)}/*.json: config"
    return [Macro("eval/max-new-tokens", fmt.integer(max_new), src),
            Macro("eval/decoding", decoding, src)]


def measured_macros(r: MetricsDoc) -> list[Macro]:
    """Validity, truncation, generated tokens, run time per example and stop reasons of one
    run."""
    if r.provenance != "measured":
        return []
    src, run = r.relpath, r.run or {}
    m = [Macro(f"{r.stem}/{name}", value + (r"\%" if name in RATES else ""), f"{src}: {where}")
         for name, (value, where) in measured_values(r).items()]
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
    """Training loss at the first and last optimizer step, and the training's wall time,
    from the resolved config."""
    training = r.config.training or {}
    losses = training.get("loss_history") or []
    if not losses:
        return []
    src = f"{r.relpath}: config.training.loss_history"
    out = [Macro(f"{r.stem}/train-steps", fmt.integer(len(losses)), src),
           Macro(f"{r.stem}/loss-first", fmt.decimal(losses[0], 2), src),
           Macro(f"{r.stem}/loss-last", fmt.decimal(losses[-1], 2), src)]
    if training.get("started") and training.get("finished"):
        seconds = (datetime.fromisoformat(training["finished"])
                   - datetime.fromisoformat(training["started"])).total_seconds()
        if seconds <= 0:
            raise UserError(f"{r.relpath}: config.training finished {training['finished']} "
                            f"is not after started {training['started']} (fix: re-publish "
                            "the run with `make publish-run`)")
        out.append(Macro(f"{r.stem}/train-minutes", fmt.integer(round(seconds / 60)),
                         f"{r.relpath}: config.training.finished - started, "
                         f"{seconds:.0f} s"))
    return out


# Metrics of a paired file -> macro name; the first three are yes/no (McNemar), the last
# two means of per-example scores (paired bootstrap only).
PAIRED_METRICS = {"json_exact": "exact", "valid_json": "valid", "schema_compliant": "schema",
                  "field_f1": "f1", "field_f1_nested": "f1-nested"}


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


def edge_macros(b: EdgeBench) -> list[Macro]:
    """edge/<model>/<figure>: the deployment figures of one bench/results/edge-*.json, as
    the deployment table prints them (deployment.edge_values); units are the prose's."""
    return [Macro(f"edge/{b.key}/{name}", value, where)
            for name, (value, where) in edge_values(b).items()]


def all_macros(results: list[MetricsDoc], comparisons: Path, stats: DatasetStats,
               paired: list[PairedDoc], benches: Sequence[EdgeBench] = ()) -> list[Macro]:
    """Every macro of the paper. The paired comparisons are passed in, like the results,
    so that both come from the same results folder; the deployment figures likewise."""
    macros = [m for r in results for m in model_macros(r) + measured_macros(r)]
    macros += [m for p in paired for m in paired_macros(p)]
    macros += [m for b in benches for m in edge_macros(b)]
    macros += comparison_macros(results, comparisons) + dataset_macros(stats) + eval_macros(results)
    seen: set[str] = set()
    for m in macros:
        if m.key in seen:
            raise UserError(f"two results define the macro key '{m.key}'; rename one file")
        seen.add(m.key)
    return macros
