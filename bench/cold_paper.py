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
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-2000:]}\n"
                         f"{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def one_run(rev: str, warm_cache: Path | None) -> tuple[float, float]:
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
    times: dict[str, list[tuple[float, float]]] = {r: [] for r in revs}
    for n in range(args.rounds):
        for rev in revs:
            cold, build = one_run(rev, args.warm_uv_cache)
            times[rev].append((cold, build))
            load = os.getloadavg()[0]
            print(f"round {n + 1} {rev}: make paper {cold:6.1f} s, of which the build "
                  f"{build:5.1f} s   [load {load:.1f}]", flush=True)
    base = statistics.median(c for c, _ in times[revs[0]])
    for rev in revs:
        cold = statistics.median(c for c, _ in times[rev])
        print(f"{rev}: median cold make paper {cold:6.1f} s  ({cold / base:.2f} of {revs[0]})")


if __name__ == "__main__":
    main()
