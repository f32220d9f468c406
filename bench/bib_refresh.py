"""How many requests and seconds a literature refresh costs: batched versus one per work.

A benchmark, not a test: it prints figures and ratios. Both approaches talk to the local
fact server (`papertools.bib.factserver`, which the tests' mirror builds on) with arXiv's
3-second delay between requests honoured, so the seconds are what the politeness rule costs, not the
network. Batched: all ids in one arXiv request and one Semantic Scholar batch POST, then a
warm run that must make none. One per work: one arXiv request and one S2 request per work,
which with 3 s between arXiv calls takes about (N - 1) x 3 s (147 s for 50 works).

    python bench/bib_refresh.py                   # 50 works, per-work comparison on all 50
    python bench/bib_refresh.py --per-work 10     # a shorter comparison (~27 s)
    python bench/bib_refresh.py --library         # cold and warm `make bib` of bib/library.yaml
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from papertools.bib.config import SourceConfig
from papertools.bib.factserver import FactServer
from papertools.bib.library import Entry
from papertools.bib.records import Cache
from papertools.bib.refresh import Refresher, RefreshReport, wanted_for
from papertools.bib.seed import read_facts


def timed_refresh(mirror: FactServer, cfg: SourceConfig, cache: Cache,
                  entries: list[Entry]) -> tuple[float, Counter[str], RefreshReport]:
    """Seconds, requests per source and the report of one refresh of `entries`."""
    before = Counter(mirror.counts)
    start = time.perf_counter()
    report = Refresher(cfg, cache).run(wanted_for(entries))
    seconds = time.perf_counter() - start
    return seconds, Counter(mirror.counts) - before, report


def _line(label: str, seconds: float, requests: Counter[str], report: RefreshReport) -> str:
    return (f"{label:<22} {seconds:7.2f} s   requests arXiv {requests['arxiv']:3d}  "
            f"S2 {requests['s2']:3d}   fetched {report.fetched:3d}  from cache {report.cached:3d}")


def library_requests(delay: float) -> None:
    """Requests of a cold `make bib` (empty cache) and a warm one, for this library."""
    from maaza_core import paths
    from papertools.bib.build import build_all
    from papertools.bib.library import load_library

    library = load_library()
    with FactServer(read_facts()) as mirror, \
            tempfile.TemporaryDirectory() as tmp:
        cfg = SourceConfig(arxiv_url=mirror.arxiv_url, s2_url=mirror.s2_url,
                           arxiv_delay=delay, backoff=0.01)
        cache = Cache(Path(tmp) / "cache")
        for label in ("cold", "warm"):
            before = Counter(mirror.counts)
            start = time.perf_counter()
            report = build_all(library, cache, cfg, out=Path(tmp) / "references.bib",
                               sources=[paths.PAPER_DIR, paths.LITREVIEW_DIR])
            used = Counter(mirror.counts) - before
            print(f"make bib, {label}: {time.perf_counter() - start:6.2f} s   requests arXiv "
                  f"{used['arxiv']}  S2 {used['s2']}   ({report.summary()})")


def main() -> None:
    """Refresh the same works batched and one request at a time against the local mirror, and print
    requests and seconds of each."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: python bench/bib_refresh.py --works 50 --per-work 10")
    parser.add_argument("--works", type=int, default=50, help="works to refresh (max 54)")
    parser.add_argument("--per-work", type=int, default=None,
                        help="works for the one-request-per-work comparison (default: --works)")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds between arXiv calls")
    parser.add_argument("--library", action="store_true",
                        help="only: requests of a cold and a warm make bib of bib/library.yaml")
    args = parser.parse_args()
    if args.library:
        library_requests(args.delay)
        return
    facts = [f for f in read_facts() if f.arxiv_id][: args.works]
    entries = [Entry(key=f.key, line=0, arxiv=f.arxiv_id) for f in facts]
    per_work = entries[: args.per_work or len(entries)]
    with FactServer(facts) as mirror, tempfile.TemporaryDirectory() as tmp:
        cfg = SourceConfig(arxiv_url=mirror.arxiv_url, s2_url=mirror.s2_url,
                           arxiv_delay=args.delay, backoff=0.01)
        cache = Cache(Path(tmp) / "batched")
        cold = timed_refresh(mirror, cfg, cache, entries)
        warm = timed_refresh(mirror, cfg, cache, entries)
        one_cfg = replace(cfg, arxiv_batch=1, s2_batch=1)
        single = timed_refresh(mirror, one_cfg, Cache(Path(tmp) / "single"), per_work)
    print(f"{len(entries)} works, arXiv delay {args.delay:g} s, local mirror")
    print(_line("batched, cold", *cold))
    print(_line("batched, warm", *warm))
    print(_line(f"one per work ({len(per_work)})", *single))
    ratio_requests = sum(single[1].values()) / max(1, sum(cold[1].values()))
    print(f"one-per-work / batched: {ratio_requests:.0f}x the requests, "
          f"{single[0] / max(cold[0], 1e-9):.0f}x the seconds"
          + ("" if len(per_work) == len(entries) else f" (on {len(per_work)} works)"))


if __name__ == "__main__":
    main()
