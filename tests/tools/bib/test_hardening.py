"""bib (issue 22, item 7): crossref parents and what children inherit from them, duplicate
findings that grow with the copies and not with their pairs, `--fix` that never leaves
journal and booktitle together, `--in-place` through a symlink, contradictory flags, and
a failed `bib add` that leaves the committed cache alone. Each test plants the mistake
and keeps a correct case beside it, which must stay silent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maaza_core.errors import UserError
from papertools.bib.add import add_works
from papertools.bib.bibfile import parse_bib
from papertools.bib.check import check_file
from papertools.bib.dedupe import Identity, duplicates
from papertools.bib.fixcmd import corrected
from papertools.bib.library import load_library
from papertools.bib.records import Cache
from papertools.cli import main

QLORA = """@{type}{{{key},
  title = {{{{QLoRA}}: Efficient Finetuning of Quantized {{LLMs}}}},
  author = {{Dettmers, Tim and Pagnoni, Artidoro and Holtzman, Ari and Zettlemoyer, Luke}},
{venue}  eprint = {{2305.14314}}
}}
"""
PARENT = """@proceedings{{neurips2023,
  title = {{Advances in Neural Information Processing Systems 36}},
  booktitle = {{Advances in Neural Information Processing Systems}},
  year = {{{year}}}
}}
"""


def _entry(key: str, venue: str, kind: str = "inproceedings") -> str:
    return QLORA.format(type=kind, key=key, venue=venue)


def _findings(report, key: str) -> list[str]:
    return [f.message for f in report.findings if f.where.endswith(f": {key}")]


# --- crossref ---------------------------------------------------------------------------

def test_a_crossref_to_a_missing_parent_is_an_error(mirror, cfg, cache, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(_entry("child", "  crossref = {nips2023},\n  year = {2023},\n"))
    found = _findings(check_file(bib, cfg, cache=cache), "child")
    assert any(m.startswith("crossref: no entry 'nips2023' in this file") for m in found), found


def test_a_parent_before_its_child_is_an_error(mirror, cfg, cache, tmp_path):
    bib = tmp_path / "refs.bib"
    child = _entry("child", "  crossref = {neurips2023},\n")
    bib.write_text(PARENT.format(year=2023) + "\n" + child)
    found = _findings(check_file(bib, cfg, cache=cache), "child")
    assert any("its parent 'neurips2023' is at line 1, before it" in m for m in found), found


@pytest.mark.parametrize(("year", "wrong"), [(2019, True), (2023, False)])
def test_a_year_inherited_through_crossref_is_checked(mirror, cfg, cache, tmp_path, year, wrong):
    """Planted: the child has no year and its parent a wrong one (BibTeX prints the
    parent's). Silent case: the parent's year is the venue's, and the parent comes after
    the child as BibTeX requires."""
    bib = tmp_path / "refs.bib"
    bib.write_text(_entry("child", "  crossref = {neurips2023},\n") + "\n"
                   + PARENT.format(year=year))
    found = _findings(check_file(bib, cfg, cache=cache), "child")
    inherited = [m for m in found if m.startswith("year (inherited through crossref "
                                                  "'neurips2023'): in file \"2019\"")]
    assert bool(inherited) == wrong and (wrong or found == []), found


# --- duplicates -------------------------------------------------------------------------

def _copies(n: int, *, ids: bool = True, variant: bool = False) -> list[Identity]:
    title = "QLoRA: Efficient Finetuning of Quantized LLMs"
    return [Identity(f"k{i}", "2305.14314" if ids else None, "10.1/q" if ids else None,
                     None, title + (" ." * (i % 2) if variant else ""), "Tim Dettmers", 2023)
            for i in range(n)]


@given(st.integers(min_value=1, max_value=60), st.booleans(), st.booleans())
def test_duplicate_findings_grow_linearly_with_the_copies(n, ids, variant):
    """Planted: n copies sharing an arXiv id, a DOI and the title gave one finding per
    shared field and one per pair of titles (n(n-1)/2); now each copy is named once."""
    found = duplicates(_copies(n, ids=ids, variant=variant))
    assert len(found) == n - 1
    assert sorted(f.where for f in found) == sorted(f"k{i}" for i in range(1, n))
    assert all("duplicate of 'k0'" in f.message for f in found)


def test_different_works_are_no_duplicates():
    assert duplicates([Identity("a", "1", title="T one", first_author="A B", year=2020),
                       Identity("b", "2", title="Another", first_author="A B", year=2020)]) == []


# --- --fix: one venue field -------------------------------------------------------------

REVIEW = """@inproceedings{{review,
  title = {{A Review on Edge Large Language Models: Design, Execution, and Applications}},
  author = {{Zheng, Yue and Chen, Yuhao and Qian, Bin and Shi, Xiufang and Shu, Yuanchao
            and Chen, Jiming}},
{venue}  year = {{2025}},
  doi = {{10.1145/3719664}}
}}
"""


@pytest.mark.parametrize(("text", "kind", "field", "value"), [
    # a journal paper typed @inproceedings: booktitle is renamed onto an existing journal
    (REVIEW.format(venue="  booktitle = {ACM Computing Surveys},\n  journal = {ACM CSUR},\n"),
     "article", "journal", "ACM Computing Surveys"),
    # silent case: the same entry without the extra journal field is simply renamed
    (REVIEW.format(venue="  booktitle = {ACM Computing Surveys},\n"),
     "article", "journal", "ACM Computing Surveys"),
])
def test_fix_never_writes_journal_and_booktitle_together(mirror, cfg, cache, tmp_path, text,
                                                         kind, field, value):
    bib = tmp_path / "refs.bib"
    bib.write_text(text)
    fixed = tmp_path / "fixed.bib"
    fixed.write_text(corrected(check_file(bib, cfg, cache=cache)))
    item, = parse_bib(fixed).items
    assert (item.type, item.fields.get(field)) == (kind, value), fixed.read_text()
    assert not {"journal", "booktitle"} <= set(item.fields), fixed.read_text()


def test_fix_leaves_an_entry_without_a_venue_finding_alone(mirror, cfg, cache, tmp_path):
    """Silent case: both fields, but no finding about type or venue: nothing changes."""
    bib = tmp_path / "refs.bib"
    text = _entry("q", "  booktitle = {Advances in Neural Information Processing Systems},\n"
                       "  journal = {NeurIPS},\n  year = {2023},\n")
    bib.write_text(text)
    assert corrected(check_file(bib, cfg, cache=cache)) == text


# --- --in-place and -o ------------------------------------------------------------------

def _run(capsys, bib, *args):
    code = main(["bib", "check", str(bib), "--cache", str(bib.parent / "c"), *args])
    return code, capsys.readouterr()


def test_in_place_on_a_symlink_fixes_the_target(mirror, cfg, tmp_path, capsys):
    real = tmp_path / "papers" / "refs.bib"
    real.parent.mkdir()
    original = _entry("q", "  booktitle = {NeurIPS},\n  year = {2021},\n")
    real.write_text(original)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    _run(capsys, link, "--fix", "--in-place")
    assert link.is_symlink() and link.resolve() == real
    assert 'year = {2023}' in real.read_text()
    assert (real.parent / "refs.bib.bak").read_text() == original
    assert not (tmp_path / "refs.bib.bak").exists()


def test_contradictory_output_flags_are_refused_with_the_right_advice(tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, title={x}, author={Doe, J.}, year={2020}}\n")
    out = tmp_path / "x.bib"
    code, io = _run(capsys, bib, "--fix", "-o", str(out), "--in-place", "--offline")
    assert code == 1 and f"-o {out} and --in-place contradict each other" in io.err
    assert f"(fix: papertools bib check {bib} --fix -o {out}, or ... --fix --in-place)" in io.err
    code, io = _run(capsys, bib, "--in-place", "--offline")
    assert code == 1 and ("--in-place writes a corrected copy, which needs --fix (fix: "
                          f"papertools bib check {bib} --fix --in-place)") in io.err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


# --- bib add ----------------------------------------------------------------------------

def test_a_failed_add_leaves_no_record_in_the_cache(mirror, cfg, cache, tmp_path):
    """Planted: the first id is found and fetched, the second is unknown; the fetched
    record used to stay in bib/cache/ for a work the library does not list."""
    path = tmp_path / "library.yaml"
    path.write_text("- key: hu2021lora\n  arxiv: '2106.09685'\n")
    with pytest.raises(UserError, match="2999.99999: not found"):
        add_works(load_library(path), ["2401.02385", "2999.99999"], cfg, [], cache)
    assert cache.files() == []
    keys = add_works(load_library(path), ["2401.02385"], cfg, [], cache)  # silent case
    assert keys == ["zhang2024tinyllama"]
    assert [f.parent.name + "/" + f.name for f in cache.files()] == [
        "arxiv/2401.02385.json", "s2/ARXIV_2401.02385.json"]
    assert Cache(cache.root).get("arxiv", "2401.02385").found
