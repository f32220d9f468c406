"""Facts about works gathered by hand (`papers.json` + `bib/seed/papers-extra.json`).

Why this exists: there is no network in CI, so the committed cache is produced by the
real refresh code talking to a local fact server (`factserver.py`) that serves these facts in
the sources' own formats. The same facts seed the library's first version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maaza_core import paths
from maaza_core.errors import UserError
from papertools.bib.library import strip_arxiv_version

# The team's shared/literature/papers.json, copied into the project (facts, not prose).
SHARED_PAPERS = paths.BIB_SEED_DIR / "papers.json"
# Works the related-work drafts need that papers.json lacks (same format).
EXTRA_PAPERS = paths.BIB_SEED_DIR / "papers-extra.json"
# How the two files are named inside cache records ("seeded_from").
SEED_LABELS = {
    SHARED_PAPERS: "shared/literature/papers.json",
    EXTRA_PAPERS: "bib/seed/papers-extra.json",
}


@dataclass(frozen=True)
class Fact:
    """One work as papers.json describes it (only the fields the tools use)."""

    key: str  # suggested citation key
    title: str  # title of the arXiv record (or the venue's when there is none)
    authors: tuple[str, ...]  # in order
    authors_truncated: bool  # true when the list was cut at 30 by whoever gathered it
    arxiv_id: str | None  # without version
    arxiv_year: int | None  # year of the first arXiv version
    venue: str | None  # e.g. "ICLR", "Findings of EMNLP"
    venue_year: int | None  # year of the venue publication
    venue_type: str | None  # conference | workshop | journal | report | None (preprint)
    pages: str | None  # "2158--2170"
    doi: str | None  # DOI of the venue version
    arxiv_doi: str | None  # 10.48550/arXiv.<id>
    url: str | None  # landing page
    category: str | None  # one of CATEGORIES
    notes: str | None  # known differences between versions
    origin: str  # label of the file it came from


def _fact(raw: dict[str, Any], origin: str) -> Fact:
    arxiv = raw.get("arxiv_id")
    return Fact(
        key=raw["key"],
        title=raw["title"],
        authors=tuple(raw.get("authors") or ()),
        authors_truncated=bool(raw.get("authors_truncated")),
        arxiv_id=strip_arxiv_version(arxiv) if arxiv else None,
        arxiv_year=raw.get("arxiv_year"),
        venue=raw.get("venue"),
        venue_year=raw.get("venue_year"),
        venue_type=raw.get("venue_type"),
        pages=raw.get("pages"),
        doi=raw.get("doi"),
        arxiv_doi=raw.get("arxiv_doi"),
        url=raw.get("url"),
        category=raw.get("category"),
        notes=raw.get("notes"),
        origin=origin,
    )


def read_facts(files: tuple[Path, ...] = (SHARED_PAPERS, EXTRA_PAPERS)) -> list[Fact]:
    """All facts from the given files that exist; later files may add works, not replace."""
    facts: dict[str, Fact] = {}
    for path in files:
        if not path.exists():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{exc.lineno}: {exc.msg} (fix: correct the JSON)") from exc
        if not isinstance(data, list):
            raise UserError(f"{path}:1: expected a JSON list of works")
        for i, raw in enumerate(data):
            if not isinstance(raw, dict) or "key" not in raw or "title" not in raw:
                raise UserError(f"{path}: item {i}: a work needs at least 'key' and 'title'")
            facts.setdefault(raw["key"], _fact(raw, SEED_LABELS.get(path, str(path))))
    return list(facts.values())
