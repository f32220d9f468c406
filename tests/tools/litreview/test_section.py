"""The real related-work section: its keys exist in the curated library, every library
entry is cited somewhere or kept, the section file inputs the drafts in order and hands
the tables to the appendix, and every table row says where its facts come from."""

from __future__ import annotations

from pathlib import Path

from maaza_core import paths
from papertools.bib.cites import find_citations, load_library
from papertools.cli import main
from papertools.litreview.assemble import related_work_tex
from papertools.litreview.drafts import check_drafts, draft_paths
from papertools.litreview.tables import TABLES, checked_rows, load_rows

DATA = paths.LITREVIEW_DIR / "data"


def test_every_key_cited_in_the_drafts_is_in_the_library() -> None:
    drafts = draft_paths()
    assert len(drafts) >= 5
    assert len(check_drafts(drafts, load_library())) > 30


def test_every_table_row_cites_a_library_key() -> None:
    library = load_library()
    for spec in TABLES:
        rows = checked_rows(spec, library, DATA)
        assert len(rows) >= 5


def test_library_size_and_every_entry_cited_or_kept() -> None:
    library = load_library()
    assert 30 <= len(library.entries) <= 50
    cited = {c.key for c in find_citations([paths.LITREVIEW_DIR, paths.SECTIONS_DIR])}
    for spec in TABLES:
        rows, _ = load_rows(DATA / f"{spec.name}.yaml", DATA / f"{spec.name}.schema.json")
        cited |= {row["cite"] for row in rows}
    orphans = [e.key for e in library.entries if e.key not in cited and not e.keep]
    assert orphans == []


def test_drafts_in_order_then_the_tables_macro() -> None:
    drafts = [Path("01-a.md"), Path("02-b.md"), Path("03-c.md")]
    lines = related_work_tex(drafts).splitlines()
    inputs = [line for line in lines if line.startswith("\\input")]
    assert inputs == [
        r"\input{generated/litreview/01-a}",
        r"\input{generated/litreview/02-b}",
        r"\input{generated/litreview/03-c}",
    ]
    assert lines[-1] == (
        r"\renewcommand{\relatedworktables}{"
        r"\input{generated/litreview/table-small-models}"
        r"\input{generated/litreview/table-benchmarks}"
        r"\input{generated/litreview/table-edge-frameworks}}"
    )


def test_every_table_is_in_the_macro_whatever_the_drafts() -> None:
    text = related_work_tex([])
    for spec in TABLES:
        assert f"\\input{{generated/litreview/table-{spec.name}}}" in text


def test_the_appendix_sets_the_tables() -> None:
    appendix = (paths.SECTIONS_DIR / "appendix.tex").read_text(encoding="utf-8")
    assert "\\relatedworktables" in appendix
    assert "\\input{sections/appendix}" in (paths.PAPER_DIR / "main.tex").read_text("utf-8")


def test_every_table_row_names_its_source() -> None:
    for spec in TABLES:
        rows, lines = load_rows(DATA / f"{spec.name}.yaml", DATA / f"{spec.name}.schema.json")
        missing = [line for row, line in zip(rows, lines, strict=True) if not row.get("source")]
        assert missing == [], f"{spec.name}.yaml rows without source at lines {missing}"


def test_cli_build_writes_the_whole_section(tmp_path: Path, capsys) -> None:
    assert main(["litreview", "build", "--out-dir", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "related-work.tex" in names
    assert {f"table-{s.name}.tex" for s in TABLES} <= set(names)
    assert len([n for n in names if n[:2].isdigit()]) == len(draft_paths())


def test_cli_check_exit_codes(tmp_path: Path, capsys) -> None:
    assert main(["litreview", "check"]) == 0
    bad = tmp_path / "drafts"
    bad.mkdir()
    (bad / "01-x.md").write_text("[@not_a_key_2099]\n", encoding="utf-8")
    assert main(["litreview", "check", "--drafts", str(bad)]) == 1
    assert "01-x.md:1:" in capsys.readouterr().err
