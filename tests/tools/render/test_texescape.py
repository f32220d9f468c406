"""Escaping: every special character and accented name must survive into a compiled PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from maaza_core.atomic import write_atomic
from papertools.render.jinja import make_env, render
from papertools.render.texescape import latex_escape

SPECIALS = r"\ & % $ # _ { } ~ ^"
TITLE = r"Cost & Speed: 100% of $5 #1 {tiny_models} ~ x^2 \ back — Blázquez, Kydlíček, Zoë"


def test_every_special_character_is_escaped():
    escaped = latex_escape(SPECIALS)
    for raw, cmd in [("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("_", r"\_"),
                     ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"),
                     ("^", r"\textasciicircum{}"), ("\\", r"\textbackslash{}")]:
        assert cmd in escaped, raw


def test_backslash_is_not_escaped_twice():
    assert latex_escape("\\{") == r"\textbackslash{}\{"


def test_decomposed_accents_are_normalised():
    assert latex_escape("Blaze\u0301") == "Blazé"


def test_strict_undefined_names_the_variable(tmp_path):
    (tmp_path / "t.tex.j2").write_text(r"\VAR{missing}")
    with pytest.raises(Exception, match="missing"):
        render("t.tex.j2", {}, templates_dir=tmp_path)


def test_latex_delimiters_leave_braces_alone(tmp_path):
    (tmp_path / "t.tex.j2").write_text(
        "\\textbf{\\VAR{x|latex_escape}} % comment {{ not jinja }}\n"
        "\\BLOCK{for i in items}\\VAR{i}\\BLOCK{endfor}\n")
    out = make_env(tmp_path).get_template("t.tex.j2").render(x="a&b", items=[1, 2])
    assert out == "\\textbf{a\\&b} % comment {{ not jinja }}\n12"  # trim_blocks eats the newline


def test_write_atomic_keeps_old_file_when_rendering_fails(tmp_path):
    target = tmp_path / "out.tex"
    target.write_text("old")

    class Boom:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomic(target, "".join(["new", str(Boom())]))
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tex"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs TeX Live (see .ci/run)")
def test_escaped_title_compiles_and_survives_into_pdf(tmp_path):
    doc = (
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{lmodern}\n\\begin{document}\n" + latex_escape(TITLE) + "\n\\end{document}\n"
    )
    (tmp_path / "t.tex").write_text(doc, encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                   cwd=tmp_path, check=True, capture_output=True)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "t.pdf", "-"], cwd=tmp_path,
                          check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for piece in ["Cost & Speed", "100% of $5 #1", "{tiny_models}", "~", "x^2", "\\ back",
                  "Blázquez", "Kydlíček", "Zoë"]:
        assert piece in flat, (piece, flat)
