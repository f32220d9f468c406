"""Deployment figures of a GGUF under llama.cpp: size, memory, load time, latency, throughput.

What a person deploying the model on a phone or gateway asks, measured on this machine
with the harness's llama.cpp engine (edgejson/llamacpp.py: the same prompts, stop rule and
greedy decoding as `edgejson evaluate --engine llama.cpp`):
- file size (and the LoRA adapter file's, with --adapter), load time (median of 3 loads
  of the file by llama.cpp alone), and the process's peak resident memory (ru_maxrss)
  with its value before the model was loaded, so the model's and context's share can be
  read off;
- single stream (one sequence at a time, what an app does per request): latency per
  example, median and 95th percentile, from prefill start to the last token;
- prefill and decode tokens/s: each prompt is also prefilled alone in a separate pass and
  timed; decode tokens/s is the single-stream run's generated tokens over its time minus
  those prefill times;
- batched throughput: examples/s and generated tokens/s with --batch-size sequences.
Accuracy under llama.cpp against the float32 reference is not here: it comes from full
evaluation runs, committed and paired like every measured run (experiments/README.md, Edge).

    .venv/bin/python bench/edge.py smollm2-135m-instruct-q4_1 --limit 32
    .venv/bin/python bench/edge.py smollm2-135m-instruct-q4_1 --json bench/results/edge-smollm2.json

Run it on an otherwise idle machine: every figure is wall time.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from edgejson.data import load_dataset, load_split
from edgejson.llamacpp import (
    Context,
    LlamaLoaded,
    context_positions,
    llama_api,
    load_llama,
    run_generation,
)
from edgejson.prompt import encode_prompts, parse_format
from edgejson.provenance import hardware
from maaza_core.cli import row_limit
from maaza_core.jsonfile import write_json

KIB = 1024  # ru_maxrss is in KiB on Linux


def peak_rss() -> int:
    """Peak resident memory of this process so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB


def load_seconds(path: Path, times: int = 3) -> float:
    """Median time for llama.cpp alone to load the file (the page cache is warm)."""
    ll = llama_api()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        model = ll.llama_model_load_from_file(str(path).encode(),
                                              ll.llama_model_default_params())
        samples.append(time.perf_counter() - start)
        ll.llama_model_free(model)
    return statistics.median(samples)


def prefill_seconds(loaded: LlamaLoaded, encoded: list[list[int]]) -> float:
    """Total time to prefill every prompt alone, one context reused and cleared."""
    positions = context_positions(encoded, 0)
    ctx = Context(loaded, 1, positions)
    total = 0.0
    try:
        for ids in encoded:
            start = time.perf_counter()
            ctx.decode([(t, p, 0, p == len(ids) - 1) for p, t in enumerate(ids)])
            total += time.perf_counter() - start
            ctx.clear(0)
    finally:
        ctx.close()
    return total


def generate(loaded: LlamaLoaded, examples: list[Any], encoded: list[list[int]], slots: int,
             max_new: int) -> tuple[float, list[dict[str, Any]]]:
    """Wall time and records of one run of the engine over the examples."""
    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    run_generation(loaded, examples, encoded, slots=slots, max_new_tokens=max_new,
                   on_rows=records.extend, progress=True)  # a full-split run is long
    return time.perf_counter() - start, records


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method, as numpy's default)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of one model, in the order the module docstring lists them."""
    dataset = load_dataset()
    examples = load_split("test", dataset=dataset)[: args.limit]
    rss_before = peak_rss()
    loaded = load_llama(args.model, adapter=args.adapter)
    fmt = parse_format(args.prompt)
    pool = load_split("train", dataset=dataset) if fmt.shots else []
    encoded = encode_prompts(fmt, examples, loaded.tokenizer, dataset.schemas, pool,
                             args.model)
    path = loaded.path
    try:
        load_s = load_seconds(path)
        prefill_s = prefill_seconds(loaded, encoded)
        single_s, single = generate(loaded, examples, encoded, 1, args.max_new_tokens)
        batch_s, batched = generate(loaded, examples, encoded, args.batch_size,
                                    args.max_new_tokens)
    finally:
        loaded.close()
    prompt_tokens = sum(map(len, encoded))
    gen_single = sum(r["generated_tokens"] for r in single)
    gen_batch = sum(r["generated_tokens"] for r in batched)
    latencies = [r["latency_s"] for r in single]
    return {
        "model": args.model, "adapter": args.adapter, "prompt": args.prompt,
        # A merged file of `edgejson export-gguf` is the fine-tuned model: what it was made of.
        "export": loaded.info.get("export"),
        "examples": len(examples), "max_new_tokens": args.max_new_tokens,
        "file_bytes": path.stat().st_size,
        # A deployment of the LoRA form ships both files: the table adds the two sizes.
        "adapter_bytes": Path(args.adapter).stat().st_size if args.adapter else None,
        "parameters": loaded.info["parameters"],
        "quantization": loaded.info.get("quantization"),
        "load_s": round(load_s, 3),
        "peak_rss_bytes": peak_rss(), "rss_before_load_bytes": rss_before,
        "single_stream": {
            "wall_s": round(single_s, 2), "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(percentile(latencies, 95), 3),
            "prompt_tokens": prompt_tokens, "generated_tokens": gen_single,
            "prefill_tokens_per_s": round(prompt_tokens / prefill_s, 1),
            # Single stream: its time is the prefills plus the decode steps.
            "decode_tokens_per_s": round(gen_single / max(single_s - prefill_s, 1e-9), 1)},
        "batched": {
            "batch_size": args.batch_size, "wall_s": round(batch_s, 2),
            "examples_per_s": round(len(examples) / batch_s, 3),
            "generated_tokens_per_s": round(gen_batch / batch_s, 1),
            "same_outputs_as_single_stream": sum(
                a["output"] == b["output"] for a, b in zip(
                    sorted(single, key=lambda r: r["id"]),
                    sorted(batched, key=lambda r: r["id"]), strict=True))},
        "threads": loaded.threads, "engine": "llama.cpp",
        "llama_cpp_python": loaded.info.get("llama_cpp_python"),
        "hardware": hardware(),
    }


def report(fig: dict[str, Any]) -> None:
    """Print the figures as a small table."""
    mib = 1024 * 1024
    s, b = fig["single_stream"], fig["batched"]
    hw = fig["hardware"]
    print(f"{fig['model']}{' + ' + fig['adapter'] if fig['adapter'] else ''} "
          f"({fig['quantization']}), {fig['examples']} test examples, prompt {fig['prompt']}")
    adapter = (f" + adapter {fig['adapter_bytes'] / mib:.1f} MiB" if fig["adapter_bytes"]
               else "")
    print(f"  file {fig['file_bytes'] / mib:.1f} MiB{adapter}, load {fig['load_s']} s, peak RSS "
          f"{fig['peak_rss_bytes'] / mib:.0f} MiB ({fig['rss_before_load_bytes'] / mib:.0f} "
          "MiB before loading)")
    print(f"  single stream: latency p50 {s['latency_p50_s']} s, p95 {s['latency_p95_s']} s; "
          f"prefill {s['prefill_tokens_per_s']} tok/s, decode {s['decode_tokens_per_s']} tok/s")
    print(f"  batched ({b['batch_size']}): {b['examples_per_s']} ex/s, "
          f"{b['generated_tokens_per_s']} tok/s; {b['same_outputs_as_single_stream']}/"
          f"{fig['examples']} outputs identical to single stream")
    print(f"  machine: {hw['cpu_model']}, {hw['cpu_count']} cores, "
          f"{' '.join(hw['cpu_features']) or 'no AVX2/AVX-512'}, {fig['threads']} threads")


def main(argv: list[str] | None = None) -> int:
    """Measure one model and print (and with --json save) its deployment figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  .venv/bin/python bench/edge.py smollm2-135m-instruct-q4_1 --limit 32")
    parser.add_argument("model", help="registry name or GGUF file")
    parser.add_argument("--adapter", help="LoRA adapter in GGUF form")
    parser.add_argument("--prompt", default="bare", help="prompt format (edgejson/prompt.py)")
    parser.add_argument("--limit", type=row_limit, default=None,
                        help="first N test examples (default, or all: the whole split)")
    parser.add_argument("--max-new-tokens", type=int, default=512, help="generation limit")
    parser.add_argument("--batch-size", type=int, default=16, help="sequences decoded together")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = measure(args)
    report(figures)
    if args.json:
        write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
