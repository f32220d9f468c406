"""How long `bib-check` takes on a large .bib file when every record is already cached.

A benchmark, not a test: it prints seconds. It generates (seeded, so every run is the
same) N entries in a temporary folder together with the cache records a refresh would
have stored for them, then runs the real `check_file` against the local mirror, which
must receive no request. The mix mirrors real files: most entries carry an arXiv id
(in `eprint`, or in `journal` as "arXiv preprint arXiv:..."), some a DOI, a few only a
title; 1 in 50 has a wrong year and 1 in 100 a wrong author, so findings are produced.

    python bench/bib_check.py                  # 10,000 entries
    python bench/bib_check.py --profile 15     # also the 15 costliest functions
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import tempfile
import time
from pathlib import Path

from pybtex.database import BibliographyData, Entry, Person

from papertools.bib.check import check_file
from papertools.bib.config import SourceConfig
from papertools.bib.factserver import FactServer
from papertools.bib.records import ARXIV, S2, Cache, Record

WORDS = ("small language models structured extraction benchmark efficient edge inference "
         "quantization adapters low rank tuning json schema grammar decoding distillation "
         "compression mobile devices evaluation reasoning retrieval sparse attention "
         "transformers scaling data curriculum instruction following tool calling").split()
FIRST = "Ada Alan Grace Edsger Barbara Donald Frances John Margaret Niklaus Radia Tim".split()
LAST = ("Lovelace Turing Hopper Dijkstra Liskov Knuth Allen McCarthy Hamilton Wirth Perlman "
        "Berners-Lee Müller Çelik Øverby García Nguyen Zhang Kowalski Novák").split()


def _work(i: int, rng: random.Random) -> Record:
    """The source's view of work i (title, authors, year, ids)."""
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).capitalize()
    authors = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 6)))
    # 10,000 works spread over 100 months of 2015-2023 ids: YYMM.NNNNN stays unique.
    arxiv = f"{15 + i % 9:02d}{1 + i % 12:02d}.{i:05d}"
    return Record(ARXIV, arxiv, True, title=f"{title} {i}", authors=authors,
                  year=2015 + i % 9, arxiv_id=arxiv)


def _bib_entry(i: int, rec: Record) -> Entry:
    year = rec.year + 3 if i % 50 == 0 else rec.year  # 1 in 50: a wrong year
    names = list(rec.authors)
    if i % 100 == 1:  # 1 in 100: a wrong first author
        names[0] = "Someone Else"
    fields = {"title": "{" + rec.title + "}", "year": str(year)}
    kind = i % 10
    if kind < 6:
        fields["eprint"] = rec.arxiv_id or ""
    elif kind < 8:
        fields["journal"] = f"arXiv preprint arXiv:{rec.arxiv_id}"
    elif kind < 9:
        fields["doi"] = f"10.5555/bench.{i}"
    if kind >= 8:  # published: an article needs its journal (biblatex's data model)
        fields["journal"] = "Journal of Benchmark Studies"
    persons = {"author": [Person(n) for n in names]}
    return Entry("misc" if kind < 8 else "article", fields=fields, persons=persons)


def _store(cache: Cache, record: Record) -> None:
    """The file Cache.put writes, without its fsync (setup time is not what is measured)."""
    path = cache.path(record.source, record.lookup)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record.to_json(), encoding="utf-8")


def generate(n: int, folder: Path) -> tuple[Path, Cache]:
    """Write `refs.bib` with n entries and the records a refresh would have cached."""
    rng = random.Random(20250101)
    cache = Cache(folder / "cache")
    data = BibliographyData()
    for i in range(n):
        rec = _work(i, rng)
        entry = _bib_entry(i, rec)
        data.add_entry(f"work{i:05d}", entry)
        kind = i % 10
        if kind < 8:
            _store(cache, rec)
            _store(cache, Record(S2, f"ARXIV:{rec.arxiv_id}", True, title=rec.title,
                                 authors=rec.authors, year=rec.year, arxiv_id=rec.arxiv_id))
        elif kind < 9:
            _store(cache, Record(S2, f"DOI:10.5555/bench.{i}", True, title=rec.title,
                                 authors=rec.authors, year=rec.year,
                                 doi=f"10.5555/bench.{i}"))
        else:
            _store(cache, Record(S2, f"TITLE:{rec.title}", True, title=rec.title,
                                 authors=rec.authors, year=rec.year))
    bib = folder / "refs.bib"
    data.to_file(str(bib), bib_format="bibtex")
    return bib, cache


def main() -> None:
    """Time a bib-check of the generated file and print the figures (no assertion: speed is measured
    here, never in tests)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example: python bench/bib_check.py --entries 10000 --profile 15")
    parser.add_argument("--entries", type=int, default=10_000, help="entries to generate")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N functions with the most cumulative time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FactServer() as mirror:
        start = time.perf_counter()
        bib, cache = generate(args.entries, Path(tmp))
        made = time.perf_counter() - start
        cfg = SourceConfig(arxiv_url=mirror.arxiv_url, s2_url=mirror.s2_url)
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        report = check_file(bib, cfg, cache=Cache(cache.root))  # fresh: nothing memoized
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        requests = sum(mirror.counts.values())
    print(f"generated {args.entries} entries and their cache records in {made:.1f} s")
    print(f"bib-check: {seconds:.2f} s for {report.entries} entries "
          f"({1e3 * seconds / max(1, report.entries):.2f} ms each), requests {requests}, "
          f"errors {report.errors}, from cache {report.refresh.cached}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
