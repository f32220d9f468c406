"""Generated blocks of the Markdown docs: the benchmark figures, rendered from the files
the benchmark wrote (`bench/results/*.json`), never typed.

Why blocks in the docs rather than a generated page: the figures sit in the prose that
explains them (experiments/README.md, "Speed"). A block runs from
``<!-- begin generated: NAME ... -->`` to ``<!-- end generated: NAME -->``; `papertools
render docs` rewrites every block from the files, and `--check` (a test, so CI) fails
naming each stale block, as sqlite-utils checks its docs with cog.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from maaza_core.atomic import write_atomic
from maaza_core.errors import DataError, UserError
from maaza_core.paths import BENCH_RESULTS_DIR, RESULTS_DIR, ROOT, display
from papertools.render.deployment import bench_weights, deployed_bytes, features, load_benches

DOCS = (ROOT / "README.md", ROOT / "experiments" / "README.md")  # files that hold blocks
_BLOCK = re.compile(r"(<!-- begin generated: (?P<name>[\w-]+)[^\n]*-->\n)(?P<body>.*?)"
                    r"(<!-- end generated: (?P=name) -->)", re.S)


def _runs(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, one run) of every harness benchmark file, in file-name order."""
    out = []
    for path in sorted(folder.glob("harness-speed-*.json")):
        try:
            runs = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(path, f"invalid JSON: {exc.msg} (fix: rerun the benchmark "
                            "with --json)", line=exc.lineno) from None
        out += [(path.name, run) for run in runs]
    if not out:
        raise UserError(f"{display(folder)}: no harness-speed-*.json (fix: run "
                        "bench/harness_speed.py --json FILE)")
    return out


def _machine(run: dict[str, Any]) -> str:
    """CPU model and the instruction-set features the speed hinges on, when recorded."""
    hw = run.get("hardware")
    if not hw:
        return "not recorded (see text)"
    return f"{hw.get('cpu_model')} ({features(hw)})"


def harness_speed_table(folder: Path = BENCH_RESULTS_DIR) -> str:
    """One row per benchmark run: the original method against the harness, same rows."""
    lines = ["| file | slots | rows | original: ex/s, wall, tokens "
             "| harness (engine): wall, tokens | speed-up (CPU time) | same extracted JSON "
             "| JSONExact original / harness "
             "| machine |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in _runs(folder):
        o, h = r["original"], r["harness"]
        lines.append(
            f"| `{name}` | {r['batch_size']} | {r['examples']} "
            f"| {o['examples_per_s']:.3f}, {o['wall_s']:,.2f} s, {o['generated_tokens']:,} "
            f"| ({r.get('engine', 'torch')}) {h['wall_s']:,.2f} s, {h['generated_tokens']:,} "
            f"| {r['speedup_examples_per_s']:.2f}x ({r['speedup_cpu_time']:.2f}x) "
            f"| {r['same_extracted_json']} / {r['examples']} "
            f"| {o['json_exact']} / {h['json_exact']}{_mcnemar(r)} | {_machine(r)} |")
    return "\n".join(lines) + "\n"


def _mcnemar(run: dict[str, Any]) -> str:
    """McNemar's p on JSONExact, original vs harness, where the file records it."""
    test = run.get("json_exact_mcnemar")
    return "" if test is None else f" (p = {test['p']:.2g})"


def speed_goal(folder: Path = BENCH_RESULTS_DIR) -> str:
    """The speed goal's verdict of every benchmark file that records one (llama.cpp
    against the original method; bench/harness_speed.py decides and writes it)."""
    lines = []
    for name, r in _runs(folder):
        goal = r.get("speed_goal")
        if goal is None:
            continue
        test = r["json_exact_mcnemar"]
        lines.append(
            f"- `{name}`, {r['examples']} rows, {r['batch_size']} sequences: llama.cpp "
            f"{r['speedup_examples_per_s']:.2f}x the original method's examples/s "
            f"({r['speedup_cpu_time']:.2f}x in CPU time), JSONExact "
            f"{r['original']['json_exact']} / {r['harness']['json_exact']} "
            f"(McNemar p = {test['p']:.2g}); goal: at least {goal['min_speedup']}x with "
            f"p > {goal['min_mcnemar_p']}: **{'met' if goal['met'] else 'not met'}** "
            f"({_machine(r)})")
    if not lines:
        return "No benchmark file records the speed goal yet (`make bench-harness-ft`).\n"
    return "\n".join(lines) + "\n"


def default_slots_summary(folder: Path = BENCH_RESULTS_DIR) -> str:
    """The speed-up of every run at the largest slot count benchmarked, one line each."""
    runs = _runs(folder)
    most = max(r["batch_size"] for _, r in runs)
    parts = [f"`{name}`: {r['speedup_examples_per_s']:.2f}x, same extracted JSON on "
             f"{r['same_extracted_json']} of {r['examples']} rows"
             for name, r in runs if r["batch_size"] == most]
    return (f"At {most} slots, on the first {runs[0][1]['examples']} test rows: "
            + "; ".join(parts) + ".\n")


def measured_runs(results: Path = RESULTS_DIR) -> str:
    """How long the committed measured runs took, from their metrics files (generation)
    and the adapter's loss log (training), one line each."""
    lines = []
    for path in sorted(results.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        perf = doc.get("performance")
        if doc.get("provenance") != "measured" or not perf:
            continue
        engine = doc["config"].get("engine")  # absent: the reference engine
        how = (f"decoded by {engine}" if engine else f"in {doc['run']['dtype']}")
        lines.append(f"- `{path.name}`: {perf['examples']} rows at "
                     f"{doc['config']['batch_size']} slots {how}, "
                     f"{perf['wall_s']:,.0f} s of generation")
    for log in sorted(results.glob("adapters/*/train_log.jsonl")):
        steps = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        lines.append(f"- `{display(log)}`: {len(steps)} optimizer steps in "
                     f"{steps[-1]['seconds']:,.0f} s; loss {steps[0]['loss']:.3f} at the "
                     f"first step, {steps[-1]['loss']:.3f} at the last")
    return "\n".join(lines) + "\n"


def edge_bench(folder: Path = BENCH_RESULTS_DIR) -> str:
    """One row per deployment-figures file (bench/edge.py), with the machine it ran on;
    the same files and reader as the paper's deployment table."""
    benches = load_benches(folder)
    if not benches:
        return "No deployment figures committed yet (`make bench-edge` writes them).\n"
    lines = ["| file | weights, prompt, rows | file MB | peak RSS MB (before load) | load s "
             "| latency p50 / p95 s | prefill / decode tok/s | batched: sequences, ex/s, "
             "tok/s | machine |", "|---|---|---|---|---|---|---|---|---|"]
    for b in benches:
        d, s, bt, hw = (b.data, b.data["single_stream"], b.data["batched"],
                        b.data["hardware"])
        mb = 10**6  # decimal MB, as the paper
        lines.append(
            f"| `{b.path.name}` | {bench_weights(d)}, "
            f"{d['prompt']}, {d['examples']} "
            f"| {deployed_bytes(d) / mb:.0f} | {d['peak_rss_bytes'] / mb:.0f} "
            f"({d['rss_before_load_bytes'] / mb:.0f}) | {d['load_s']:.2f} "
            f"| {s['latency_p50_s']:.2f} / {s['latency_p95_s']:.2f} "
            f"| {s['prefill_tokens_per_s']:.0f} / {s['decode_tokens_per_s']:.0f} "
            f"| {bt['batch_size']}, {bt['examples_per_s']:.2f}, "
            f"{bt['generated_tokens_per_s']:.0f} "
            f"| {hw['cpu_model']} ({features(hw)}), {d['threads']} threads |")
    return "\n".join(lines) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "measured-runs": measured_runs,
    "harness-speed": harness_speed_table,
    "harness-speed-summary": default_slots_summary,
    "speed-goal": speed_goal,
    "edge-bench": edge_bench,
}


def rendered(text: str, where: Path) -> str:
    """`text` with every generated block rewritten; an unknown block name is an error."""
    def body(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in BLOCKS:
            line = text.count("\n", 0, match.start()) + 1
            raise DataError(where, f"unknown generated block {name!r} (fix: one of "
                            f"{', '.join(BLOCKS)})", line=line)
        return match[1] + BLOCKS[name]() + match[4]

    return _BLOCK.sub(body, text)


def stale_blocks(text: str, where: Path) -> list[str]:
    """The names of the blocks whose text differs from what `rendered` would write."""
    new = rendered(text, where)
    old_bodies = {m["name"]: m["body"] for m in _BLOCK.finditer(text)}
    return [m["name"] for m in _BLOCK.finditer(new) if old_bodies.get(m["name"]) != m["body"]]


def update_docs(paths: Iterable[Path] = DOCS, check: bool = False) -> list[str]:
    """Rewrite the blocks of `paths` (or, with `check`, only list the stale ones as
    "file:line: block NAME is stale"); returns what was stale."""
    stale = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        names = stale_blocks(text, path)
        for name in names:
            line = text.count("\n", 0, text.index(f"<!-- begin generated: {name}")) + 1
            stale.append(f"{display(path)}:{line}: generated block {name} is stale")
        if names and not check:
            write_atomic(path, rendered(text, path))
    return stale
