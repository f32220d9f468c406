"""Speed of the original evaluation method vs the edgejson harness, same model and examples.

Original method (the benchmark's script): one example at a time, no stop criterion, up
to 512 new tokens. Harness: continuous batching (`--batch-size` rows decode together and
a finished row's slot is refilled at once), each row stopping once its first JSON value
is complete (or at EOS).

The model must behave like the paper's fine-tuned models: emit JSON, then keep going
because it never learned EOS. So the script first trains a tiny Llama (full weights)
on the train split WITHOUT EOS for a few minutes and caches it in build/bench/.
Both methods' outputs are scored, to show that stopping early changes no score.

With --model (a registry name, GGUF file or folder; --adapter for a fine-tuned one) the
same comparison runs on a real checkpoint: the original method in float32 exactly as the
benchmark's script ran it, the harness with the settings `edgejson evaluate` picks by
itself (--harness-dtype auto), so the ratio is what a user gets without tuning flags.

    .venv/bin/python bench/harness_speed.py --limit 16
    .venv/bin/python bench/harness_speed.py --model smollm2-135m-instruct-q4_1 --limit 64
    .venv/bin/python bench/harness_speed.py --model smollm2-135m-instruct-q4_1 --limit 16 \
        --batch-size 16 --constrain     # + schema-constrained vs unconstrained tokens/s
    .venv/bin/python bench/harness_speed.py --model smollm2-135m-instruct-q4_1 --limit 32 \
        --batch-size 1 16 --engine torch llama.cpp   # each engine against the original
    .venv/bin/python bench/harness_speed.py --model smollm2-135m-instruct-q4_1 \
        --adapter runs/train/maaza-135m-instruct-q4 \
        --llama-adapter runs/gguf/maaza-135m-instruct-q4/lora-f32.gguf \
        --engine torch llama.cpp --batch-size 8 --limit all   # make bench-harness-ft

Use enough examples for the figure to describe an evaluation run: with a handful, the
harness waits at the end for its longest row alone (512 tokens at batch-1 speed, about
20 s for the 135M model on 2 CPU cores), which says little about a 158-row test split.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from edgejson.compare import mcnemar_exact
from edgejson.data import load_dataset, load_split
from edgejson.examplescore import json_equal
from edgejson.extract import extract_json
from edgejson.generate import run_generation
from edgejson.modelload import load_model, select_dtype
from edgejson.prompt import BARE, encode_prompts, format_answer, format_prompt
from edgejson.provenance import hardware
from edgejson.tinymodel import TinyConfig, build_tiny_model, train_tokenizer
from edgejson.train import IGNORE_INDEX, build_features
from maaza_core.cli import row_limit
from maaza_core.jsonfile import write_json
from maaza_core.paths import BUILD_DIR

# Vocabulary: the paper's models have 49,152 (SmolLM2) and 151,646 (Qwen2.5) tokens, so
# a 1024-token BPE made answers unrealistically long. BPEs trained on the train split
# give a mean gold answer of 229.6 / 177.0 / 172.5 tokens at 1024 / 8192 / 16384 (the
# last saturates at 13,370 tokens: the corpus has no more merges), with 19 / 14 / 14 of
# the 158 test answers over 512. 8192 takes 92% of the gain (229.6-177.0 = 52.6 of
# 229.6-172.5 = 57.1) with 8192*128 = 1.05M embedding weights instead of 1.71M, so
# fewer rare tokens to learn.
# 4 layers of width 128 (0.66M weights besides the tied embedding): about 15 minutes
# for 1500 steps on two CPU cores.
# Issue 19's speed goal: llama.cpp at least 20x the original method's examples/s, and it
# only counts if JSONExact does not differ significantly (exact McNemar p above 0.05).
SPEED_GOAL = 20
SAME_SCORE_P = 0.05

BENCH_MODEL = TinyConfig(vocab_size=8192, hidden_size=128, intermediate_size=256, layers=4,
                         heads=4, init_range=0.02, seed=0)


def train_bench_model(folder: Path, steps: int) -> None:
    """Full fine-tune on train answers without EOS: the model learns to emit JSON, not to stop.

    Built in a sibling temp folder and renamed into place at the end, so an interrupted
    run never leaves an untrained model that a later run would take for the cached one.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=folder.name + ".") as tmp:
        _train_into(Path(tmp) / "model", steps)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(Path(tmp) / "model", folder)


def _train_into(folder: Path, steps: int) -> None:
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainingArguments,
    )

    build_tiny_model(folder, BENCH_MODEL)
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    feats = build_features(tok, load_split("train"), max_length=768, append_eos=False)
    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch, per_device_train_batch_size=8, learning_rate=2e-3,
            max_steps=steps, lr_scheduler_type="cosine", warmup_steps=0.05, logging_steps=50,
            save_strategy="no", report_to="none", use_cpu=True, seed=0)
        Trainer(model=model, args=args, train_dataset=feats,
                data_collator=DataCollatorForSeq2Seq(tok, label_pad_token_id=IGNORE_INDEX)
                ).train()
    model.save_pretrained(folder)


def original_method(loaded: Any, examples: list[Any], max_new: int) -> dict[str, Any]:
    """One example per generate() call, no stop criterion (EOS only), max_new tokens."""
    tok, outputs, tokens = loaded.tokenizer, {}, 0
    start, cpu = time.perf_counter(), time.process_time()
    for ex in tqdm(examples, desc="original method", unit="ex", disable=len(examples) < 2):
        enc = tok(format_prompt(ex.prompt), return_tensors="pt").to(loaded.device)
        with torch.inference_mode():
            out = loaded.model.generate(**enc, do_sample=False, max_new_tokens=max_new,
                                        pad_token_id=tok.pad_token_id)
        new = out[0, enc["input_ids"].shape[1]:]
        tokens += int((new != tok.pad_token_id).sum())
        outputs[ex.id] = tok.decode(new, skip_special_tokens=True)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "tokens": tokens, "outputs": outputs}


def harness_method(loaded: Any, examples: list[Any], max_new: int, batch: int,
                   schemas: dict[str, Any] | None = None,
                   generation: Any = run_generation) -> dict[str, Any]:
    """The harness's own generation loop, exactly as `edgejson evaluate` runs it (bare
    prompt; with `schemas`, as `--constrain schema` runs it; `generation`: the engine's
    loop, edgejson.generate's or edgejson.llamacpp's)."""
    records: list[dict[str, Any]] = []
    encoded = encode_prompts(BARE, examples, loaded.tokenizer, {}, [], "bench")
    start, cpu = time.perf_counter(), time.process_time()
    generation(loaded, examples, encoded, slots=batch, max_new_tokens=max_new,
               on_rows=records.extend, progress=False, schemas=schemas)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "tokens": sum(r["generated_tokens"] for r in records),
            "outputs": {r["id"]: r["output"] for r in records},
            "stops": dict(Counter(r["stop"] for r in records))}


def agreement(examples: list[Any], a: dict[str, str], b: dict[str, str]) -> dict[str, Any]:
    """How often each side extracts a JSON value and matches gold, how often they agree,
    and McNemar's test of JSONExact between them (a speed-up only counts if the faster
    side scores the same: p > 0.05)."""
    out: dict[str, Any] = dict.fromkeys(("same", "valid_a", "valid_b"), 0)
    exact: dict[str, list[bool]] = {"a": [], "b": []}
    for ex in examples:
        ea, eb = extract_json(a[ex.id]), extract_json(b[ex.id])
        out["same"] += ea.ok == eb.ok and (not ea.ok or json_equal(ea.value, eb.value))
        out["valid_a"] += ea.ok
        out["valid_b"] += eb.ok
        exact["a"].append(ea.ok and json_equal(ea.value, ex.expected))
        exact["b"].append(eb.ok and json_equal(eb.value, ex.expected))
    out["exact_a"], out["exact_b"] = sum(exact["a"]), sum(exact["b"])
    out["mcnemar"] = mcnemar_exact(exact["a"], exact["b"])
    return out


def summarize(examples: list[Any], orig: dict[str, Any], harn: dict[str, Any],
              max_new: int, batch: int, parameters: int, engine: str = "torch",
              threads: int | None = None) -> dict[str, Any]:
    """The figures of one benchmark run; ratios are original / harness."""
    agree = agreement(examples, orig["outputs"], harn["outputs"])
    n = len(examples)

    def side(run: dict[str, Any], key: str) -> dict[str, Any]:
        return {"wall_s": round(run["wall"], 2), "cpu_s": round(run["cpu"], 2),
                "examples_per_s": round(n / run["wall"], 3),
                "generated_tokens": run["tokens"], "valid_json": agree[f"valid_{key}"],
                "json_exact": agree[f"exact_{key}"]}

    return {
        "examples": n, "max_new_tokens": max_new, "batch_size": batch, "engine": engine,
        "threads": threads or torch.get_num_threads(), "parameters": parameters,
        # CPU model names are not enough: the same "AMD EPYC" ran 1.8x slower without AVX-512.
        "hardware": hardware("cpu"),
        "original": side(orig, "a"), "harness": side(harn, "b"),
        "harness_stops": harn["stops"],
        "speedup_examples_per_s": round(orig["wall"] / harn["wall"], 2),
        # CPU seconds are less sensitive than wall time to other jobs on a shared machine.
        "speedup_cpu_time": round(orig["cpu"] / harn["cpu"], 2),
        "generated_tokens_ratio": round(orig["tokens"] / max(harn["tokens"], 1), 2),
        "same_extracted_json": agree["same"],
        # Exact McNemar on JSONExact, original vs harness: which rows only one side got.
        "json_exact_mcnemar": {"only_original": agree["mcnemar"].only_a,
                               "only_harness": agree["mcnemar"].only_b,
                               "p": agree["mcnemar"].p_value},
    }


def constraint_cost(examples: list[Any], free: dict[str, Any], bound: dict[str, Any],
                    dataset: Any) -> dict[str, Any]:
    """Unconstrained vs schema-constrained harness on the same rows: speed in generated
    tokens per second of wall time, and how many outputs are schema-valid JSON."""
    def side(run: dict[str, Any]) -> dict[str, Any]:
        valid = 0
        for ex in examples:
            found = extract_json(run["outputs"][ex.id])
            valid += found.ok and dataset.validator(ex.schema_id).is_valid(found.value)
        return {"wall_s": round(run["wall"], 2), "cpu_s": round(run["cpu"], 2),
                "generated_tokens": run["tokens"],
                "tokens_per_s": round(run["tokens"] / run["wall"], 2),
                "schema_valid": valid, "stops": run["stops"]}

    out = {"unconstrained": side(free), "constrained": side(bound)}
    out["tokens_per_s_ratio"] = round(out["constrained"]["tokens_per_s"]
                                      / out["unconstrained"]["tokens_per_s"], 3)
    return out


def report_constraint(cost: dict[str, Any], n: int) -> None:
    """Print the constrained vs unconstrained line of one batch size."""
    free, bound = cost["unconstrained"], cost["constrained"]
    print(f"constrain: unconstrained {free['tokens_per_s']} tok/s, schema-valid "
          f"{free['schema_valid']}/{n}; constrained {bound['tokens_per_s']} tok/s, "
          f"schema-valid {bound['schema_valid']}/{n} (ratio {cost['tokens_per_s_ratio']})")


def goal_met(figures: dict[str, Any]) -> bool:
    """Whether one engine's figures meet the speed goal: fast enough, and no significant
    JSONExact difference from the original method on the same rows."""
    return (figures["speedup_examples_per_s"] >= SPEED_GOAL
            and figures["json_exact_mcnemar"]["p"] > SAME_SCORE_P)


def report(figures: dict[str, Any]) -> None:
    """Print the comparison table."""
    n = figures["examples"]
    print(f"{'':<10}{'examples/s':>12}{'gen. tokens':>13}{'wall s':>9}{'CPU s':>9}"
          f"{'JSON found':>12}{'JSONExact':>11}")
    for key in ("original", "harness"):
        f = figures[key]
        label = key if key == "original" or figures.get("engine", "torch") == "torch" else (
            "llama.cpp")
        print(f"{label:<10}{f['examples_per_s']:>12}{f['generated_tokens']:>13}{f['wall_s']:>9}"
              f"{f['cpu_s']:>9}{f['valid_json']:>9}/{n}{f['json_exact']:>8}/{n}")
    print(f"speed-up {figures['speedup_examples_per_s']}x examples/s "
          f"({figures['speedup_cpu_time']}x in CPU time); "
          f"{figures['generated_tokens_ratio']}x fewer generated tokens; "
          f"same extracted JSON for {figures['same_extracted_json']}/{n} examples "
          f"({figures['threads']} threads, batch {figures['batch_size']}, "
          f"{figures['max_new_tokens']} new tokens max; harness stops {figures['harness_stops']})")
    test = figures["json_exact_mcnemar"]
    verdict = "not significantly different" if test["p"] > SAME_SCORE_P else "DIFFERENT"
    print(f"JSONExact vs original: {test['only_original']} only original, "
          f"{test['only_harness']} only harness, McNemar p = {test['p']:.3g} ({verdict})")
    goal = figures.get("speed_goal")  # decided once, where main() records it
    if goal:
        print(f"speed goal (llama.cpp >= {goal['min_speedup']}x the original method, "
              f"JSONExact p > {goal['min_mcnemar_p']}): {'met' if goal['met'] else 'NOT met'}")
    hw = figures["hardware"]
    features = " ".join(hw["cpu_features"]) or "no AVX2/AVX-512"
    print(f"machine: {hw['cpu_model']}, {hw['cpu_count']} cores, {features}, "
          f"torch kernels {hw['torch_cpu_capability']}")


def answer_tokens(tok: Any, examples: list[Any]) -> list[int]:
    """Tokens of each gold answer as trained (a space, then one-line JSON), without EOS."""
    return [len(tok(format_answer(ex.expected), add_special_tokens=False)["input_ids"])
            for ex in examples]


def vocab_table(sizes: list[int], max_new: int) -> None:
    """Gold-answer length under BPEs of several sizes: what stopping can save at best."""
    test = load_split("test")
    print(f"{'BPE vocab':>10}{'actual':>8}{'mean':>8}{'median':>8}{'p90':>8}"
          f"{f'>{max_new}':>8}  test gold-answer tokens")
    for size in sizes:
        tok = train_tokenizer(size)
        counts = answer_tokens(tok, test)
        p90 = statistics.quantiles(counts, n=10)[8]
        print(f"{size:>10}{len(tok):>8}{statistics.mean(counts):>8.1f}"
              f"{statistics.median(counts):>8.1f}{p90:>8.1f}"
              f"{sum(c > max_new for c in counts):>5}/{len(counts)}")


def token_floor(tok: Any, examples: list[Any], max_new: int) -> int:
    """Tokens a perfect model would generate under the harness: its gold answer, capped."""
    return sum(min(n, max_new) for n in answer_tokens(tok, examples))


def main(argv: list[str] | None = None) -> int:
    """Run the original method and the harness on the same examples and print (or save with --json)
    the figures of each slot count."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  .venv/bin/python bench/harness_speed.py --limit 32 --batch-size 1 4")
    parser.add_argument("--limit", type=row_limit, default=32,
                        help="first N test examples to generate for (all: the whole split)")
    parser.add_argument("--max-new-tokens", type=int, default=512, help="generation limit")
    parser.add_argument("--batch-size", type=int, nargs="+", default=[1, 4, 16],
                        help="harness batch sizes to measure (one line each)")
    parser.add_argument("--train-steps", type=int, default=1500, help="bench model training")
    parser.add_argument("--retrain", action="store_true", help="rebuild the cached model")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--vocab-sizes", type=int, nargs="*", default=[1024, 8192, 16384],
                        help="BPE sizes for the gold-answer length table (none: skip it)")
    parser.add_argument("--model",
                        help="registry name, GGUF file or model folder to benchmark instead "
                             "of the trained tiny one")
    parser.add_argument("--adapter", help="LoRA adapter folder merged into --model")
    parser.add_argument("--llama-adapter",
                        help="the same adapter in llama.cpp's GGUF form (edgejson export-gguf: "
                             "DIR/lora-f32.gguf), applied by --engine llama.cpp")
    parser.add_argument("--harness-dtype", default="auto",
                        help="dtype of the harness side (auto: what edgejson evaluate picks)")
    parser.add_argument("--engine", nargs="+", default=["torch"],
                        choices=["torch", "llama.cpp"],
                        help="harness engines to measure against the original method "
                             "(llama.cpp: --model must be a GGUF; make venv-edge)")
    parser.add_argument("--constrain", action="store_true",
                        help="also run the harness with --constrain schema on the same rows "
                             "and compare tokens/s and schema-valid outputs")
    args = parser.parse_args(argv)
    if "llama.cpp" in args.engine and not args.model:
        parser.error("--engine llama.cpp measures a GGUF --model (not the tiny bench model)")
    if args.llama_adapter and "llama.cpp" not in args.engine:
        parser.error("--llama-adapter is applied by --engine llama.cpp only; add llama.cpp "
                     "to --engine, or drop --llama-adapter")
    if "llama.cpp" in args.engine and bool(args.adapter) != bool(args.llama_adapter):
        parser.error("--engine llama.cpp with a fine-tuned model needs both --adapter (the "
                     "original method's) and --llama-adapter (the same weights as GGUF)")
    dataset = load_dataset()
    if args.vocab_sizes and args.model is None:
        vocab_table(args.vocab_sizes, args.max_new_tokens)
    model_id = args.model or str(
        BUILD_DIR / "bench" / f"tiny-noeos-v{BENCH_MODEL.vocab_size}-s{args.train_steps}")
    if args.model is None and (args.retrain or not Path(model_id, "config.json").is_file()):
        print(f"training the bench model ({args.train_steps} steps) into {model_id}")
        train_bench_model(Path(model_id), args.train_steps)
    # The original script ran float32 on CPU; the harness runs as `edgejson evaluate` would.
    loaded = load_model(model_id, adapter=args.adapter, device="cpu", dtype="float32")
    same = select_dtype(args.harness_dtype, loaded.device) == loaded.dtype
    fast = loaded if same else load_model(model_id, adapter=args.adapter, device="cpu",
                                          dtype=args.harness_dtype)
    print(f"model {model_id}{' + ' + args.adapter if args.adapter else ''}: original "
          f"float32, harness {str(fast.dtype).split('.')[-1]}")
    examples = load_split("test")[: args.limit]
    original_method(loaded, examples[:1], 8)  # warm-up: first-call overheads
    if fast is not loaded:
        original_method(fast, examples[:1], 8)
    orig = original_method(loaded, examples, args.max_new_tokens)
    floor = token_floor(loaded.tokenizer, examples, args.max_new_tokens)
    print(f"a perfect model would generate {floor} tokens under the harness: "
          f"{orig['tokens'] / floor:.2f}x fewer than the original's {orig['tokens']}")
    engines = {"torch": (fast, run_generation)}
    if "llama.cpp" in args.engine:
        from edgejson.llamacpp import load_llama
        from edgejson.llamacpp import run_generation as llama_generation

        engines["llama.cpp"] = (load_llama(model_id, adapter=args.llama_adapter),
                                llama_generation)
    all_figures = []
    for batch in args.batch_size:
        for engine in args.engine:
            model, generation = engines[engine]
            harn = harness_method(model, examples, args.max_new_tokens, batch,
                                  generation=generation)
            figures = summarize(examples, orig, harn, args.max_new_tokens, batch,
                                loaded.info["parameters"], engine,
                                getattr(model, "threads", None))
            if engine == "llama.cpp":  # issue 19's goal, recorded with the figures
                figures["speed_goal"] = {"min_speedup": SPEED_GOAL,
                                         "min_mcnemar_p": SAME_SCORE_P,
                                         "met": goal_met(figures)}
            report(figures)
            if args.constrain:
                bound = harness_method(model, examples, args.max_new_tokens, batch,
                                       dataset.schemas, generation)
                figures["constraint"] = constraint_cost(examples, harn, bound, dataset)
                report_constraint(figures["constraint"], len(examples))
            all_figures.append(figures)
    if args.json:
        write_json(args.json, all_figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
