"""Which venue a booktitle or journal names: a curated alias table of ML/NLP venues.

Why a table and not string similarity: "ICLR" and "International Conference on Learning
Representations" share no letters a ratio could weigh, while "ICML" and "ICLR" share
three of four. A reviewer knows the names; the table writes that knowledge down, so the
same venue under two names is silent and two different venues are an error.

To add a venue, add one line to VENUES: an id, its kind, its acronyms (matched as whole
words) and its full names (matched as word sequences after folding case and accents).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from papertools.bib.matching import fold

CONFERENCE, JOURNAL, WORKSHOP, PREPRINT = "conference", "journal", "workshop", "preprint"

# id, kind, acronyms, full names (folded forms are derived; write them as people do).
VENUES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("neurips", CONFERENCE, ("NeurIPS", "NIPS"),
     ("Advances in Neural Information Processing Systems",
      "Neural Information Processing Systems", "Conference on Neural Information Processing")),
    ("iclr", CONFERENCE, ("ICLR",), ("International Conference on Learning Representations",)),
    ("icml", CONFERENCE, ("ICML",), ("International Conference on Machine Learning",)),
    ("acl", CONFERENCE, ("ACL", "ACL-IJCNLP", "IJCNLP"),
     ("Annual Meeting of the Association for Computational Linguistics",
      "Meeting of the Association for Computational Linguistics")),
    ("emnlp", CONFERENCE, ("EMNLP",),
     ("Empirical Methods in Natural Language Processing",)),
    ("naacl", CONFERENCE, ("NAACL", "NAACL-HLT"),
     ("North American Chapter of the Association for Computational Linguistics",)),
    ("eacl", CONFERENCE, ("EACL",),
     ("European Chapter of the Association for Computational Linguistics",)),
    ("coling", CONFERENCE, ("COLING",), ("International Conference on Computational Linguistics",)),
    ("conll", CONFERENCE, ("CoNLL",), ("Conference on Computational Natural Language Learning",)),
    ("lrec", CONFERENCE, ("LREC",), ("Language Resources and Evaluation Conference",
                                     "International Conference on Language Resources and "
                                     "Evaluation")),
    ("colm", CONFERENCE, ("COLM",), ("Conference on Language Modeling",)),
    ("cvpr", CONFERENCE, ("CVPR",), ("Computer Vision and Pattern Recognition",)),
    ("iccv", CONFERENCE, ("ICCV",), ("International Conference on Computer Vision",)),
    ("eccv", CONFERENCE, ("ECCV",), ("European Conference on Computer Vision",)),
    ("aaai", CONFERENCE, ("AAAI",), ("AAAI Conference on Artificial Intelligence",
                                     "Association for the Advancement of Artificial "
                                     "Intelligence")),
    ("ijcai", CONFERENCE, ("IJCAI",), ("International Joint Conference on Artificial "
                                       "Intelligence",)),
    ("aistats", CONFERENCE, ("AISTATS",), ("International Conference on Artificial "
                                           "Intelligence and Statistics",)),
    ("uai", CONFERENCE, ("UAI",), ("Conference on Uncertainty in Artificial Intelligence",)),
    ("kdd", CONFERENCE, ("KDD", "SIGKDD"), ("Knowledge Discovery and Data Mining",)),
    ("www", CONFERENCE, ("WWW",), ("The Web Conference", "World Wide Web Conference")),
    ("sigir", CONFERENCE, ("SIGIR",), ("Research and Development in Information Retrieval",)),
    ("interspeech", CONFERENCE, ("INTERSPEECH",), ()),
    ("icassp", CONFERENCE, ("ICASSP",), ("International Conference on Acoustics, Speech and "
                                         "Signal Processing",)),
    ("mlsys", CONFERENCE, ("MLSys", "SysML"), ("Machine Learning and Systems",)),
    ("osdi", CONFERENCE, ("OSDI",), ("Operating Systems Design and Implementation",)),
    ("sosp", CONFERENCE, ("SOSP",), ("Symposium on Operating Systems Principles",)),
    ("nsdi", CONFERENCE, ("NSDI",), ("Networked Systems Design and Implementation",)),
    ("mobicom", CONFERENCE, ("MobiCom",), ("Mobile Computing and Networking",)),
    ("mobisys", CONFERENCE, ("MobiSys",), ("Mobile Systems, Applications, and Services",)),
    ("corl", CONFERENCE, ("CoRL",), ("Conference on Robot Learning",)),
    ("tmlr", JOURNAL, ("TMLR",), ("Transactions on Machine Learning Research",)),
    ("jmlr", JOURNAL, ("JMLR",), ("Journal of Machine Learning Research",)),
    ("tacl", JOURNAL, ("TACL",), ("Transactions of the Association for Computational "
                                  "Linguistics",)),
    ("tpami", JOURNAL, ("TPAMI", "PAMI"), ("Transactions on Pattern Analysis and Machine "
                                           "Intelligence",)),
    ("ijcv", JOURNAL, ("IJCV",), ("International Journal of Computer Vision",)),
    ("csur", JOURNAL, ("CSUR",), ("ACM Computing Surveys", "Computing Surveys")),
    ("cacm", JOURNAL, ("CACM",), ("Communications of the ACM",)),
    ("nmi", JOURNAL, (), ("Nature Machine Intelligence",)),
    ("getmobile", JOURNAL, ("GetMobile",), ("Mobile Computing and Communications",)),
    ("blackboxnlp", WORKSHOP, ("BlackboxNLP",), ("Analyzing and Interpreting Neural Networks "
                                                  "for NLP",)),
    ("emc2", WORKSHOP, ("EMC2", "EMC^2"), ("Energy Efficient Machine Learning and Cognitive "
                                           "Computing",)),
    ("arxiv", PREPRINT, ("arXiv", "CoRR"), ("arXiv preprint", "Computing Research Repository")),
)
# Words that make a name a workshop of the conference it mentions ("... Workshop at NeurIPS").
_WORKSHOP_WORDS = {"workshop", "workshops", "ws"}
_FINDINGS = "findings"
_FINDINGS_OF = {"acl", "emnlp", "naacl", "eacl"}


@dataclass(frozen=True)
class Venue:
    """A venue as identified from a name: which one, what kind, and whether a workshop."""

    id: str  # table id, "findings-emnlp" for Findings, "" when unknown
    kind: str  # CONFERENCE | JOURNAL | WORKSHOP | PREPRINT
    workshop: bool  # a workshop held at the conference `id` (or a named workshop)

    @property
    def known(self) -> bool:
        """The venue table has this venue (an unknown one is compared by its words)."""
        return bool(self.id)

    def same(self, other: Venue) -> bool:
        """Same venue: same id, or two workshops (their names vary too much to tell
        "Workshop at NeurIPS" from the workshop's own name)."""
        if self.workshop and other.workshop:
            return True
        return self.known and self.id == other.id and self.workshop == other.workshop


def _norm(name: str) -> str:
    """Folded, without number words: "NeurIPS 2019" and "arXiv:2106.09685" lose the parts
    that differ between years and ids."""
    return " ".join(w for w in fold(name).split() if not w.isdigit())


def _folded_table() -> list[tuple[str, str, set[str], list[str]]]:
    """Acronyms as a set of folded words (one word each: "naacl hlt" is two, both kept as a
    phrase), full names as padded phrases for substring search."""
    table = []
    for vid, kind, acronyms, names in VENUES:
        phrases = [f" {_norm(n)} " for n in names] + [f" {_norm(a)} " for a in acronyms
                                                      if " " in _norm(a)]
        words = {_norm(a) for a in acronyms if " " not in _norm(a)}
        table.append((vid, kind, words, phrases))
    return table


_TABLE = _folded_table()


@lru_cache(maxsize=4096)
def identify(name: str) -> Venue:
    """The venue a booktitle/journal names; Venue("", ...) when the table does not know it.

    Numbers are dropped first ("NeurIPS 2019", "arXiv:2106.09685"), so the answers of the
    cached lookup below are shared by every year and id."""
    return _identify(_norm(name))


@lru_cache(maxsize=4096)
def _identify(text: str) -> Venue:
    """The longest matching name wins, so "North American Chapter of the Association for
    Computational Linguistics" is NAACL, not ACL; an acronym counts as a one-word match,
    and a named workshop beats the conference it is held at."""
    words = set(text.split())
    padded = f" {text} "
    best: tuple[int, str, str] | None = None
    for vid, kind, acronyms, phrases in _TABLE:
        score = max((len(p) for p in phrases if p in padded), default=0)
        if not score and acronyms & words:
            score = 1
        if score and kind == WORKSHOP:  # "EMNLP Workshop BlackboxNLP" is the workshop
            score += 1000
        if score and (best is None or score > best[0]):
            best = (score, vid, kind)
    workshop = bool(words & _WORKSHOP_WORDS)
    if best is None:
        return Venue("", WORKSHOP if workshop else "", workshop)
    _, vid, kind = best
    if _FINDINGS in words and vid in _FINDINGS_OF:
        return Venue(f"findings-{vid}", CONFERENCE, False)
    if kind == WORKSHOP:
        return Venue(vid, WORKSHOP, True)
    return Venue(vid, WORKSHOP if workshop else kind, workshop)


def is_preprint_venue(name: str | None) -> bool:
    """True for "arXiv preprint arXiv:...", "CoRR", "ArXiv": a preprint, not a venue.
    (The substring test first: every such string differs by its id, so a cache of
    identify() would miss on each.)"""
    if not name:
        return False
    return "arxiv" in name.lower() or identify(name).id == "arxiv"
