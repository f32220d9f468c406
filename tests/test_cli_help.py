"""Every command of both tools answers --help with a description and a runnable example.

The commands are discovered from the parsers themselves, so a new subcommand without an
example fails here without anyone having to remember to add it to a list.
"""

from __future__ import annotations

import argparse

import pytest
from clitree import TOOLS, commands

CASES = [(tool, path, p) for tool, build in TOOLS for path, p in commands(build())]


@pytest.mark.parametrize(("tool", "path", "parser"), CASES,
                         ids=[" ".join((t, *p)) for t, p, _ in CASES])
def test_help_has_an_example(tool, path, parser) -> None:
    text = parser.format_help()
    assert "example" in text.lower(), f"{tool} {' '.join(path)} --help has no example"
    example = text.lower().split("example", 1)[1]
    assert tool in example, f"the example of {tool} {' '.join(path)} does not run {tool}"
    for action in parser._actions:
        if action.help not in (None, argparse.SUPPRESS) and action.option_strings:
            # A help that is only a path (or empty) does not say what the option does.
            assert len(action.help.split()) >= 2, f"{tool} {' '.join(path)} {action.dest}"


def test_there_are_commands_to_check() -> None:
    assert len(CASES) > 15
