"""The Jinja environment for LaTeX templates.

LaTeX uses ``{}``, ``%`` and ``#`` everywhere, so Jinja's default ``{{ }}``/``{% %}``/``{# #}``
delimiters would collide with it. Templates use ``\\VAR{...}``, ``\\BLOCK{...}`` and
``\\#{...}`` instead (as in the common "LaTeX + Jinja" convention), and ``StrictUndefined``
turns a misspelt variable into an error rather than an empty cell in the PDF.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from maaza_core.paths import TEMPLATES_DIR
from papertools.render.texescape import latex_escape


def make_env(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja environment of the generated LaTeX: LaTeX-safe delimiters, undefined variables are
    errors, latex_escape as a filter."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_statement_prefix="%%",
        line_comment_prefix="%#",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["latex_escape"] = latex_escape
    env.filters["e"] = latex_escape
    return env


def render(template: str, context: dict, templates_dir: Path = TEMPLATES_DIR) -> str:
    """Render ``template`` (a path relative to ``templates_dir``) with ``context``."""
    return make_env(templates_dir).get_template(template).render(**context)
