"""`bib check --fix`: a corrected copy of a .bib file, changing only what findings name.

Why edit the text rather than re-serialise the parsed file: people's .bib files carry
their own layout, comments, field order, abbreviations and user fields (`file`, `note`,
`abstract`); writing them back through a serialiser would turn a three-line fix into a
diff of the whole file. Only the entries with a fix are touched, and in them only the
type and the named fields; everything else keeps its bytes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from papertools.bib.bibfile import BibItem
from papertools.bib.findings import Fix
from papertools.bib.names import SAME, compare_name, file_name, source_name
from papertools.bib.writer import bibtex_name, latex, protect_title

_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*[^,\s]+\s*,")
_NAME = re.compile(r"\s*([A-Za-z][\w\-:.]*)\s*=\s*")


@dataclass(frozen=True)
class Span:
    """Where one field sits in an entry's text."""

    name: str  # as written
    start: int  # first character of the field's line part (its name)
    value: tuple[int, int]  # the value, delimiters included
    end: int  # after the value and its trailing comma, if any


def _value_end(raw: str, i: int) -> int:
    """End of a value starting at i: {balanced}, "quoted", or bare, joined by #."""
    while True:
        if raw[i] == "{":
            depth = 0
            while True:
                depth += {"{": 1, "}": -1}.get(raw[i], 0)
                i += 1
                if depth == 0:
                    break
        elif raw[i] == '"':
            i += 1
            depth = 0
            while raw[i] != '"' or depth:
                depth += {"{": 1, "}": -1}.get(raw[i], 0)
                i += 1
            i += 1
        else:
            while raw[i] not in ",}#\n" and not raw[i].isspace():
                i += 1
        j = i
        while j < len(raw) and raw[j].isspace():
            j += 1
        if j < len(raw) and raw[j] == "#":
            i = j + 1
            while raw[i].isspace():
                i += 1
            continue
        return i


def spans(raw: str) -> list[Span]:
    """The fields of one entry's raw text, in order."""
    head = _HEAD.match(raw)
    pos = head.end() if head else 0
    out = []
    while m := _NAME.match(raw, pos):
        vstart = m.end()
        vend = _value_end(raw, vstart)
        end = vend
        while end < len(raw) and raw[end] in " \t":
            end += 1
        if end < len(raw) and raw[end] == ",":
            end += 1
        out.append(Span(m.group(1), m.start(1), (vstart, vend), end))
        pos = end
    return out


def bibtex_names(names: tuple[str, ...], cut: bool, old: BibItem) -> str:
    """An author field from a source's list; names the file already had right keep the
    file's spelling."""
    mine = [(raw, file_name(raw)) for raw in old.authors]
    out = []
    for name in names:
        theirs = source_name(name)
        same = next((raw for raw, n in mine if compare_name(n, theirs) == SAME), None)
        out.append(same or bibtex_name(name))
    return " and ".join(out + (["others"] if cut else []))


def _encode(name: str, value: str) -> str:
    """Source values are Unicode; the author field is built as LaTeX already."""
    if name == "author":
        return value
    return protect_title(value) if name == "title" else latex(value)


def _indent(raw: str, fields: list[Span]) -> str:
    if not fields:
        return "  "
    line_start = raw.rfind("\n", 0, fields[0].start) + 1
    gap = raw[line_start : fields[0].start]
    return gap if gap.strip() == "" and line_start > 0 else "  "


def fix_entry(raw: str, item: BibItem, fix: Fix) -> str:
    """The entry's text with the fix applied (type, renamed, set, dropped fields)."""
    values = dict(fix.values)
    if fix.names is not None:
        values["author"] = bibtex_names(fix.names, fix.names_cut, item)
    edits: list[tuple[int, int, str]] = []
    head = _HEAD.match(raw)
    if fix.type and head:
        edits.append((head.start(1), head.end(1), fix.type))
    fields = spans(raw)
    # A field dropped here frees its name for a rename (journal -> booktitle).
    present = {s.name.lower() for s in fields} - (fix.drop - set(values))
    for s in fields:
        low = s.name.lower()
        if low in fix.drop and low not in values:
            line = raw.rfind("\n", 0, s.start) + 1
            only = raw[line : s.start].strip() == ""
            stop = s.end + (1 if only and raw[s.end : s.end + 1] == "\n" else 0)
            edits.append((line if only else s.start, stop, ""))
            continue
        new_name = fix.rename.get(low)
        if new_name and new_name not in present:
            edits.append((s.start, s.start + len(s.name), new_name))
            low = new_name
        if low in values:
            edits.append((s.value[0], s.value[1], "{" + _encode(low, values.pop(low)) + "}"))
    if values:  # fields the entry did not have

        edits.append(_append(raw, fields, values))
    for start, stop, text in sorted(edits, reverse=True):
        raw = raw[:start] + text + raw[stop:]
    return raw


def _append(raw: str, fields: list[Span], values: dict[str, str]) -> tuple[int, int, str]:
    """New fields after the last one, in its indentation."""
    indent = _indent(raw, fields)
    body = "".join(f",\n{indent}{k} = {{{_encode(k, v)}}}" for k, v in values.items())
    if fields:
        last = fields[-1]
        at = last.value[1]
        return at, last.end, body + ("," if raw[at:last.end].strip() == "," else "")
    close = raw.rstrip().rfind("}")
    return close, close, body.lstrip(",") + "\n"


def fixed_text(text: str, items: tuple[BibItem, ...], fixes: dict[str, Fix | None]) -> str:
    """The whole file with every entry's fix applied; other bytes unchanged."""
    out, pos = [], 0
    for item in items:
        fix = fixes.get(item.key)
        if not fix:
            continue
        out += [text[pos : item.start], fix_entry(text[item.start : item.end], item, fix)]
        pos = item.end
    out.append(text[pos:])
    return "".join(out)


def unified_diff(old: str, new: str, before: str, after: str) -> str:
    """The diff --fix prints: what would change, line by line, under the two file names."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), before, after))
