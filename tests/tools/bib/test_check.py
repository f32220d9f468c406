"""bib-check on a hand-written file; malformed input is reported and left untouched."""

from __future__ import annotations

import pytest

from maaza_core.errors import DataError, DataErrors, UserError
from maaza_core.suggest import closest
from papertools.bib.bibfile import parse_bib
from papertools.bib.check import check_file
from papertools.bib.cites import check_citations, find_citations
from papertools.bib.library import load_library
from papertools.bib.records import Cache

BAD = """@article{tiny,
  title = {TinyLlama: An Open-Source Small Language Model},
  author = {Zhang, Peiyuan and Wrong, Person and Lu, Wei},
  journal = {arXiv preprint arXiv:2401.02385},
  year = {2024}
}
@inproceedings{lora,
  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},
  author = {Edward J. Hu and Yelong Shen and Phillip Wallis and Zeyuan Allen-Zhu and
            Yuanzhi Li and Shean Wang and Lu Wang and Weizhu Chen},
  booktitle = {ICLR}, year = {2015}, eprint = {2106.09685}
}
@misc{ghost, title = {Nothing}, author = {No One}, eprint = {2999.99999}, year = {2029}}
"""


def test_bib_check_reports_author_year_and_unknown_id(mirror, cfg, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BAD, encoding="utf-8")
    report = check_file(bib, cfg, cache=Cache(tmp_path / "c"))
    text = "\n".join(str(f) for f in report.findings if f.severity == "error")
    assert "tiny: author:" in text and "lora: year:" in text and "ghost: not found" in text
    assert report.errors == 3 and report.to_json()["errors"] == 3


@pytest.mark.parametrize("content", [
    b"@article{a, title = {Unbalanced {brace}, year = 2020}\n",
    b"@misc{a, title={x}}\n@misc{a, title={y}}\n",
    b"@misc{a, title={caf\xe9}}\n",
])
def test_malformed_bib_is_an_error_with_line_and_untouched(content, cfg, tmp_path):
    bib = tmp_path / "bad.bib"
    bib.write_bytes(content)
    with pytest.raises(UserError, match=r"bad\.bib:\d+"):
        check_file(bib, cfg, offline=True, cache=Cache(tmp_path / "c"))
    assert bib.read_bytes() == content


def test_library_error_names_line_and_leaves_file(tmp_path):
    lib = tmp_path / "library.yaml"
    text = "- key: a\n  arxiv: 2106.09685\n\n- key: b\n  categories: [slms]\n"
    lib.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=r"library.yaml:5: unknown category 'slms'"):
        load_library(lib)
    assert lib.read_text(encoding="utf-8") == text


def test_every_library_error_is_reported_at_once_sorted_by_line(tmp_path):
    lib = tmp_path / "library.yaml"
    lib.write_text("- key: b\n  categories: [slms]\n  arxiv: '1'\n"
                   "- key: ok\n  arxiv: '2106.09685'\n"
                   "- key: c\n  color: red\n"
                   "- key: ok\n  arxiv: '3'\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_library(lib)
    lines = str(caught.value).splitlines()
    assert lines[0] == "4 problems in the library:"
    assert [line.split("library.yaml:")[1].split(" (")[0] for line in lines[1:]] == [
        "2: unknown category 'slms'",
        "6: entry 'c' has no arxiv, doi or s2 id, no pinned title to look up, and no pinned "
        "author and year, so its citation would have neither",
        "7: unknown field 'color'",
        "8: duplicate key 'ok'"]
    assert [e.line for e in caught.value.errors] == [2, 6, 7, 8]


def test_a_bib_file_with_a_duplicate_key_is_refused_at_load(tmp_path):
    bib = tmp_path / "dup.bib"
    bib.write_text("@misc{a, title = {One}}\n\n@misc{b, title = {Two}}\n\n"
                   "@misc{a, title = {Three}}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"dup\.bib:5: duplicate key 'a' \(first at line 1;"):
        parse_bib(bib)
    bib.write_text("@misc{a, title = {One}}\n\n@misc{b, title = {Two}}\n", encoding="utf-8")
    assert [i.key for i in parse_bib(bib).items] == ["a", "b"]


def test_citations_tex_and_markdown(tmp_path):
    (tmp_path / "a.tex").write_text(
        "See \\citep[p.~3]{hu2021lora, devlin2019bert} and \\citet*{vaswani2017attention}.\n"
        "% \\cite{commented}\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(
        "As [see @hu2021lora, p. 3; -@devlin2019bert] and @zhang2024tinyllama.\n"
        "Mail someone@example.org, code `@notakey`.\n```\n@fenced\n```\n", encoding="utf-8")
    keys = [(c.key, c.path.suffix, c.line) for c in find_citations([tmp_path])]
    assert [k for k, _, _ in keys] == ["hu2021lora", "devlin2019bert", "vaswani2017attention",
                                       "hu2021lora", "devlin2019bert", "zhang2024tinyllama"]
    findings = check_citations(find_citations([tmp_path]), ["hu2021lora", "devlin2019bert",
                               "vaswani2017attention", "zhang2024tinyllama", "x"])
    assert [(f.where, f.message.split(" (")[0]) for f in findings] == [("x", "never cited")]
    # A duplicate key never gets this far: the library loader refuses it (see
    # test_every_library_error_is_reported_at_once_sorted_by_line) and so does the .bib parser.
    assert closest("hu2021lroa", ["hu2021lora", "hu2024minicpm", "x"])[0] == "hu2021lora"


TITLES_ONLY = """@inproceedings{attention,
  title = {Attention is all you need},
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob and
            Jones, Llion and Gomez, Aidan N. and Kaiser, {\\L}ukasz and Polosukhin, Illia},
  booktitle = {NeurIPS}, year = {2017}
}
@misc{qlora, title = {{QLoRA}: Efficient Finetuning of Quantized {LLMs}},
  author = {Dettmers, Tim and Pagnoni, Artidoro and Holtzman, Ari and Zettlemoyer, Luke},
  year = {2019}}
@misc{nothing, title = {A Title No Source Has Ever Seen Before}, author = {Doe, J.}}
"""


def test_bib_check_searches_by_title_when_there_is_no_identifier(mirror, cfg, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(TITLES_ONLY, encoding="utf-8")
    report = check_file(bib, cfg, cache=Cache(tmp_path / "c"))
    assert mirror.counts == {"s2": 3} and "arxiv" not in mirror.counts  # one match each
    errors = {f.where.rsplit(" ", 1)[-1]: f.message for f in report.findings
              if f.severity == "error"}
    assert set(errors) == {"qlora", "nothing"}, report.findings
    assert errors["qlora"].startswith("year:") and "not found" in errors["nothing"]
    again = check_file(bib, cfg, cache=Cache(tmp_path / "c"))
    assert mirror.counts == {"s2": 3} and again.refresh.cached == 3
