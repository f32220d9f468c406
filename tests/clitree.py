"""Walk the parsers of both tools: every command is found from the parsers themselves, so
a new subcommand is checked without anyone adding it to a list."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from edgejson.cli import build_parser as edgejson_parser
from papertools.cli import build_parser as papertools_parser

TOOLS = (("edgejson", edgejson_parser), ("papertools", papertools_parser))

Walk = Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Walk:
    """(argv path, parser) for the tool and every nested subcommand."""
    yield path, parser
    for action in parser._actions:  # argparse exposes subparsers only through _actions
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def leaves(parser: argparse.ArgumentParser) -> Walk:
    """(argv path, parser) of every command that runs something (no subcommands)."""
    for path, p in commands(parser):
        if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions):
            yield path, p
