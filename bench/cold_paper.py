"""How long a cold `make paper` takes in a fresh clone, venv creation included.

A benchmark, not a test: it prints the figures for the closing notes of the environment
work (issue 12 asked for at most half of the pip-built venv's time). Each run clones a
commit of this repository into a temporary folder and runs `make paper` there with empty
package caches (a new UV_CACHE_DIR, PIP_NO_CACHE_DIR=1), then removes build/ and runs
`make paper` again, whose time is the build without the venv (not `make clean paper`, which
older revisions could not do). Revisions alternate, so that a load
that comes and goes on the machine falls on both alike. TeX must already be installed.

    python bench/cold_paper.py --rev 4deb615 --rev HEAD --rounds 2
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def children_cpu() -> float:
    """CPU seconds of finished child processes so far: a difference of two calls is a build's CPU
    time, less noisy than its wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (CPU: less sensitive to the machine's other load)."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-2000:]}\n"
                         f"{proc.stderr[-2000:]}")
    return time.perf_counter() - start, children_cpu() - cpu


def one_run(rev: str, warm_cache: Path | None) -> tuple[tuple[float, float], ...]:
    """(cold make paper, make paper without build/) for a fresh clone of ``rev``."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "maaza"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(tree)], check=True)
        subprocess.run(["git", "checkout", "--quiet", rev], cwd=tree, check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAAZA_ROOT")}
        env["UV_CACHE_DIR"] = str(warm_cache or Path(tmp) / "uv-cache")
        env["PIP_NO_CACHE_DIR"] = "1"
        make = ["make", "--no-print-directory"]
        cold = timed([*make, "paper"], tree, env)
        shutil.rmtree(tree / "build")
        build = timed([*make, "paper"], tree, env)
        return cold, build


def main() -> None:
    """Time `make paper` in fresh clones of each revision, venv included, and print medians."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python bench/cold_paper.py --rev 4deb615 --rev HEAD --rounds 2")
    parser.add_argument("--rev", action="append", required=True,
                        help="a commit to measure (give two to compare; the first is the base)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each revision")
    parser.add_argument("--warm-uv-cache", type=Path,
                        help="reuse this uv cache (a second clone on the same machine)")
    args = parser.parse_args()
    revs = [subprocess.run(["git", "rev-parse", "--short", r], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip() for r in args.rev]
    colds: dict[str, list[tuple[float, float]]] = {r: [] for r in revs}
    for n in range(args.rounds):
        for rev in revs:
            (wall, cpu), (build_wall, build_cpu) = one_run(rev, args.warm_uv_cache)
            colds[rev].append((wall, cpu))
            print(f"round {n + 1} {rev}: cold make paper {wall:5.1f} s ({cpu:5.1f} s CPU); "
                  f"again without build/ {build_wall:5.1f} s ({build_cpu:5.1f} s CPU)   "
                  f"[load {os.getloadavg()[0]:.1f}]", flush=True)
    base = [statistics.median(run[i] for run in colds[revs[0]]) for i in (0, 1)]
    for rev in revs:
        wall, cpu = (statistics.median(run[i] for run in colds[rev]) for i in (0, 1))
        print(f"{rev}: median cold make paper {wall:5.1f} s ({wall / base[0]:.2f} of "
              f"{revs[0]}), {cpu:5.1f} s CPU ({cpu / base[1]:.2f})")


if __name__ == "__main__":
    main()
