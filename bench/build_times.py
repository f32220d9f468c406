"""How long `make paper` takes: cold, no-op, and after touching one results file.

A benchmark, not a test: it prints figures and ratios for the closing notes and for
anyone changing the Makefile. It builds a copy of the repository (so your build/ is left
alone) with this checkout's virtual environment.

    python bench/build_times.py            # one run of each
    python bench/build_times.py --repeat 3 # median of three no-op and one-change runs
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "runs", "__pycache__",
                                ".pytest_cache", ".ruff_cache", "*.egg-info")


def timed_make(tree: Path, *args: str) -> float:
    """Seconds of one `make` in `tree`, reusing this checkout's venv (a copy builds no venv of its
    own)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
    start = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args], cwd=tree,
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Time a cold, a no-op and a one-file rebuild of `make paper` in a copied tree."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/build_times.py --repeat 3")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the warm cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "maaza"
        shutil.copytree(ROOT, tree, ignore=IGNORE, symlinks=True)
        cold = timed_make(tree, "paper")
        noop = statistics.median(timed_make(tree, "paper") for _ in range(args.repeat))
        change = []
        for _ in range(args.repeat):
            os.utime(tree / "experiments" / "results" / "qwen2.5-0.5b.json")
            change.append(timed_make(tree, "paper"))
        one = statistics.median(change)
    print(f"cold build       {cold:7.2f} s")
    print(f"no-op build      {noop:7.2f} s   ({cold / noop:.0f}x faster than cold)")
    print(f"one results file {one:7.2f} s   ({cold / one:.1f}x faster than cold)")


if __name__ == "__main__":
    main()
