"""Author names and venue names: the same person or venue under two spellings agrees,
different ones do not (tables of real spellings)."""

from __future__ import annotations

import pytest

from papertools.bib.lookup import ARXIV_ID, CORPUS_ID, DOI, S2_ID, TITLE, LookupId
from papertools.bib.names import (
    GIVEN,
    OTHER,
    SAME,
    compare_name,
    file_name,
    list_problems,
    source_name,
    split_authors,
)
from papertools.bib.s2_source import S2Venue, venue_of
from papertools.bib.venues import identify

NAMES = [
    # file (BibTeX), source (First von Last), expected
    ("Allal, Loubna Ben", "Loubna Ben Allal", SAME),
    ("Ben Allal, Loubna", "Loubna Ben Allal", SAME),
    ("Allal, L. B.", "Loubna Ben Allal", SAME),
    ("Allal, Louis B", "Loubna Ben Allal", GIVEN),
    ("von Werra, Leandro", "Leandro von Werra", SAME),
    ("Werra, Leandro von", "Leandro von Werra", SAME),
    ("Le Lan, Charline", "Charline Le Lan", SAME),
    ("de Oliveira Pinto, Henrique Ponde", "Henrique Ponde de Oliveira Pinto", SAME),
    ("Kaiser, {\\L}ukasz", "Łukasz Kaiser", SAME),
    ("Bl{\\'a}zquez, Gabriel Mart{\\'\\i}n", "Gabriel Martín Blázquez", SAME),
    ("Nguyen, X.-S.", "Xuan-Son Nguyen", SAME),
    ("Duflo, Esther", "E. Duflo", SAME),
    ("{Meta AI}", "Meta AI", SAME),
    ("{Qwen Team}", "Qwen", SAME),
    ("{Gemma Team}", "Meta AI", OTHER),
    ("Wolf, Thomas", "Anton Lozhkov", OTHER),
    ("Hu, Edward J.", "Shengding Hu", GIVEN),
]


@pytest.mark.parametrize(("mine", "theirs", "expected"), NAMES)
def test_name_comparison(mine, theirs, expected):
    assert compare_name(file_name(mine), source_name(theirs)) == expected


def _problems(mine: str, theirs: list[str], theirs_cut: bool = False) -> list[str]:
    names, cut = split_authors(mine)
    return list_problems([file_name(n) for n in names], [source_name(n) for n in theirs],
                         cut, theirs_cut)


SOURCE = ["Brian Lester", "Rami Al-Rfou", "Noah Constant"]


def test_list_positions_missing_extra_reordered_and_truncated():
    assert _problems("Lester, Brian and Al-Rfou, Rami and Constant, Noah", SOURCE) == []
    assert _problems("Lester, B. and Al-Rfou, R. and others", SOURCE) == []  # prefix
    assert _problems("Lester, Brian and Constant, Noah", SOURCE) == [
        'position 2: missing author "Rami Al-Rfou"']
    assert _problems("Lester, Brian and Al-Rfou, Rami and Constant, Noah and Doe, J.",
                     SOURCE) == ['position 4: extra author "Doe, J."']
    assert _problems("Lester, Brian and Al-Rfou, Rami", SOURCE) == [
        'position 3: missing author "Noah Constant"']
    assert _problems("Lester, Brian and Al-Rfou, Rami and Constant, Noah and Doe, J.",
                     SOURCE[:2], theirs_cut=True) == []  # the source cut its own list
    reordered = _problems("Al-Rfou, Rami and Lester, Brian and Constant, Noah", SOURCE)
    assert reordered[0].startswith('position 1: in file "Al-Rfou, Rami" / source "Brian '
                                   'Lester" (reordered')


VENUES_SAME = [
    ("NeurIPS", "Advances in Neural Information Processing Systems 30"),
    ("NIPS", "NeurIPS (NIPS)"),
    ("ICLR", "The Eleventh International Conference on Learning Representations"),
    ("ICML", "Proceedings of the 41st International Conference on Machine Learning"),
    ("ACL", "Proceedings of the 58th Annual Meeting of the Association for Computational "
            "Linguistics"),
    ("ACL-IJCNLP", "ACL"),
    ("EMNLP", "Proceedings of the 2023 Conference on Empirical Methods in Natural Language "
              "Processing"),
    ("NAACL-HLT", "Proceedings of the 2019 Conference of the North American Chapter of the "
                  "Association for Computational Linguistics: Human Language Technologies"),
    ("Findings of EMNLP", "Findings of the Association for Computational Linguistics: EMNLP "
                          "2020"),
    ("COLM", "First Conference on Language Modeling"),
    ("CVPR", "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern "
             "Recognition"),
    ("ICCV", "IEEE/CVF International Conference on Computer Vision"),
    ("ECCV", "European Conference on Computer Vision"),
    ("AAAI", "Proceedings of the AAAI Conference on Artificial Intelligence"),
    ("IJCAI", "International Joint Conference on Artificial Intelligence"),
    ("TMLR", "Transactions on Machine Learning Research"),
    ("JMLR", "Journal of Machine Learning Research"),
    ("TACL", "Transactions of the Association for Computational Linguistics"),
    ("NIPS 2014 Deep Learning Workshop", "EMC^2 Workshop at NeurIPS"),
]
VENUES_DIFFERENT = [
    ("NeurIPS", "ICLR"), ("ICML", "ICLR"), ("ACL", "NAACL"), ("EMNLP", "Findings of EMNLP"),
    ("ICCV", "ECCV"), ("NeurIPS", "EMC^2 Workshop at NeurIPS"), ("TMLR", "JMLR"),
    ("Findings of ACL", "Findings of EMNLP"),
]


@pytest.mark.parametrize(("a", "b"), VENUES_SAME)
def test_same_venue_under_two_names(a, b):
    assert identify(a).known and identify(a).same(identify(b))


@pytest.mark.parametrize(("a", "b"), VENUES_DIFFERENT)
def test_different_venues(a, b):
    assert not identify(a).same(identify(b))


def test_kinds_and_preprints():
    assert identify("ACM Computing Surveys").kind == "journal"
    assert identify("arXiv preprint arXiv:2106.09685").kind == "preprint"
    assert identify("CoRR").kind == "preprint"
    assert not identify("Proceedings of Machine Learning Research").known


@pytest.mark.parametrize("field", [
    "A and B", "A AND B", "A and\n  B and others", " A ", "", "Anderson, Sandy and Band, Andy",
    "Vaswani, Ashish and and Shazeer, Noam", "A~and B", "A\tand\tB", "{Simon and Schuster} and C",
])
def test_split_authors_agrees_with_bibtexparser(field):
    from bibtexparser.middlewares.names import split_multiple_persons_names

    names = [n for n in split_multiple_persons_names(field) if n.strip()]
    cut = bool(names) and names[-1].strip().lower() == "others"
    assert split_authors(field) == ((names[:-1] if cut else names), cut)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("ARXIV:2106.09685", ARXIV_ID, "2106.09685"), ("DOI:10.1/X", DOI, "10.1/X"),
    ("10.2139/ssrn.1", DOI, "10.2139/ssrn.1"), ("CorpusId:470667", CORPUS_ID, "470667"),
    ("TITLE:LoRA: Low-Rank", TITLE, "LoRA: Low-Rank"), ("2d5673ca", S2_ID, "2d5673ca"),
    ("Arxiv:2106.09685", S2_ID, "Arxiv:2106.09685"),  # a misspelt prefix is no arXiv id
])
def test_lookup_ids_parse_and_keep_their_text(text, kind, value):
    lookup = LookupId.parse(text)
    assert (lookup.kind, lookup.value, lookup.text) == (kind, value, text)


def test_the_most_specific_lookup_wins():
    assert LookupId.best("2106.09685", "10.1/x", "abc") == LookupId(S2_ID, "abc")
    assert LookupId.best("2106.09685", "10.1/x").text == "DOI:10.1/x"
    assert LookupId.best("2106.09685").text == "ARXIV:2106.09685"


S2_VENUES = [
    # venue, journal, publicationTypes -> what the record keeps
    ("ICLR", None, ["Conference"], S2Venue("ICLR", "conference")),
    ("", {"name": " JMLR "}, ["JournalArticle"], S2Venue("JMLR", "journal")),
    ("arXiv.org", {"name": "ArXiv"}, ["JournalArticle"], S2Venue(None, None)),
    ("NeurIPS Workshop on Efficient NLP", None, ["Conference"],
     S2Venue("NeurIPS Workshop on Efficient NLP", "workshop")),
    ("Some Workshop", None, ["JournalArticle"], S2Venue("Some Workshop", "journal")),
    ("ACL", None, ["Review"], S2Venue(None, None)),
    ("", None, ["Conference"], S2Venue(None, "conference")),
]


@pytest.mark.parametrize(("venue", "journal", "types", "expected"), S2_VENUES)
def test_s2_venue_steps(venue, journal, types, expected):
    raw = {"venue": venue, "journal": journal, "publicationTypes": types}
    assert venue_of(raw) == expected
