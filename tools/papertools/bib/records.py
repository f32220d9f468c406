"""Normalized source records and their on-disk cache (`bib/cache/<source>/<id>.json`).

Why a cache of *normalized* records rather than raw responses: `make paper` and
`make bib OFFLINE=1` must run without network and without the client packages' parsing,
and a reviewer of a diff should see exactly which fields changed in a source.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from maaza_core import paths
from maaza_core.atomic import write_atomic
from maaza_core.errors import DataError
from papertools.bib.lookup import LookupId

ARXIV = "arxiv"
S2 = "s2"
SOURCES = (ARXIV, S2)


@dataclass(frozen=True)
class Record:
    """What one source says about one work (or that it does not know it)."""

    source: str  # ARXIV or S2
    lookup: str  # the id asked for: an arXiv id, or for S2 a LookupId's text ("DOI:..")
    found: bool  # False = the source answered and does not know the id
    title: str = ""  # as the source spells it, whitespace collapsed
    authors: tuple[str, ...] = ()  # full names, in order
    authors_truncated: bool = False  # true only when the source itself cut the list
    year: int | None = None  # arXiv: first version's year; S2: publication year
    arxiv_id: str | None = None  # without version
    doi: str | None = None  # published version's DOI (arXiv's <arxiv:doi>, S2 externalIds)
    venue: str | None = None  # S2 venue/journal name, or arXiv journal_ref
    venue_type: str | None = None  # conference | journal | workshop | None (preprint)
    pages: str | None = None  # "12--34"
    volume: str | None = None  # journal volume when the source gives it
    s2_id: str | None = None  # Semantic Scholar paperId
    fetched_at: str = ""  # ISO time of the request, UTC
    fetched_from: str = ""  # the URL requested
    seeded_from: str | None = None  # set when a local mirror of hand-gathered facts answered
    extra: dict[str, Any] = field(default_factory=dict)  # source-specific, e.g. comment

    def to_json(self) -> str:
        """The record's cache file text: sorted keys and UTF-8, so a refetch that changes nothing
        leaves the file byte-identical."""
        data = asdict(self)
        data["authors"] = list(self.authors)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Record:
        """A record from its cache file; keys it does not know are dropped (older files)."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError(f"a JSON object expected, not {type(data).__name__}")
        data["authors"] = tuple(data.get("authors") or ())
        if data.keys() == _FIELDS:  # as to_json wrote it: skip __init__'s checks (warm
            record = object.__new__(cls)  # bib-check reads 10,000s of records)
            record.__dict__.update(data)
            return record
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})


_FIELDS = frozenset(Record.__dataclass_fields__)


def published(records: Iterable[Record]) -> Record | None:
    """The published version: the first record naming a venue and its kind (merge writes
    it, verify compares against it)."""
    return next((r for r in records if r.venue_type and r.venue), None)


def now_iso() -> str:
    """The UTC time, seconds precision, for `fetched_at`."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def safe_name(lookup: str) -> str:
    """A file name for a lookup id: `DOI:10.1/A.b` -> `doi_10.1_a.b` (DOIs are case-free)."""
    name = lookup.lower() if lookup.upper().startswith("DOI:") else lookup
    return re.sub(r"[^A-Za-z0-9.\-]+", "_", name).strip("_")[:150]


class Cache:
    """Records on disk; reads from several folders, writes to the first."""

    def __init__(self, root: Path | None = None, extra_read: tuple[Path, ...] = ()) -> None:
        self.root = Path(root or paths.BIB_CACHE_DIR)
        self._dirs = tuple(dict.fromkeys((self.root, *map(Path, extra_read))))
        self._dir_names = tuple(str(d) for d in self._dirs)  # plain strings: os.path is
        self._memo: dict[tuple[str, str], Record | None] = {}  # cheaper than pathlib here

    def path(self, source: str, lookup: str) -> Path:
        """Where the record of `lookup` at `source` is written (the first folder)."""
        return self.root / source / f"{safe_name(lookup)}.json"

    def get(self, source: str, lookup: str | LookupId) -> Record | None:
        """The record stored under a lookup's text (LookupId.text, or an arXiv id)."""
        lookup = str(lookup)
        memo_key = (source, lookup)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._read(source, lookup)
        return self._memo[memo_key]

    def _read(self, source: str, lookup: str) -> Record | None:
        name = f"{safe_name(lookup)}.json"
        for folder in self._dir_names:
            try:  # one open per folder, no separate exists() (10,000s of records warm)
                with open(os.path.join(folder, source, name), "rb") as handle:
                    text = handle.read()
            except FileNotFoundError:
                continue
            try:
                return Record.from_json(text)
            except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
                # Taken for missing, it would turn into an empty .bib entry offline.
                raise DataError(Path(folder, source, name), f"not a cache record ({exc}) "
                                "(fix: delete the file; `make bib` fetches it again)") from None
        return None

    def put(self, record: Record) -> None:
        """Store a record; an unchanged record keeps its file (and its fetched_at)."""
        file = self.path(record.source, record.lookup)
        old = self.get(record.source, record.lookup)
        if old is not None and _same_data(old, record) and file.exists():
            return
        write_atomic(file, record.to_json())
        self._memo[(record.source, record.lookup)] = record

    def files(self) -> list[Path]:
        """Every record file of the writable folder."""
        return sorted(self.root.glob("*/*.json"))

    def staged(self, root: Path) -> Cache:
        """A cache that writes to `root` and reads it before this one's folders: records
        fetched for a change that may still fail (`bib add`) stay out of this cache until
        `commit` puts them here."""
        return Cache(root, extra_read=self._dirs)

    def commit(self, staged: Cache) -> None:
        """Put every record `staged` wrote into this cache."""
        for file in staged.files():
            self.put(Record.from_json(file.read_bytes()))


def _same_data(a: Record, b: Record) -> bool:
    """Equal except for when and where from: a refresh with no news changes no file."""
    strip = {"fetched_at": "", "fetched_from": ""}
    return replace(a, **strip) == replace(b, **strip)
