"""BibTeX output through pybtex: escaping, protected capitals, stable order.

Why pybtex: it parses author names into von/last/first parts the same way BibTeX does, and
quotes values (checking their braces). The entries themselves are laid out here, in
pybtex's format, because its writer re-encodes every value with latexcodec and offers no
public way to turn that off. We add what pybtex leaves to the caller: LaTeX escaping of
Unicode and special characters (pylatexenc) and braces around words whose capitals a
style must not lowercase ({LoRA}, {BERT}).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pybtex.database import Person
from pybtex.database.output.bibtex import Writer
from pybtex.exceptions import PybtexError
from pylatexenc.latexencode import UnicodeToLatexEncoder

from papertools.bib.merge import Merged

# Every non-ASCII character and every LaTeX special becomes a braced macro ({\'e}, {\&}),
# which BibTeX styles neither lowercase nor split.
_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=False, replacement_latex_protection="braces-all", unknown_char_policy="keep"
)
# Fields written in this order (others follow alphabetically) so diffs stay readable.
FIELD_ORDER = (
    "title", "booktitle", "journal", "volume", "pages", "year", "month", "publisher",
    "howpublished", "doi", "eprint", "archiveprefix", "url", "note", "keywords",
)
_WORD = re.compile(r"\S+")
_BRACED = re.compile(r"\{([^{}]*)\}")  # one pinned, non-nested group


def latex(text: str) -> str:
    """Escape LaTeX specials and non-ASCII characters."""
    return _ENCODER.unicode_to_latex(text)


def protect_title(title: str) -> str:
    """Escape a title and brace words with capitals after their first letter, or words
    that mix letters and digits, so that styles keep `LoRA`, `GPT-3`, `SmolLM2` intact.

    A group a person braced in a pinned title (`The {Berkeley Function Calling
    Leaderboard}`) is kept as one protected group: proper names of several ordinary
    words are the case no word rule can recognise."""
    parts: list[str] = []
    last = 0
    for match in _BRACED.finditer(title):
        parts.append(_protect_words(title[last : match.start()]))
        parts.append("{" + latex(match.group(1)) + "}")
        last = match.end()
    parts.append(_protect_words(title[last:]))
    return "".join(parts)


def _protect_words(title: str) -> str:
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(title):
        word = match.group(0)
        out.append(title[last : match.start()])
        core = word.rstrip(".,:;!?)]\"'’")
        tail = word[len(core) :]
        lead = core[: len(core) - len(core.lstrip("([\"'‘"))]
        core = core[len(lead) :]
        out.append(latex(lead) + ("{" + latex(core) + "}" if _needs_braces(core)
                                  else latex(core)) + latex(tail))
        last = match.end()
    out.append(title[last:])
    return "".join(out)


def _needs_braces(word: str) -> bool:
    """Each hyphen-separated part is judged alone: `GPT-3` and `LLaMA` keep their case,
    while `Few-Shot` or `Low-Rank` are ordinary words in title case that a style may
    lower ("few-shot"), as it lowers `Shot` standing alone."""
    return any(
        any(c.isupper() for c in part[1:])
        or (any(c.isdigit() for c in part) and any(c.isalpha() for c in part))
        for part in word.split("-")
    ) or (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))


def bibtex_name(name: str) -> str:
    """A source's Unicode name as the author field writes it ("von Last, Jr, First"); the
    writer and `bib check --fix` both use it, so one work's names read alike in both. A
    name BibTeX cannot split (too many commas) is kept whole, braced."""
    if name.startswith("{") and name.endswith("}"):
        return _name(Person(name))  # a braced corporate name stays whole
    try:
        return _name(Person(latex(name)))
    except PybtexError:
        return "{" + latex(name) + "}"


def _fields(m: Merged) -> list[tuple[str, str]]:
    """(name, LaTeX value) in FIELD_ORDER, then alphabetically; the author list first."""
    out: list[tuple[str, str]] = []
    if "author" in m.fields:  # pinned, in LaTeX already
        names = [_name(Person(p.strip())) for p in m.fields["author"].split(" and ")]
    else:
        names = [bibtex_name(n) for n in m.authors]
    if names:
        out.append(("author", " and ".join(names)))
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    for name in sorted(m.fields, key=lambda n: (order.get(n, len(order)), n)):
        value = m.fields[name]
        if name == "author":
            continue
        if name == "howpublished" and value == "\\url{" + m.fields.get("url", "") + "}":
            continue  # styles print the url field too: the address would appear twice
        if name in m.raw_fields:
            out.append((name, value))
        elif name == "title":
            out.append((name, protect_title(value)))
        else:
            out.append((name, latex(value)))
    return out


def _name(person: Person) -> str:
    """"von Last, Jr, First Middle": BibTeX's own order, which keeps every part apart."""
    def join(*parts: str) -> str:
        return " ".join(p for p in parts if p)

    text = join(person.get_part_as_text("prelast"), person.get_part_as_text("last"))
    if lineage := person.get_part_as_text("lineage"):
        text += f", {lineage}"
    if first := join(person.get_part_as_text("first"), person.get_part_as_text("middle")):
        text += f", {first}"
    return text


def _entry(m: Merged) -> str:
    # Writer.quote is public: "value", or {value} when it holds a double quote; it raises
    # on unbalanced braces. Values are LaTeX already, so nothing re-encodes them (pybtex's
    # writer would, through latexcodec, which doubles backslashes).
    body = "".join(f",\n    {name} = {_QUOTE(value)}" for name, value in _fields(m))
    return f"@{m.type}{{{m.key}{body}\n}}\n"


_QUOTE = Writer().quote


def render(merged: Iterable[Merged]) -> str:
    """The whole .bib text, entries sorted by key; identical input gives identical bytes."""
    return "\n".join(_entry(m) for m in sorted(merged, key=lambda m: m.key))
