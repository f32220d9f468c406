"""bib-check's rules, one case each, on a realistic hand-made file; correct entries silent.

The file (tests/fixtures/bib/realistic.bib) has one mistake per entry above its CORRECT
line and correct entries below it, with venues in every common form (acronym, full
name, "Proceedings of ...", "Advances in ...", Findings, workshops, journals). The
expected findings are stated here in full, so a rule that stops firing, fires twice, or
starts warning on a correct entry fails the test.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from maaza_core import paths
from papertools.bib.check import check_file
from papertools.bib.findings import ERROR, WARNING
from papertools.bib.records import Cache

REALISTIC = Path(__file__).parents[2] / "fixtures" / "bib" / "realistic.bib"

# key -> [(severity, start of message)], in the order reported.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "allal2024smollm2": [
        (ERROR, 'author: position 1: in file "Allal, Louis B" / source "Loubna Ben Allal" '
                '(given names differ); position 2: in file "Wolf, Thomas" / source "Anton '
                'Lozhkov" (the source has Wolf, Thomas at position 22)'),
        (ERROR, 'year: in file "2024" / source "2025 (arXiv v1, COLM 2025)"'),
        (WARNING, "venue: upgrade available: COLM 2025"),
    ],
    "lester2021power": [(ERROR, 'author: position 2: in file "Constant, Noah" / source '
                                '"Rami Al-Rfou" (reordered')],
    "zhang2024tinyllama": [(ERROR, 'author: position 2: missing author "Guangtao Zeng"')],
    "li2021prefix": [(ERROR, 'author: position 3: extra author "Manning, Christopher D."')],
    "jacob2018quantization": [(WARNING, "author: truncated after 3 of 8 authors")],
    "cobbe2021training": [(ERROR, 'year: in file "2022" / source "2021 (arXiv v1, ')],
    "hendrycks2021mmlu": [(ERROR, 'year: in file "2020" / source "2021" (published at ICLR '
                                  "2021)")],
    "houlsby2019parameter": [(ERROR, 'venue: in file "Advances in Neural Information '
                                     'Processing Systems" / source "ICML" (published at '
                                     "ICML 2019")],
    "wang2019glue": [(ERROR, "type: a conference paper typed @article")],
    "zheng2024review": [(ERROR, "type: a journal paper typed @inproceedings")],
    "frantar2022gptq": [(WARNING, "venue: upgrade available: ICLR 2023")],
    "wang2019superglue": [(ERROR, "booktitle: missing (required by @inproceedings")],
    "sanh2019distilbert": [(ERROR, 'venue: in file "NeurIPS" / source "EMC^2 Workshop')],
    "llamacpp": [(ERROR, "author: missing: natbib cannot label"),
                 (ERROR, "year: missing: natbib labels it")],
    "ghost2029": [(ERROR, "not found: no source knows arXiv:2999.99999")],
    "zheng2024sglang": [(ERROR, 'title: in file "SGLang: Efficient Execution of Structured '
                                'Language Model Programs" / source "On-Device Language '
                                'Models: A Comprehensive Review" (the id arXiv:2409.00088')],
}
# Correct entries: each venue-name form once. They must get no finding at all.
CORRECT = [
    "hu2022lora", "dettmers2023qlora", "dettmers2022llmint8", "vaswani2017attention",
    "sun2020mobilebert", "geng2023grammar", "jiao2020tinybert", "pham2025slmbench",
    "devlin2019bert", "hu2024minicpm", "liu2024mobilellm", "zellers2019hellaswag",
    "yang2025structeval", "tam2024letme", "han2016deep", "hinton2014distilling",
    "zhou2023instruction", "lu2024small", "geng2025jsonschemabench", "willard2023efficient",
    "meta2024llama32", "onnxruntime",
]


@pytest.fixture
def report(mirror, cfg, tmp_path):
    return check_file(REALISTIC, cfg, cache=Cache(tmp_path / "c"))


def _by_key(report) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in report.findings:
        out[f.where.rsplit(": ", 1)[-1]].append((f.severity, f.message))
    return out


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_rule_reports_exactly_its_finding(report, key):
    got = _by_key(report)[key]
    want = EXPECTED[key]
    assert [s for s, _ in got] == [s for s, _ in want], got
    for (_, message), (_, start) in zip(got, want, strict=True):
        assert message.startswith(start), (message, start)


def test_correct_entries_in_every_venue_form_get_no_finding(report):
    keys = {item.key for item in report.bib.items}
    assert set(CORRECT) <= keys and set(EXPECTED) <= keys
    assert keys == set(CORRECT) | set(EXPECTED)  # every entry is a stated case
    got = _by_key(report)
    assert {k: got[k] for k in CORRECT if got.get(k)} == {}
    assert report.errors == sum(s == ERROR for v in EXPECTED.values() for s, _ in v)


def test_software_and_web_entries_are_never_searched(report, mirror):
    # one arXiv request for all ids, one S2 batch, one title search (willard2023efficient,
    # a paper without an id); none for llamacpp, meta2024llama32, onnxruntime.
    assert mirror.counts == {"arxiv": 1, "s2": 2}


def test_output_keeps_the_file_line_key_field_form_and_json(report):
    first = next(f for f in report.findings if "allal2024smollm2" in f.where)
    # The file as every location is shown (maaza_core.paths.display), then line, key, field.
    assert str(first).startswith(f"{paths.display(REALISTIC)}:6: allal2024smollm2: author: ")
    data = report.to_json()
    assert data["errors"] == report.errors and data["warnings"] == 3
    assert data["findings"][0] == {"severity": ERROR, "where": first.where,
                                   "message": first.message}
