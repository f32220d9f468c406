"""A draft that reads a file outside the project is refused with its file:line (issue 22,
item 4), before pandoc runs and before anything is written. Planted: the raw LaTeX forms
pandoc passes through to the paper; the silent case is the relative inputs a draft may
use (and prose that only mentions input)."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import UserError
from papertools.litreview.drafts import check_drafts, convert_draft


@pytest.mark.parametrize("raw", [
    r"\input{/etc/passwd}",
    r"\input /etc/passwd",
    r"\include{../../../home/me/secret}",
    r"\InputIfFileExists{~/.ssh/id_rsa}{}{}",
    r"\includegraphics[width=2cm]{/tmp/x.png}",
    r"\lstinputlisting{../../.env}",
    r"\openin3=/etc/hostname",
])
def test_a_read_outside_the_tree_is_refused(tmp_path: Path, library, raw: str) -> None:
    draft = tmp_path / "03-x.md"
    draft.write_text(f"## X\n\nFine [@alpha2020].\nThen {raw} here.\n", encoding="utf-8")
    out = tmp_path / "03-x.tex"
    with pytest.raises(UserError, match=r"03-x\.md:4: .* reads a file outside the project"):
        convert_draft(draft, out, library)
    assert not out.exists()


def test_relative_inputs_inside_the_tree_pass(tmp_path: Path, library) -> None:
    draft = tmp_path / "03-ok.md"
    draft.write_text("## Ok\n\nSee [@alpha2020] and the input of Table \\ref{t}.\n\n"
                     "\\input{generated/macros}\n\\includegraphics{figures/x.pdf}\n",
                     encoding="utf-8")
    assert [c.key for c in check_drafts([draft], library)] == ["alpha2020"]
