"""Versions: a file may cite any version the records know, and only those.

Records are built here as a refresh stores them (an arXiv record, a Semantic Scholar
record of the venue version), so each case states which versions exist."""

from __future__ import annotations

from pathlib import Path

from papertools.bib.bibfile import parse_text
from papertools.bib.findings import ERROR, WARNING
from papertools.bib.records import ARXIV, S2, Record
from papertools.bib.verify import Work, compare

TITLE = "LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale"
FOUR = ("Tim Dettmers", "Mike Lewis", "Younes Belkada", "Luke Zettlemoyer")
ARX = Record(ARXIV, "2208.07339", True, title=TITLE, authors=FOUR, year=2022,
             arxiv_id="2208.07339", extra={"updated_year": 2023})
PUB = Record(S2, "ARXIV:2208.07339", True, title=TITLE, authors=(FOUR[0], FOUR[1], FOUR[3]),
             year=2022, venue="NeurIPS", venue_type="conference")


def _check(fields: str, records=(ARX, PUB)):
    text = "@inproceedings{k,\n  title = {" + TITLE + "},\n" + fields + "\n}\n"
    (item,) = parse_text(text, Path("t.bib")).items
    findings, fix = compare(Work(item, tuple(records), "arXiv:2208.07339"))
    return [(f.severity, f.message) for f in findings], fix


def test_an_author_list_of_a_version_that_exists_is_a_warning_naming_it():
    three = "author = {Dettmers, Tim and Lewis, Mike and Zettlemoyer, Luke},"
    assert _check(three + " booktitle = {NeurIPS}, year = {2022}")[0] == []  # venue version
    four = "author = {Dettmers, Tim and Lewis, Mike and Belkada, Younes and Zettlemoyer, " \
           "Luke}, booktitle = {NeurIPS}, year = {2022}"
    (finding,), _ = _check(four)
    assert finding == (WARNING, "author: matches the arXiv list; the cited NeurIPS 2022 "
                                'version differs: position 3: extra author "Belkada, Younes"')
    # the arXiv preprint cited with the arXiv list: silent
    preprint = four.replace("booktitle = {NeurIPS}, ", "eprint = {2208.07339}, ")
    (item,) = parse_text("@misc{k,\n  title = {" + TITLE + "},\n" + preprint + "\n}\n",
                         Path("t.bib")).items
    findings, _ = compare(Work(item, (ARX, PUB), "x"))
    assert [f.message for f in findings] == ["venue: upgrade available: NeurIPS 2022 (the "
                                             "published version; fix: --fix makes it "
                                             "@inproceedings)"]


def test_an_added_author_no_version_has_is_an_error():
    five = "author = {Dettmers, Tim and Lewis, Mike and Belkada, Younes and Zettlemoyer, " \
           "Luke and Doe, Jane}, booktitle = {NeurIPS}, year = {2022}"
    (finding,), fix = _check(five)
    assert finding == (ERROR, 'author: position 5: extra author "Doe, Jane"')
    assert fix.names in (FOUR, PUB.authors)


def test_years_of_versions_pass_and_others_fail():
    names = "author = {Dettmers, Tim and Lewis, Mike and Zettlemoyer, Luke},"
    preprint = "@misc{k,\n  title = {" + TITLE + "},\n" + names.replace(
        "Zettlemoyer", "Belkada, Younes and Zettlemoyer") + " eprint = {2208.07339}, year = {"
    for year, ok in (("2022", True), ("2023", True), ("2021", False), ("2024", False)):
        (item,) = parse_text(preprint + year + "}\n}\n", Path("t.bib")).items
        findings, _ = compare(Work(item, (ARX,), "arXiv:2208.07339"))
        assert (findings == []) == ok, (year, findings)
    # naming the venue: its year, and a year later is an error even though a version has it
    assert _check(names + " booktitle = {NeurIPS}, year = {2023}")[0] == [
        (ERROR, 'year: in file "2023" / source "2022" (published at NeurIPS 2022)')]


def test_a_workshop_a_year_before_the_preprint_is_fine():
    workshop = Record(S2, "ARXIV:1503.02531", True, title="Distilling the Knowledge in a "
                      "Neural Network", authors=("Geoffrey Hinton", "Oriol Vinyals",
                                                 "Jeff Dean"), year=2014,
                      venue="NIPS 2014 Deep Learning Workshop", venue_type="workshop")
    arx = Record(ARXIV, "1503.02531", True, title=workshop.title, authors=workshop.authors,
                 year=2015)
    text = ("@inproceedings{h, title = {Distilling the Knowledge in a Neural Network}, "
            "author = {Hinton, Geoffrey and Vinyals, Oriol and Dean, Jeff}, booktitle = {NIPS "
            "Deep Learning and Representation Learning Workshop}, year = {YEAR}}\n")
    for year in ("2014", "2015"):
        (item,) = parse_text(text.replace("YEAR", year), Path("t.bib")).items
        assert compare(Work(item, (arx, workshop), "x"))[0] == []


def test_a_missing_year_is_filled_from_the_version_the_entry_cites():
    """A published type takes the venue's year; an @article preprint ("arXiv preprint"
    journal) with only an arXiv record takes arXiv v1's (it used to crash: no venue)."""
    four = "author = {Dettmers, Tim and Lewis, Mike and Belkada, Younes and Zettlemoyer, " \
           "Luke},"
    later = Record(S2, "ARXIV:2208.07339", True, title=TITLE, authors=FOUR, year=2024,
                   venue="NeurIPS", venue_type="conference")
    findings, fix = _check(four + " booktitle = {NeurIPS},", records=(ARX, later))
    assert (ERROR, "year: missing (required by @inproceedings; fix: --fix fills it from the "
                   "records)") in findings
    assert fix.values["year"] == "2024"
    text = ("@article{k,\n  title = {" + TITLE + "},\n" + four +
            " journal = {arXiv preprint arXiv:2208.07339}\n}\n")
    (item,) = parse_text(text, Path("t.bib")).items
    findings, fix = compare(Work(item, (ARX,), "arXiv:2208.07339"))
    assert [(f.severity, f.message) for f in findings] == [
        (ERROR, "year: missing (required by @article; fix: --fix fills it from the records)")]
    assert fix.values == {"year": "2022"}
