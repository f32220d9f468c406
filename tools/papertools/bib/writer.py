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
from collections.abc import Callable, Iterable

from pybtex.database import Person
from pybtex.database.output.bibtex import Writer
from pybtex.exceptions import PybtexError
from pylatexenc.latexencode import UnicodeToLatexEncoder

from maaza_core.errors import UserError
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
    return _keeping_groups(title, _protect_words)


def pinned_latex(value: str) -> str:
    """A value a person pinned in library.yaml, escaped as a title is (its braced groups
    kept as groups, their text escaped), without the title's word braces.

    Why: library.yaml is text people edit, and a pinned `\\input{...}`, `%` or `#` would
    otherwise reach LaTeX as code through the .bbl. The one command kept is `\\url{...}`
    around a plain address (no brace, backslash or space), which only prints it: blog
    posts pin `howpublished: 'Blog, \\url{https://...}'`."""
    parts: list[str] = []
    last = 0
    for match in _URL_COMMAND.finditer(value):
        parts += [_keeping_groups(value[last : match.start()], latex), match.group(0)]
        last = match.end()
    return "".join([*parts, _keeping_groups(value[last:], latex)])


_URL_COMMAND = re.compile(r"\\url\{[^{}\\\s]+\}")


def _keeping_groups(text: str, outside: Callable[[str], str]) -> str:
    """`text` with each non-nested {group} escaped inside its braces, the rest by
    `outside`; a brace left over (unbalanced) is escaped as a character."""
    parts: list[str] = []
    last = 0
    for match in _BRACED.finditer(text):
        parts.append(outside(text[last : match.start()]))
        parts.append("{" + latex(match.group(1)) + "}")
        last = match.end()
    parts.append(outside(text[last:]))
    return "".join(parts)


# Identifiers written verbatim (\url{..} and \doi{..} read them as such), so they must not
# hold what would end or escape the argument: braces, backslashes, spaces.
IDENTIFIERS = frozenset({"url", "doi", "eprint"})
_NOT_IN_IDENTIFIER = re.compile(r"[{}\\\s]")


def identifier(key: str, name: str, value: str) -> str:
    """`value` of an identifier field; a UserError naming the field when it holds a
    character that would let it out of its \\url{...} argument."""
    if _NOT_IN_IDENTIFIER.search(value) or not value.isascii():
        raise UserError(f"entry '{key}': {name} = {value!r}: not a plain identifier "
                        "(braces, backslashes, spaces or non-ASCII; fix: correct it in "
                        "bib/library.yaml, or refresh the cache record it came from)")
    return value


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
    if "author" in m.fields:  # pinned: escaped like a title, braced names kept whole
        names = [_name(Person(pinned_latex(p.strip())))
                 for p in m.fields["author"].split(" and ")]
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
        if name in IDENTIFIERS:
            out.append((name, identifier(m.key, name, value)))
        elif name in m.raw_fields:  # built here as LaTeX (howpublished = \url{...})
            out.append((name, value))
        elif name in m.pinned:
            out.append((name, protect_title(value) if name == "title" else pinned_latex(value)))
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
