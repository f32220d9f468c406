"""The one "did you mean" and the flags derived from config dataclasses."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from maaza_core.cli import add_command, add_settings, setting, settings_from
from maaza_core.suggest import closest, did_you_mean


def test_closest_ranks_the_typo_first() -> None:
    assert closest("vaswani2071", ["brown2020", "vaswani2017", "touvron2023"])[0] == "vaswani2017"
    assert did_you_mean("x", []) == "closest: none"


@dataclasses.dataclass(frozen=True)
class _Settings:
    model: str  # required: never a flag here
    limit: int | None = setting(None, help="first N examples only")
    lr: float = setting(2e-4, help="learning rate")
    progress: bool = setting(True, help="show progress bars")
    data: Path = setting(Path("/data"), help="data folder")
    dtype: str = setting("auto", help="weights dtype", choices=("auto", "float32"))


def _parser(names) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="t")
    add_settings(parser, _Settings, names)
    return parser


def test_defaults_come_from_the_dataclass() -> None:
    args = _parser(["limit", "lr", "progress", "data", "dtype"]).parse_args([])
    assert settings_from(_Settings, args, model="m") == _Settings(model="m")


def test_flags_parse_into_typed_fields() -> None:
    args = _parser(["limit", "lr", "progress", "data", "dtype"]).parse_args(
        ["--limit", "3", "--lr", "0.1", "--no-progress", "--data", "d", "--dtype", "float32"])
    assert settings_from(_Settings, args, model="m") == _Settings(
        "m", limit=3, lr=0.1, progress=False, data=Path("d"), dtype="float32")


def test_only_the_named_flags_exist() -> None:
    with pytest.raises(SystemExit):
        _parser(["limit"]).parse_args(["--lr", "1"])


def test_help_shows_the_default_once() -> None:
    text = _parser(["lr"]).format_help()
    assert text.count("(default: 0.0002)") == 1


def test_add_command_sets_handler_and_example() -> None:
    parser = argparse.ArgumentParser(prog="t")
    sub = parser.add_subparsers(dest="command", required=True)
    q = add_command(sub, "go", len, "run it", "t go")
    assert parser.parse_args(["go"]).func is len and "example:\n  t go" in q.format_help()
