"""The deployment table and its macros: what a GGUF file costs to run under llama.cpp on a
CPU, and what llama.cpp's native 4-bit arithmetic changes in the scores.

Two kinds of files feed it. `bench/edge.py` writes the deployment figures of one model
(bench/results/edge-*.json: file size, resident memory, load time, latency, throughput,
the machine). `make edge-runs` publishes full-split runs decoded by llama.cpp (a metrics
file whose ``config.engine`` is set), each with a paired test against the float32
reference run of the same model, prompt and decoding (paired/<run>-vs-float32.json).

Why one module: the table and the prose's macros print the same figures, formatted once
here (`edge_values`), as measured.py does for the measured runs, so the two cannot differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maaza_core.errors import DataError, DataErrors, UserError
from maaza_core.jsonfile import FileDoc, data_error, read_json, schema_errors, schema_validator
from maaza_core.metrics import MetricsDoc
from maaza_core.paired import PairedDoc
from maaza_core.paths import BENCH_RESULTS_DIR, EDGE_BENCH_SCHEMA, display
from papertools.render import numbers as fmt
from papertools.render.measured import (
    DEFAULT_PROMPT,
    measured_runs,
    run_label,
    run_weights,
    weights_label,
)
from papertools.render.results import check_names
from papertools.render.texescape import latex_escape

PREFIX = "edge-"  # bench/results/edge-<model>.json; the rest of the stem keys the macros
REGENERATE = "fix: rerun `make bench-edge` (bench/edge.py MODEL --json FILE)"
# How /proc/cpuinfo's flags (edgejson.provenance.CPU_FEATURES) are printed.
FEATURE_NAMES = {"avx2": "AVX2", "avx512f": "AVX-512F", "avx512_bf16": "AVX-512 BF16",
                 "amx_bf16": "AMX-BF16", "amx_tile": "AMX-TILE"}


@dataclass(frozen=True, kw_only=True)
class EdgeBench(FileDoc):
    """The deployment figures of one model file, as bench/edge.py wrote them."""

    data: Mapping[str, Any]  # the file's JSON (bench/edge.schema.json)
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The macro key part: edge-smollm2-135m-instruct-q4_1.json -> smollm2-..."""
        return self.stem.removeprefix(PREFIX)


def _problems(data: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """What a schema cannot state: orders that every measurement obeys."""
    s, b = data["single_stream"], data["batched"]
    out = []
    if data["rss_before_load_bytes"] > data["peak_rss_bytes"]:
        out.append((("rss_before_load_bytes",), "exceeds peak_rss_bytes, a peak that "
                    "only grows"))
    if s["latency_p50_s"] > s["latency_p95_s"]:
        out.append((("single_stream", "latency_p50_s"), "exceeds latency_p95_s"))
    if b.get("same_outputs_as_single_stream", 0) > data["examples"]:
        out.append((("batched", "same_outputs_as_single_stream"), "exceeds examples"))
    return out


def load_bench(path: Path) -> EdgeBench:
    """Read and validate one deployment-figures file; every problem named at once."""
    text, data = read_json(path, "deployment figures file", "pass one of its edge-*.json")
    errors = schema_errors(schema_validator(EDGE_BENCH_SCHEMA), data, path, text,
                           f"{REGENERATE}; format: {display(EDGE_BENCH_SCHEMA)}")
    if not errors:
        errors = [data_error(path, steps, f"{message} ({REGENERATE})", text)
                  for steps, message in _problems(data)]
    if errors:
        raise DataErrors(errors, "the deployment figures file")
    return EdgeBench(data=data, path=path)


def load_benches(folder: Path = BENCH_RESULTS_DIR) -> list[EdgeBench]:
    """Every bench/results/edge-*.json, in file-name order (none yet: an empty list)."""
    paths = sorted(folder.glob(f"{PREFIX}*.json"))
    check_names(paths)
    return [load_bench(p) for p in paths]


def deployed_bytes(data: Mapping[str, Any]) -> int:
    """What a deployment ships: the GGUF file, plus the adapter's GGUF in the LoRA form."""
    return data["file_bytes"] + (data.get("adapter_bytes") or 0)


def bench_weights(data: Mapping[str, Any]) -> str:
    """The weights a figures file measured, named as the accuracy panel names a run's:
    the file's type, the LoRA adapter applied at run time on it, or merged weights."""
    own = data["quantization"] or "--"
    if data.get("adapter"):
        return f"{own} + LoRA"
    export = data.get("export")
    return f"merged {export['type'].upper()}" if export else own


def edge_values(b: EdgeBench) -> dict[str, tuple[str, str]]:
    """The figures of one file, formatted once for macros and table: name -> (value, where).

    Sizes in decimal MB (10^6 bytes, as the paper's disk sizes); seconds with two
    decimals; tokens/s whole; examples/s with two decimals."""
    d, s, bt = b.data, b.data["single_stream"], b.data["batched"]
    src = b.relpath
    model_mb = d["peak_rss_bytes"] - d["rss_before_load_bytes"]
    where = f"file_bytes {d['file_bytes']}" + (
        f" + adapter_bytes {d['adapter_bytes']}" if d.get("adapter_bytes") else "")
    out = {
        "file-mb": (fmt.megabytes(deployed_bytes(d)), where),
        "rss-peak-mb": (fmt.megabytes(d["peak_rss_bytes"]), "peak_rss_bytes"),
        "rss-before-mb": (fmt.megabytes(d["rss_before_load_bytes"]), "rss_before_load_bytes"),
        "rss-model-mb": (fmt.megabytes(model_mb), "peak_rss_bytes - rss_before_load_bytes"),
        "load-s": (fmt.decimal(d["load_s"], 2), "load_s"),
        "latency-p50": (fmt.decimal(s["latency_p50_s"], 2), "single_stream.latency_p50_s"),
        "latency-p95": (fmt.decimal(s["latency_p95_s"], 2), "single_stream.latency_p95_s"),
        "prefill-tps": (fmt.decimal(s["prefill_tokens_per_s"], 0),
                        "single_stream.prefill_tokens_per_s"),
        "decode-tps": (fmt.decimal(s["decode_tokens_per_s"], 0),
                       "single_stream.decode_tokens_per_s"),
        # Single stream's examples/s, prefill included, as the batched figure counts it.
        "single-ex-per-s": (fmt.decimal(d["examples"] / s["wall_s"], 2),
                            "examples / single_stream.wall_s"),
        "batch-ex-per-s": (fmt.decimal(bt["examples_per_s"], 2), "batched.examples_per_s"),
        "batch-tps": (fmt.decimal(bt["generated_tokens_per_s"], 0),
                      "batched.generated_tokens_per_s"),
        "batch-size": (fmt.integer(bt["batch_size"]), "batched.batch_size"),
        "examples": (fmt.integer(d["examples"]), "examples"),
        "threads": (fmt.integer(d["threads"]), "threads"),
        "cpu": (latex_escape(d["hardware"]["cpu_model"] or "unknown CPU"), "hardware.cpu_model"),
        "cpu-features": (features(d["hardware"]), "hardware.cpu_features"),
        "quantization": (latex_escape(bench_weights(d)), "quantization, adapter, export"),
    }
    if "same_outputs_as_single_stream" in bt:
        out["batch-same-outputs"] = (fmt.integer(bt["same_outputs_as_single_stream"]),
                                     "batched.same_outputs_as_single_stream")
    return {name: (value, f"{src}: {where}") for name, (value, where) in out.items()}


def features(hardware: Mapping[str, Any]) -> str:
    """The instruction-set extensions CPU speed hinges on, as a reader spells them."""
    names = [FEATURE_NAMES.get(f, f.upper()) for f in hardware.get("cpu_features") or []]
    return ", ".join(names) if names else "neither AVX2 nor AVX-512"


def machine(b: EdgeBench) -> str:
    """'AMD EPYC (AVX2), 2 cores, 2 llama.cpp threads': what made a file's times."""
    hw, d = b.data["hardware"], b.data
    cores = "" if hw.get("cpu_count") is None else f", {fmt.integer(hw['cpu_count'])} cores"
    return (f"{latex_escape(hw['cpu_model'] or 'unknown CPU')} ({features(hw)}){cores}, "
            f"{fmt.integer(d['threads'])} llama.cpp threads")


@dataclass(frozen=True)
class EnginePair:
    """A run of another engine, the float32 reference run it repeats, and their test."""

    run: MetricsDoc  # config.engine set (llama.cpp)
    reference: MetricsDoc  # the same model, prompt and decoding, the reference engine
    paired: PairedDoc  # a = reference, b = run


def _setting(r: MetricsDoc) -> tuple:
    """What must agree between a run and its reference for only the engine to differ.

    The weights are named and hashed. A GGUF file of `edgejson export-gguf` (merged, or a
    LoRA adapter in llama.cpp's form) stands for the base and adapter folder it was made
    from (run.weights.export): its run pairs with the reference run of that base and
    adapter, and only while both hashes agree (a retrained adapter is another model).
    """
    c = r.config
    weights = run_weights(r)
    export = weights.get("export")
    model = (export["base"], export["base_sha256"], export["adapter"],
             export["adapter_sha256"]) if export else (
        r.model.id, weights.get("weights_sha256"), r.model.adapter,
        weights.get("adapter_sha256"))
    return (*model, c.prompt_format or DEFAULT_PROMPT,
            c.constrain or "none", c.decoding, c.max_new_tokens, r.dataset.split)


def engine_pairs(results: list[MetricsDoc], paired: list[PairedDoc]) -> list[EnginePair]:
    """Each run of another engine with its reference run, in the measured table's order.

    A run without a paired test against a reference, or paired with a run that differs
    in more than the engine, is refused: the deployment table would compare unlike runs.
    """
    by_file = {f"{r.stem}.predictions.jsonl": r for r in results}
    out = []
    for run in (r for r in measured_runs(results) if r.config.engine is not None):
        tests = [p for p in paired if p.b == f"{run.stem}.predictions.jsonl"]
        if not tests:
            raise UserError(
                f"{run.relpath}: a {run.config.engine} run without its paired test against "
                "the float32 reference (fix: make edge-runs, or edgejson compare "
                f"REFERENCE.predictions.jsonl {run.stem}.predictions.jsonl --json > "
                f"paired/{run.stem}-vs-float32.json)")
        for p in tests:
            ref = by_file.get(p.a)
            problem = ("names no committed run as A" if ref is None else
                       f"A is a {ref.config.engine} run" if ref.config.engine else
                       f"A differs from {run.stem} in more than the engine: "
                       f"{_setting(ref)} against {_setting(run)}"
                       if _setting(ref) != _setting(run) else None)
            if problem:
                raise DataError(p.path or p.relpath, f"{problem} (fix: compare the "
                                "float32 reference run of the same model, prompt and "
                                "decoding, as A)", pointer="/a")
            out.append(EnginePair(run, ref, p))
    return out


def _pair_row(pair: EnginePair) -> dict:
    """One row of the accuracy panel: each rate under both engines, and McNemar's p."""
    label = run_label(pair.reference)
    row = {"model": latex_escape(label.model), "weights": latex_escape(weights_label(pair.run)),
           "prompt": latex_escape(label.prompt), "decoding": latex_escape(label.decoding)}
    for name, key in (("exact", "json_exact"), ("valid", "valid_json"),
                      ("schema", "schema_compliant")):
        ref, run = (getattr(r.metrics.overall, key) for r in (pair.reference, pair.run))
        test = pair.paired.metrics.get(key)
        row[name] = ("--" if ref is None or run is None else
                     f"{fmt.percent(ref.rate)} / {fmt.percent(run.rate)}")
        row[f"{name}_p"] = ("--" if test is None or test.mcnemar is None
                            else fmt.pvalue(test.mcnemar.p_value))
    return row


def _named_once(rows: list[dict]) -> list[dict]:
    """The model named on the first of consecutive rows of it, as the measured table does."""
    previous = None
    for row in rows:
        row["model"], previous = ("" if row["model"] == previous else row["model"]), row["model"]
    return rows


def _fine_tuned(b: EdgeBench) -> bool:
    """A LoRA file on the base, or a merged file of `edgejson export-gguf`."""
    return bool(b.data.get("adapter") or b.data.get("export"))


def _bench_name(b: EdgeBench, results: list[MetricsDoc]) -> str:
    """The model's label in the measured table, or its registry name if no run has it."""
    method = "lora" if _fine_tuned(b) else "zero-shot"
    for r in measured_runs(results):
        if r.model.id == b.data["model"] and r.model.method == method:
            return latex_escape(run_label(r).model)
    export = b.data.get("export")
    if export:
        return latex_escape(f"{export['base']} + LoRA (merged)")
    return latex_escape(b.data["model"]) + (" + LoRA" if method == "lora" else "")


def _bench_rows(named_sizes: list[tuple[str, int]], total: int) -> str:
    """How many test rows the figures are on, for the caption: a file on fewer rows than
    the others is named, so that no model's figures read as the whole split's."""
    if not named_sizes:
        return ""
    sizes = [n for _, n in named_sizes]
    phrase = {n: ("all " if n == total else "the first ") + fmt.integer(n) for n in sizes}
    common = max(set(sizes), key=lambda n: (sizes.count(n), n))
    others = [f"{name}: {phrase[n]}" for name, n in named_sizes if n != common]
    return f"{phrase[common]} test examples" + (f" ({'; '.join(others)})" if others else "")


def deployment_table(results: list[MetricsDoc], paired: list[PairedDoc],
                     benches: list[EdgeBench]) -> dict:
    """Both panels of the deployment table: figures per model file, scores per run pair."""
    pairs = engine_pairs(results, paired)
    rows = []
    # The measured table's order: the checkpoint before its fine-tuned form, then by size.
    for b in sorted(benches, key=lambda b: (_fine_tuned(b),
                                            b.data.get("parameters", 0), b.data["model"])):
        v = {name: value for name, (value, _) in edge_values(b).items()}
        rows.append({"name": _bench_name(b, results), "prompt": latex_escape(b.data["prompt"]),
                     "rows": b.data["examples"],
                     **{k.replace("-", "_"): value for k, value in v.items()}})
    total = results[0].json_exact.total if results else 0
    return {
        "benches": rows, "pairs": _named_once([_pair_row(p) for p in pairs]),
        "machines": sorted({machine(b) for b in benches}),
        "batch_sizes": sorted({b.data["batched"]["batch_size"] for b in benches}),
        "bench_examples": _bench_rows([(r["name"], r["rows"]) for r in rows], total),
        "engines": sorted({latex_escape(p.run.config.engine) for p in pairs}),
        "versions": sorted({str(b.data.get("llama_cpp_python")) for b in benches}
                           - {"None"}),
        "n": total,
        "sources": ", ".join([b.relpath for b in benches]
                             + [x for p in pairs for x in (p.run.relpath, p.paired.relpath)]),
    }

