"""What a source is asked by: one typed identifier instead of strings with prefixes.

Why a type: "ARXIV:2106.09685", "DOI:10.1/x", "TITLE:..." and a bare paperId were built
and taken apart by string operations in five modules; a misspelt prefix was silently
another id. The prefixed text survives only where it is data: Semantic Scholar's batch
endpoint takes it, and cache records and file names store it (`text`, `parse`).
"""

from __future__ import annotations

from dataclasses import dataclass

ARXIV_ID, DOI, CORPUS_ID, S2_ID, TITLE = "arxiv", "doi", "corpus", "s2", "title"
_PREFIX = {ARXIV_ID: "ARXIV:", DOI: "DOI:", CORPUS_ID: "CorpusId:", TITLE: "TITLE:", S2_ID: ""}


@dataclass(frozen=True, order=True)
class LookupId:
    """One identifier of a work, as a source is asked for it."""

    kind: str  # ARXIV_ID | DOI | CORPUS_ID | S2_ID (a paperId) | TITLE (an exact-title match)
    value: str  # the id without prefix, or the plain-text title
    prefixed: bool = True  # False only for a DOI given bare, which S2 also accepts

    @property
    def text(self) -> str:
        """The form S2's batch endpoint takes and the cache stores: "DOI:10.1/x"."""
        return _PREFIX[self.kind] + self.value if self.prefixed else self.value

    def __str__(self) -> str:
        return self.text

    def describe(self) -> str:
        """How messages name the lookup: "arXiv:2106.09685", "DOI:10.1/x", 'title "..."'."""
        if self.kind == ARXIV_ID:
            return f"arXiv:{self.value}"
        return f'title "{self.value}"' if self.kind == TITLE else self.text

    @classmethod
    def parse(cls, text: str) -> LookupId:
        """The inverse of `text`; an unprefixed "10.x/..." is a bare DOI, anything else
        without a known prefix a Semantic Scholar paperId."""
        for kind, prefix in _PREFIX.items():
            if prefix and text.startswith(prefix):
                return cls(kind, text[len(prefix):])
        if text.startswith("10."):
            return cls(DOI, text, prefixed=False)
        return cls(S2_ID, text)

    @classmethod
    def best(cls, arxiv: str | None = None, doi: str | None = None,
             s2: str | None = None) -> LookupId:
        """The most specific id a work has for Semantic Scholar: paperId, DOI, arXiv id."""
        if s2:
            return cls(S2_ID, s2)
        if doi:
            return cls(DOI, doi)
        if arxiv:
            return cls(ARXIV_ID, arxiv)
        raise ValueError("no identifier")  # callers check has_source_id first: our bug

    @classmethod
    def title(cls, title: str) -> LookupId:
        """A title search: only for works without an id Semantic Scholar resolves."""
        return cls(TITLE, title)
