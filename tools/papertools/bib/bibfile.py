"""Reading any .bib file strictly, with errors that name the file and line.

Why bibtexparser v2: it parses 10,000 entries about five times faster than pybtex (the
largest cost of a warm bib-check), keeps each entry's raw text and line (which `--fix`
needs to rewrite one entry and leave every other byte as it was), and reports broken
blocks, duplicate keys and duplicate fields as blocks we turn into one DataError each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware

from maaza_core.errors import DataError
from papertools.bib.names import split_authors

# bibtexparser logs every failed block; we raise our own error line instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class BibItem:
    """One entry of a .bib file, in plain terms."""

    key: str  # citation key
    type: str  # lower-case entry type
    line: int  # 1-based line of the '@' that starts it
    fields: dict[str, str]  # lower-case field names -> values (LaTeX, delimiters removed)
    authors: tuple[str, ...]  # BibTeX names in order, without a final "others"
    truncated: bool = False  # the author list ends in "and others"
    start: int = 0  # offset of the entry's '@' in the file text
    end: int = 0  # offset just after its closing brace
    order: tuple[str, ...] = ()  # field names as written (original case)
    inherited: tuple[str, ...] = ()  # fields taken from the crossref parent (check.py)


@dataclass(frozen=True)
class BibFile:
    """A parsed file: its text (for --fix) and its entries in file order."""

    path: Path
    text: str
    items: tuple[BibItem, ...]


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(path, "invalid UTF-8 (fix: re-save the file as UTF-8)",
                        line=line) from exc


def _check_failed(path: Path, library: bibtexparser.Library) -> None:
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            first = next(b.start_line + 1 for b in library.blocks
                         if isinstance(b, model.Entry) and b.key == block.key)
            raise DataError(path, f"duplicate key '{block.key}' (first at line {first}; "
                            "fix: rename or remove one)", line=line)
        if isinstance(block, model.DuplicateFieldKeyBlock):
            raise DataError(path, f"{block.error} (fix: keep one of the fields)", line=line)
        detail = " ".join(str(getattr(block, "error", "") or "").split()[-12:])
        raise DataError(path, f"syntax error in this entry{': ' + detail if detail else ''} "
                        "(fix: balance the braces/quotes)", line=line)


def _item(entry: model.Entry, text: str, line_starts: list[int]) -> BibItem:
    begin = line_starts[min(entry.start_line, len(line_starts) - 1)]
    start = text.find(entry.raw, begin)
    start = begin if start < 0 else start
    fields = {f.key.lower(): str(f.value) for f in entry.fields}
    names, truncated = split_authors(fields.get("author", "")) if "author" in fields \
        else ([], False)
    return BibItem(entry.key, entry.entry_type.lower(), entry.start_line + 1, fields,
                   tuple(names), truncated, start, start + len(entry.raw),
                   tuple(f.key for f in entry.fields))


def parse_bib(path: Path) -> BibFile:
    """Parse `path`; raise DataError naming file:line for invalid UTF-8, syntax errors,
    duplicate keys and duplicate fields. Nothing is written anywhere."""
    path = Path(path)
    return parse_text(_decode(path, path.read_bytes()), path)


def parse_text(text: str, path: Path) -> BibFile:
    """Parse BibTeX text; errors name `path` and the line."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    if library.strings:  # @string macros: resolved only when there are some (20% of a parse)
        library = ResolveStringReferencesMiddleware(True).transform(library)
    library = RemoveEnclosingMiddleware(True).transform(library)
    _check_failed(path, library)
    line_starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        line_starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    items = tuple(_item(e, text, line_starts) for e in library.entries)
    return BibFile(path, text, items)
