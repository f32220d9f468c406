"""What checking the best token first saves llama.cpp's schema-constrained decoding.

Three single-stream runs over the same rows, in one process, with the harness's llama.cpp
engine (edgejson/llamacpp.py, chat-schema prompt, greedy):
- unconstrained;
- constrained, the grammar filtering the whole vocabulary at every step (the chain
  grammar -> greedy; the engine's first way, `check_first=False`);
- constrained, the grammar asked about the best token first and filtering the vocabulary
  only when it refuses it (the engine's way, as llama.cpp's common sampler).
It prints generated tokens/s of each, the ratios, and how many outputs of the two
constrained runs are identical: all must be, since both pick the best allowed token.

    .venv/bin/python bench/grammar_sampling.py smollm2-135m-instruct-q4_1 --limit 8
    .venv/bin/python bench/grammar_sampling.py smollm2-135m-instruct-q4_1 \\
        --json bench/results/grammar-sampling-smollm2-135m-instruct-q4_1.json

Run it on an otherwise idle machine: every figure is wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from edgejson.data import load_dataset, load_split
from edgejson.llamacpp import load_llama, run_generation
from edgejson.prompt import encode_prompts, parse_format
from edgejson.provenance import hardware
from maaza_core.jsonfile import write_json

# name -> (constrained, check_first)
METHODS = {"unconstrained": (False, True), "filter every step": (True, False),
           "check best first": (True, True)}


def run(loaded: Any, examples: list[Any], encoded: list[list[int]], schemas: Any,
        max_new: int, check_first: bool) -> dict[str, Any]:
    """One single-stream pass: wall time, generated tokens, outputs by row id."""
    records: list[dict[str, Any]] = []
    start = time.perf_counter()
    run_generation(loaded, examples, encoded, slots=1, max_new_tokens=max_new,
                   on_rows=records.extend, progress=False, schemas=schemas,
                   check_first=check_first)
    wall = time.perf_counter() - start
    tokens = sum(r["generated_tokens"] for r in records)
    return {"wall_s": round(wall, 2), "generated_tokens": tokens,
            "tokens_per_s": round(tokens / wall, 1),
            "outputs": {r["id"]: r["output"] for r in records}}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """The three runs, their ratios against filtering every step, and the agreement."""
    dataset = load_dataset()
    examples = load_split("test", dataset=dataset)[: args.limit]
    loaded = load_llama(args.model)
    try:
        encoded = encode_prompts(parse_format("chat-schema"), examples, loaded.tokenizer,
                                 dataset.schemas, [], args.model)
        runs = {name: run(loaded, examples, encoded, dataset.schemas if constrained else None,
                          args.max_new_tokens, check_first)
                for name, (constrained, check_first) in METHODS.items()}
    finally:
        loaded.close()
    full, fast = runs["filter every step"], runs["check best first"]
    same = sum(full["outputs"][i] == fast["outputs"][i] for i in full["outputs"])
    for figures in runs.values():
        del figures["outputs"]
    return {"model": args.model, "prompt": "chat-schema", "examples": len(examples),
            "max_new_tokens": args.max_new_tokens, "runs": runs,
            # Ratios of wall time: the same rows, one stream, one process.
            "speedup_check_first_vs_filter": round(full["wall_s"] / fast["wall_s"], 2),
            "cost_of_constraint_check_first": round(
                fast["wall_s"] / runs["unconstrained"]["wall_s"], 2),
            "identical_constrained_outputs": same, "threads": loaded.threads,
            "engine": "llama.cpp", "hardware": hardware()}


def report(fig: dict[str, Any]) -> None:
    """Print the runs and the ratios."""
    print(f"{fig['model']}, {fig['examples']} test examples, prompt {fig['prompt']}, "
          f"single stream, {fig['threads']} threads")
    for name, r in fig["runs"].items():
        print(f"  {name:18} {r['wall_s']:8.2f} s  {r['generated_tokens']:6} tokens  "
              f"{r['tokens_per_s']:6.1f} tok/s")
    print(f"  check best first: {fig['speedup_check_first_vs_filter']}x the speed of "
          f"filtering every step; {fig['cost_of_constraint_check_first']}x the wall time of "
          f"unconstrained; identical constrained outputs {fig['identical_constrained_outputs']}"
          f"/{fig['examples']}")
    hw = fig["hardware"]
    print(f"  machine: {hw['cpu_model']}, {hw['cpu_count']} cores, "
          f"{' '.join(hw['cpu_features']) or 'no AVX2/AVX-512'}")


def main(argv: list[str] | None = None) -> int:
    """Measure one model and print (and with --json save) the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  .venv/bin/python bench/grammar_sampling.py "
               "smollm2-135m-instruct-q4_1 --limit 8")
    parser.add_argument("model", help="registry name or GGUF file")
    parser.add_argument("--limit", type=int, default=8, help="first N test examples")
    parser.add_argument("--max-new-tokens", type=int, default=256, help="generation limit")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = measure(args)
    report(figures)
    if args.json:
        write_json(args.json, figures)
    return 0 if figures["identical_constrained_outputs"] == figures["examples"] else 1


if __name__ == "__main__":
    sys.exit(main())
