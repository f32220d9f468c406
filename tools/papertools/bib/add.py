"""`bib add ID...`: new works into the library, keyed like the existing ones.

Why fetch before writing: the key (surname + year + first title word) comes from the
source record, and an id no source knows must not become an empty library entry.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from maaza_core.errors import UserError
from papertools.bib.config import SourceConfig
from papertools.bib.dedupe import Identity
from papertools.bib.library import CATEGORIES, Entry, Library, append_entries, unknown_category
from papertools.bib.matching import fold, surname
from papertools.bib.records import Cache, Record
from papertools.bib.refresh import Refresher, records_for, wanted_for

_STOP = {"a", "an", "the", "on", "of", "for", "and", "in", "to", "with", "is", "are"}


def make_key(record: Record, taken: set[str]) -> str:
    """`hu2021lora` style: first-author surname, year, first significant title word."""
    words = [w for w in fold(record.title).split() if w not in _STOP]
    base = f"{surname(record.authors[0]) if record.authors else 'anon'}{record.year or ''}" \
           f"{words[0] if words else ''}"
    base = re.sub(r"[^a-z0-9]", "", base)
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 1)}"
    return key


def _identity(entry: Entry) -> Identity:
    return Identity(entry.key, entry.arxiv, entry.doi, entry.s2)


def add_works(library: Library, ids: list[str], cfg: SourceConfig,
              categories: list[str], cache: Cache | None = None,
              offline: bool = False) -> list[str]:
    """Fetch every id, then append all new entries in one atomic write (or none: a bad
    id anywhere in the list leaves the library file as it was). Offline, only records
    already in the cache are used and no source is contacted.

    Records are fetched into a staging folder and reach `cache` (the committed
    bib/cache/) only after the library is written: a failed add leaves no record of a
    work the library does not list."""
    bad = [c for c in categories if c not in CATEGORIES]
    if bad:
        raise UserError(unknown_category(bad[0]))
    cache = cache or Cache()
    with tempfile.TemporaryDirectory(prefix="bib-add-") as tmp:
        staged = cache.staged(Path(tmp))
        new = _fetch_new(library, ids, cfg, categories, staged, offline)
        append_entries(library.path, new)
        cache.commit(staged)
    return [e.key for e in new]


def _fetch_new(library: Library, ids: list[str], cfg: SourceConfig, categories: list[str],
               cache: Cache, offline: bool) -> list[Entry]:
    """The library entries for `ids`, each looked up (into `cache`) and keyed."""
    new: list[Entry] = []
    taken = set(library.keys)
    for raw in ids:
        is_doi = raw.lower().startswith("10.")
        probe = Entry(key="?", line=0, doi=raw if is_doi else None,
                      arxiv=None if is_doi else raw.removeprefix("arXiv:"))
        if any(_identity(probe).same_id(_identity(e)) for e in (*library.entries, *new)):
            raise UserError(f"{raw}: already in {library.path} or given twice "
                            "(fix: nothing to add)")
        report = Refresher(cfg, cache).run(wanted_for([probe]), offline=offline, strict=True)
        if report.findings:
            raise UserError(f"{raw}: {report.findings[0].message}")
        found = [r for r in records_for(probe, cache) if r.found]
        if not found and offline:
            raise UserError(f"{raw}: not in the cache, and --offline contacts no source "
                            "(fix: run without --offline)")
        if not found:
            raise UserError(f"{raw}: not found in arXiv or Semantic Scholar (fix: check the id)")
        key = make_key(found[0], taken)
        taken.add(key)
        new.append(Entry(key=key, line=0, arxiv=probe.arxiv, doi=probe.doi,
                         categories=tuple(categories)))
    return new
