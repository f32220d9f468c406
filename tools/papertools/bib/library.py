"""The curated library (`bib/library.yaml`): the one file people edit.

Why line numbers everywhere: the library is hand-edited, so every complaint must point at
the line to fix (maaza_core.yamlfile keeps each node's line), and all complaints come at
once, so that fixing a file takes one run, not one run per mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from maaza_core import paths
from maaza_core.atomic import write_atomic
from maaza_core.errors import DataError, DataErrors
from maaza_core.yamlfile import YamlDoc, load_yaml

# The categories a work may carry; extend the tuple to add one (the only place to edit).
CATEGORIES: tuple[str, ...] = (
    "slm",
    "benchmark",
    "finetuning",
    "compression",
    "edge",
    "architecture",
    "structured-output",
)

# Identifier fields an entry may carry, in the order they are written.
ID_FIELDS: tuple[str, ...] = ("arxiv", "doi", "s2", "url")
_ALLOWED = {"key", *ID_FIELDS, "categories", "keep", "notes", "override"}


@dataclass(frozen=True)
class Entry:
    """One curated work."""

    key: str  # stable citation key, never changed by a refresh
    line: int  # 1-based line of the entry in the library file (for messages)
    arxiv: str | None = None  # arXiv id without version, e.g. "2106.09685"
    doi: str | None = None  # DOI of the published version (case-insensitive)
    s2: str | None = None  # Semantic Scholar paperId
    url: str | None = None  # landing page for software and blog posts
    categories: tuple[str, ...] = ()  # subset of CATEGORIES, becomes BibTeX keywords
    keep: bool = False  # true = kept in the bib although nothing cites it
    notes: str | None = None  # free text for people (known version differences)
    override: dict[str, str] = field(default_factory=dict)  # pinned BibTeX fields

    def __post_init__(self) -> None:
        if self.arxiv:  # any version names the same work: keep the bare id
            object.__setattr__(self, "arxiv", strip_arxiv_version(self.arxiv))

    @property
    def has_source_id(self) -> bool:
        """True when a source can be asked by identifier rather than by title."""
        return bool(self.arxiv or self.doi or self.s2)


@dataclass(frozen=True)
class Library:
    """All entries of one library file, in file order."""

    path: Path  # the file the entries were read from
    entries: tuple[Entry, ...]  # file order, keys unique

    @property
    def keys(self) -> list[str]:
        """The entry keys in file order."""
        return [e.key for e in self.entries]

    def get(self, key: str) -> Entry | None:
        """The entry of `key`, None when the library has none."""
        return next((e for e in self.entries if e.key == key), None)


def strip_arxiv_version(arxiv_id: str) -> str:
    """`2106.09685v2` -> `2106.09685`; old-style `hep-th/9901001v1` likewise."""
    arxiv_id = arxiv_id.strip()
    head, sep, tail = arxiv_id.rpartition("v")
    if sep and head and tail.isdigit() and (head[-1].isdigit()):
        return head
    return arxiv_id


def unknown_category(category: str) -> str:
    """The one message for a category not in CATEGORIES (library file and `bib add`)."""
    return f"unknown category '{category}' (known: {', '.join(CATEGORIES)})"


def _problems(doc: YamlDoc, i: int, raw: dict[str, Any]) -> list[DataError]:
    """Everything wrong with entry i, each at its own line."""
    found = [doc.error([i, name], f"unknown field '{name}' (known: "
                                  f"{', '.join(sorted(_ALLOWED))})")
             for name in raw if name not in _ALLOWED]
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip():
        found.append(doc.error([i], "entry without a 'key' (fix: add key: ...)"))
    cats = raw.get("categories") or []
    if not isinstance(cats, list):
        found.append(doc.error([i, "categories"], "categories must be a list"))
        cats = []
    found += [doc.error([i, "categories"], unknown_category(cat))
              for cat in cats if cat not in CATEGORIES]
    override = raw.get("override") or {}
    if not isinstance(override, dict):
        found.append(doc.error([i, "override"], "override must be a mapping"))
        override = {}
    if not _citable(raw, override) and isinstance(key, str):
        found.append(doc.error([i], _NOT_CITABLE.format(key=key)))
    return found


def _entry(doc: YamlDoc, i: int, errors: list[DataError]) -> Entry | None:
    """Entry i of the list, or None after adding each of its problems to `errors`."""
    raw = doc.data[i]
    if not isinstance(raw, dict):
        errors.append(doc.error([i], "an entry must be a mapping with a 'key'"))
        return None
    found = _problems(doc, i, raw)
    errors += found
    if found:
        return None
    arxiv = raw.get("arxiv")
    return Entry(
        key=raw["key"].strip(),
        line=doc.line([i]),
        arxiv=strip_arxiv_version(str(arxiv)) if arxiv else None,
        doi=str(raw["doi"]) if raw.get("doi") else None,
        s2=str(raw["s2"]) if raw.get("s2") else None,
        url=str(raw["url"]) if raw.get("url") else None,
        categories=tuple(raw.get("categories") or ()),
        keep=bool(raw.get("keep", False)),
        notes=raw.get("notes"),
        override={str(k): str(v) for k, v in (raw.get("override") or {}).items()},
    )


_NOT_CITABLE = (
    "entry '{key}' has no arxiv, doi or s2 id, no pinned title to look up, and no pinned "
    "author and year, so its citation would have neither (fix: add arxiv: or doi:, or "
    "override: {{title: ...}} or {{author: ..., year: ...}})")


def _citable(raw: dict[str, Any], override: dict[str, Any]) -> bool:
    """An entry must be able to produce an author and a year: from an identifier, from a
    pinned title that a source can be asked about, or pinned itself. Without any of them
    the .bib gets an empty @misc and the paper prints the bare key ("(hu2)")."""
    if any(raw.get(k) for k in ("arxiv", "doi", "s2")) or override.get("title"):
        return True
    return bool((override.get("author") or override.get("key")) and override.get("year"))


def load_library(path: Path | None = None) -> Library:
    """Read and validate the library; DataErrors lists every problem with its
    file:line (a missing file or broken YAML is one DataError)."""
    path = Path(path or paths.LIBRARY_FILE)
    doc = load_yaml(path, what="library file", missing_fix="create it or pass --library")
    if doc.data is None:
        return Library(path=path, entries=())
    if not isinstance(doc.data, list):
        raise DataErrors([doc.error([], "the library must be a YAML list of entries")],
                         "the library")
    errors: list[DataError] = []
    entries = [e for i in range(len(doc.data)) if (e := _entry(doc, i, errors))]
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.key in seen:
            errors.append(DataError(path, f"duplicate key '{entry.key}' (first at line "
                                          f"{seen[entry.key].line}; fix: rename or merge "
                                          "the entries)", line=entry.line))
        seen.setdefault(entry.key, entry)
    if errors:
        raise DataErrors(errors, "the library")
    return Library(path=path, entries=tuple(entries))


def entry_to_yaml(entry: Entry) -> dict[str, Any]:
    """The mapping written for one entry (fields in a fixed order, empty ones left out)."""
    out: dict[str, Any] = {"key": entry.key}
    for name in ID_FIELDS:
        if getattr(entry, name):
            out[name] = getattr(entry, name)
    out["categories"] = list(entry.categories)
    if entry.keep:
        out["keep"] = True
    if entry.notes:
        out["notes"] = entry.notes
    if entry.override:
        out["override"] = dict(entry.override)
    return out


HEADER = """\
# The curated literature library: one entry per work, edited by people.
# `papertools bib write` turns it (plus bib/cache/) into bib/references.bib.
#
# - key: hu2021lora            # stable citation key, never changed by a refresh
#   arxiv: "2106.09685"        # optional ids: arxiv, doi, s2 (Semantic Scholar), url
#   categories: [finetuning]   # from: slm, benchmark, finetuning, compression, edge,
#                              #   architecture, structured-output
#                              #   (extend CATEGORIES in tools/papertools/bib/library.py)
#   keep: false                # optional: true = deliberately kept although not cited
#   notes: "..."               # optional: known differences between versions
#   override: {booktitle: ...} # optional pinned BibTeX fields; win over the sources
#
# Entries without arxiv/doi/s2 are looked up by override.title (Semantic Scholar
# title match); software and blog posts pin their fields in override.
"""


def append_entries(path: Path, new: list[Entry]) -> None:
    """Append entries as YAML text, keeping the existing text (and comments) untouched."""
    old = path.read_text(encoding="utf-8") if path.exists() else HEADER
    chunk = dump_entries(new)
    sep = "" if old.endswith("\n") or not old else "\n"
    write_atomic(path, old + sep + chunk)


class _FlowList(list):
    """A list dumped inline (`[slm, edge]`), as people write categories by hand."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def dump_entries(entries: list[Entry]) -> str:
    """YAML for entries: one blank line between them, categories inline, the rest block."""
    blocks = []
    for entry in entries:
        data = entry_to_yaml(entry)
        data["categories"] = _FlowList(data["categories"])
        text = yaml.dump(
            [data], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88,
            default_flow_style=False,
        )
        blocks.append(text)
    return "\n".join(blocks)
