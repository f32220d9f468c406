"""`bib check --fix`: the fixed file has no fixable error left, keys and user fields stay,
a second fix changes nothing, nothing is written in place unless asked (with a backup),
and a wrong id never turns an entry into another paper."""

from __future__ import annotations

import re
import shutil

from test_rules import REALISTIC

from papertools.bib.bibfile import parse_bib
from papertools.bib.check import check_file
from papertools.bib.fixcmd import corrected
from papertools.bib.records import Cache
from papertools.cli import main

# What no source can fix: a software entry without author/year, an id nobody knows, an
# id that names another paper.
UNFIXABLE = {"llamacpp", "ghost2029", "zheng2024sglang"}


def _keys(path):
    return [item.key for item in parse_bib(path).items]


def _entry(text: str, key: str) -> str:
    start = text.index("{" + key + ",")
    return text[start : text.index("\n}", start)]


def test_fix_round_trip(mirror, cfg, tmp_path):
    cache = Cache(tmp_path / "c")
    report = check_file(REALISTIC, cfg, cache=cache)
    fixed = tmp_path / "fixed.bib"
    fixed.write_text(corrected(report), encoding="utf-8")
    after = check_file(fixed, cfg, cache=cache)
    left = {f.where.rsplit(": ", 1)[-1] for f in after.findings}
    assert left == UNFIXABLE and after.errors == 4, after.findings
    assert _keys(fixed) == _keys(REALISTIC)
    text, old = fixed.read_text("utf-8"), REALISTIC.read_text("utf-8")
    # user fields stay, the id moves from the dropped journal field to eprint
    assert "file = {papers/smollm2.pdf}" in text and "primaryClass = {cs.LG}" in text
    smol = _entry(text, "allal2024smollm2")
    assert smol.startswith("{allal2024smollm2,") and "@inproceedings{allal2024smollm2" in text
    assert "Allal, Loubna Ben and Lozhkov, Anton" in smol and "and others" not in smol
    assert "year = {2025}" in smol and "booktitle = {COLM}" in smol
    assert "eprint = {2502.02737}" in smol and "journal" not in smol
    # the wrong id: nothing taken from the other paper
    assert _entry(text, "zheng2024sglang") == _entry(old, "zheng2024sglang")
    # correct entries keep every byte
    for key in ("hu2022lora", "vaswani2017attention", "meta2024llama32"):
        assert _entry(text, key) == _entry(old, key)
    again = check_file(fixed, cfg, cache=cache)
    assert corrected(again) == text  # a second --fix changes nothing


def test_fixable_file_ends_with_no_finding(mirror, cfg, tmp_path):
    text = REALISTIC.read_text("utf-8")
    for key in UNFIXABLE:  # drop the three unfixable entries
        text = re.sub(r"@\w+\{" + key + r",.*?\n\}\n", "", text, flags=re.S)
    bib = tmp_path / "fixable.bib"
    bib.write_text(text, encoding="utf-8")
    cache = Cache(tmp_path / "c")
    before = check_file(bib, cfg, cache=cache)
    assert before.errors == 12
    bib.write_text(corrected(before), encoding="utf-8")
    after = check_file(bib, cfg, cache=cache)
    assert after.findings == ()


def _run(capsys, bib, *args):
    cache = str(bib.parent / "c")  # records for this file; the committed cache is read only
    code = main(["bib", "check", str(bib), "--cache", cache, *args])
    return code, capsys.readouterr()


def test_fix_command_dry_run_output_and_in_place_backup(mirror, cfg, tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    shutil.copy(REALISTIC, bib)
    original = bib.read_bytes()
    code, out = _run(capsys, bib, "--fix")
    assert code == 1 and bib.read_bytes() == original  # dry run: nothing written
    assert f"--- {bib}\n+++ {bib}\n" in out.out and "-@article{allal2024smollm2," in out.out
    assert "not fixed: zheng2024sglang: its title or authors do not match" in out.out
    assert "after the fix: 4 errors, 0 warnings" in out.out
    copy = tmp_path / "fixed.bib"
    assert _run(capsys, bib, "--fix", "-o", str(copy))[0] == 1
    assert bib.read_bytes() == original and copy.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "fixed.bib", "refs.bib"]
    _run(capsys, bib, "--fix", "--in-place")
    assert (tmp_path / "refs.bib.bak").read_bytes() == original
    assert bib.read_text("utf-8") == copy.read_text("utf-8")
    _, out = _run(capsys, bib, "--fix", "--in-place")
    assert "0 entries changed" in out.out and not (tmp_path / "refs.bib.bak.1").exists()


def test_fix_refuses_to_overwrite_without_in_place(tmp_path, capsys):
    bib = tmp_path / "refs.bib"
    text = "@misc{a, title={x}, author={Doe, J.}, year={2020}}\n"
    bib.write_text(text, encoding="utf-8")
    code, out = _run(capsys, bib, "-o", str(tmp_path / "x.bib"), "--offline")
    assert code == 1 and "-o writes a corrected copy, which needs --fix (fix: papertools bib " \
        f"check {bib} --fix -o {tmp_path / 'x.bib'})" in out.err
    code, out = _run(capsys, bib, "--fix", "-o", str(bib), "--offline")
    assert code == 1 and f"is the checked file (fix: papertools bib check {bib} --fix " \
        "--in-place" in out.err
    assert bib.read_text("utf-8") == text and not (tmp_path / "x.bib").exists()
