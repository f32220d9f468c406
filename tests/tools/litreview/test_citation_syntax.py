"""Malformed citations in drafts are errors with file:line; well-formed ones stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaza_core.errors import UserError
from papertools.litreview.drafts import check_drafts, convert_draft, draft_paths
from papertools.litreview.syntax import citation_syntax_errors


@pytest.mark.parametrize(("markdown", "line", "what"), [
    ("Intro.\n\nAdapters [@] help.\n", 3, "empty citation"),
    ("Adapters [@hu2021lora; @] help.\n", 1, "empty citation"),
    ("Adapters [@{}] help.\n", 1, "empty citation"),
    ("One\ntwo [see @ p. 3] three\n", 2, "'@' with no key after it"),
    ("Adapters [@hu2021lora help.\nMore text.\n\nNext paragraph].\n", 1,
     "'[' before a citation is never closed"),
    ("First.\n\nAs @hu2021lora] showed.\n", 3, "']' closes no '['"),
])
def test_malformed_citation_is_named_with_line(tmp_path: Path, library, markdown, line, what):
    draft = tmp_path / "01-x.md"
    draft.write_text(markdown, encoding="utf-8")
    with pytest.raises(UserError) as err:
        check_drafts([draft], library)
    first = str(err.value).splitlines()[0]
    assert first.startswith(f"{draft}:{line}: malformed citation: {what}"), first


@pytest.mark.parametrize("markdown", [
    "Adapters [@hu2021lora; @alpha2020, p. 3] and @beta2021 [-@alpha2020].\n",
    "Split over lines [@hu2021lora;\n@alpha2020] is fine.\n",
    "Mail a.b@example.org, code `[@]` and `@`, escaped \\[ and \\@.\n",
    "```\n[@] in a fence\n```\n",
    "A [link](https://example.org/u) and [plain brackets] and @{hu2021lora}.\n",
])
def test_well_formed_text_is_silent(tmp_path: Path, library, markdown):
    draft = tmp_path / "01-x.md"
    draft.write_text(markdown, encoding="utf-8")
    assert citation_syntax_errors(draft, markdown) == []
    check_drafts([draft], library)


def test_the_committed_drafts_are_well_formed():
    drafts = draft_paths()
    assert drafts
    for draft in drafts:
        assert citation_syntax_errors(draft, draft.read_text(encoding="utf-8")) == []


def test_a_malformed_draft_leaves_the_old_fragment(tmp_path: Path, library):
    draft, out = tmp_path / "01-x.md", tmp_path / "01-x.tex"
    out.write_text("old fragment\n", encoding="utf-8")
    draft.write_text("Adapters [@hu2021lora help.\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"01-x\.md:1: malformed citation"):
        convert_draft(draft, out, library)
    assert out.read_text(encoding="utf-8") == "old fragment\n"
