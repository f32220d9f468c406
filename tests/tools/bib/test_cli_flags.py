"""Each `bib` subcommand accepts exactly the flags its handler honours, and honours them.

Why both halves: a flag that is accepted and ignored (`add --cache` writing to bib/cache/
anyway, `write --strict` doing nothing) misleads the user more than a usage error.
"""

from __future__ import annotations

import argparse

import pytest

from maaza_core.cli import run_command
from papertools.bib.cli import register
from papertools.bib.config import CHECK_CACHE_DIR
from papertools.bib.records import ARXIV, Cache


def _bib_parsers() -> dict[str, argparse.ArgumentParser]:
    top = argparse.ArgumentParser(prog="papertools")
    register(top.add_subparsers(dest="command"))
    bib = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)
               ).choices["bib"]
    return next(a for a in bib._actions if isinstance(a, argparse._SubParsersAction)).choices


def main(argv: list[str]) -> int:
    """The bib part of `papertools`: parse, then run the handler as the tool does."""
    parsers = _bib_parsers()
    return run_command(parsers[argv[1]].parse_args(argv[2:]))

FLAGS = {
    "build": {"--library", "--cache", "--strict", "--offline", "--output"},
    "refresh": {"--library", "--cache", "--strict", "--offline", "--force"},
    "write": {"--library", "--cache", "--output"},
    "verify": {"--library", "--cache", "--strict"},
    "cites": {"--library"},
    "check": {"--cache", "--strict", "--offline", "--json", "--fix", "--output",
              "--in-place"},
    "add": {"--library", "--cache", "--offline", "--category"},
    "seed-cache": {"--library", "--cache"},
}


def test_each_subcommand_offers_only_the_flags_it_honours():
    got = {name: {o for a in p._actions for o in a.option_strings if o.startswith("--")}
           - {"--help"} for name, p in _bib_parsers().items()}
    assert got == FLAGS


def test_check_writes_fetched_records_to_its_cache_flag():
    assert _bib_parsers()["check"].parse_args(["x.bib"]).cache == CHECK_CACHE_DIR


@pytest.mark.parametrize("offline", [False, True])
def test_add_stores_its_records_in_the_cache_flag(mirror, cfg, tmp_path, offline):
    library, other = tmp_path / "library.yaml", tmp_path / "other.yaml"
    for path in (library, other):
        path.write_text('- key: hu2021lora\n  arxiv: "2106.09685"\n', encoding="utf-8")
    cache = tmp_path / "mine"
    if offline:  # a record only this cache holds: --offline must read it from there
        main(["bib", "add", "--library", str(other), "--cache", str(cache),
              "2401.02385"])
        before = sum(mirror.counts.values())
    argv = ["bib", "add", "--library", str(library), "--cache", str(cache), "2401.02385"]
    assert main(argv + (["--offline"] if offline else [])) == 0
    assert Cache(cache).get(ARXIV, "2401.02385") is not None
    if offline:
        assert sum(mirror.counts.values()) == before
    assert "zhang2024tinyllama" in library.read_text(encoding="utf-8")
