"""What only a run of the project's own harness can tell (validity, truncation, tokens,
time per example, how rows ended), formatted once for the macros and the measured-runs
table, so that the prose and the table cannot print the same figure differently.

Reported results carry none of this: a file without ``"provenance": "measured"`` has no
measured values. The macros are built in ``macros.py``, the tables in ``contexts.py``; the
order and labels of the measured runs (`measured_runs`, `RunLabel`) are shared by those
tables and the measured-runs figure, so a run sits in the same place under the same name
in all three. `main_protocol` picks the runs that the tables and figures of the main
results show: those of the float32 reference engine, never a llama.cpp run (a run whose
``config.engine`` is set), which sits next to its reference run in the measured table and
figure and is compared with it in the deployment table (``deployment.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# A file written before prompt formats existed has no config.prompt_format: its runs all
# used the plain template the fine-tuning uses (maaza_core.metrics.RunConfig).
DEFAULT_PROMPT = "bare"
# A run name's trailing parenthesis: dropped from the model's label when it notes the
# shots, "(3-shot)", or the engine, "(chat+schema constrained; llama.cpp)", which the
# label's own columns say.
TRAILING_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class RunLabel:
    """How a measured run is named in tables and figures: the checkpoint, then how it
    was prompted and decoded, each in its own column."""

    model: str  # the display name without the words naming prompt and decoding
    prompt: str  # edgejson prompt format name (bare, chat, chat-schema, few-shot-K, ...)
    decoding: str  # "greedy", or "constrained" for greedy decoding under the schema
    engine: str | None = None  # config.engine ("llama.cpp"); None: the float32 reference
    export: str | None = None  # an exported GGUF's form ("merged Q8_0"); None: not one

    @property
    def decoded(self) -> str:
        """The decoding column: 'greedy', or 'greedy, llama.cpp' for a llama.cpp run, so
        that a run of the other engine is never read as the reference's, and the form of
        an exported file ('greedy, llama.cpp, merged Q8_0'), so that the fine-tuned
        model's forms are told apart."""
        return ", ".join(x for x in (self.decoding, self.engine, self.export) if x)

    def __str__(self) -> str:
        """One line, for a figure's axis: 'model, prompt, decoding[, engine]'."""
        return f"{self.model}, {self.prompt}, {self.decoded}"


def _names_settings(note: str, prompt: str, decoding: str, engine: str | None) -> bool:
    """Whether a parenthesis only restates the run's settings: each of its words ("+",
    ";", "," and spaces separate them) is the engine, or made of the prompt format's
    parts, the decoding and "shot" ("chat+schema", "3-shot", "constrained")."""
    parts = {*prompt.split("-"), decoding, "constrained", "shot"}
    words = [w for w in re.split(r"[\s;+,]+", note) if w]
    return bool(words) and all(w == engine or set(w.split("-")) <= parts for w in words)


def run_label(r: MetricsDoc) -> RunLabel:
    """The run's label. Run names repeat the prompt and decoding after the model's name
    ("SmolLM2-135M-Instruct chat-schema constrained"); with their own columns those words
    would be printed twice, so trailing words naming them are dropped from the name, and
    so is a trailing parenthesis made only of such words, the shots and the engine
    ("Gemma-3-270M (3-shot)", "SmolLM2-135M-Instruct (chat+schema constrained; llama.cpp)"),
    the names `make baselines` and `make edge-runs` give."""
    prompt = r.config.prompt_format or DEFAULT_PROMPT
    decoding = "constrained" if r.config.constrain == "schema" else r.config.decoding
    engine = r.config.engine
    export = weights_label(r) if _export(r) else None
    note = TRAILING_NOTE.search(r.model.name)
    name = r.model.name
    # An exported file's name notes its form ("(merged Q8_0; llama.cpp)"): `export` says it.
    if note and (export or _names_settings(note[1], prompt, decoding, engine)):
        name = name[:note.start()]
    words = name.split() or r.model.name.split()
    while len(words) > 1 and words[-1] in {prompt, decoding, "constrained"}:
        words.pop()
    return RunLabel(" ".join(words), prompt, decoding, engine, export)


def run_weights(r: MetricsDoc) -> dict:
    """run.weights: the facts of the weights a run decoded (empty if not recorded)."""
    return (r.run or {}).get("weights") or {}


def _export(r: MetricsDoc) -> dict | None:
    """run.weights.export: the facts of a file of `edgejson export-gguf`, if it is one."""
    return run_weights(r).get("export")


def weights_label(run: MetricsDoc) -> str:
    """The file llama.cpp decoded, as a reader tells the fine-tuned model's forms apart:
    the checkpoint's own type (Q4_1), the adapter applied at run time on it (LoRA on
    Q4_1), or the merged weights in an exported type (merged Q8_0)."""
    export, own = _export(run), run_weights(run).get("quantization") or "--"
    if not export:
        return own
    if export["type"].startswith("lora"):
        return f"LoRA on {own}"
    return f"merged {export['type'].upper()}"


def measured_runs(results: list[MetricsDoc]) -> list[MetricsDoc]:
    """The measured runs in the order of the measured table and figure: prompted runs
    first, fine-tuned ones after them (zero-shot before LoRA, as the other tables do at each size);
    within each, by model size and name, then prompt format (alphabetical: bare, chat,
    chat-schema, few-shot-K), unconstrained before constrained, and the reference engine's
    run before the llama.cpp run of the same model, prompt and decoding.

    The size is the smallest count any run of that model's label records: llama.cpp
    counts a GGUF's parameters itself, and a count that differed from the reference's
    must not move a llama.cpp run away from its reference run."""
    measured = [r for r in results if r.provenance == "measured"]
    size: dict[str, int] = {}
    for r in measured:
        name = run_label(r).model
        size[name] = min(size.get(name, r.model.parameters), r.model.parameters)

    def key(r: MetricsDoc) -> tuple:
        label = run_label(r)
        return (r.model.method != "zero-shot", size[label.model], label.model,
                label.prompt, label.decoding == "constrained", label.engine or "", r.stem)
    return sorted(measured, key=key)


def in_main_protocol(r: MetricsDoc) -> bool:
    """Whether a run follows the protocol of the main results (Section 5.1): the bare
    prompt, decoded without a constraint by the float32 reference engine. Every reported
    run does; a llama.cpp run never does (its place is the deployment table)."""
    label = run_label(r)
    return (label.prompt == DEFAULT_PROMPT and label.decoding != "constrained"
            and label.engine is None)


def main_protocol(results: list[MetricsDoc]) -> list[MetricsDoc]:
    """The runs of the main results' tables and figures: the reported ones and the measured
    ones under the same protocol. The measured baselines of other prompt formats or
    decodings, and the llama.cpp runs, appear only in the measured table and figure
    (Section 5.5), which would otherwise be repeated, one row and one bar per run, in every
    table and figure."""
    return [r for r in results if in_main_protocol(r)]
