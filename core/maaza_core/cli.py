"""The one CLI convention of both tools (papertools, edgejson): the top-level handler,
the way a subcommand is registered, and flags derived from config dataclasses.

Every command is a frozen settings dataclass plus a handler (`add_settings_command`):
each field declared with `setting` is one argument, and the handler receives the
settings object built from them (`run_command`), so argparse stays in the CLI modules
and a flag exists only if the handler's settings have a field for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from maaza_core.errors import UserError


def run_main(prog: str, body: Callable[[], int | None], interrupted: str = "interrupted") -> int:
    """The one top-level handler of every command (papertools and edgejson).

    Why: a user's mistake deserves one line naming the input and the fix (exit 1), Ctrl-C
    an exit 130 without a traceback (also while the tool is still importing), and a reader
    that closes the pipe (`| head`) silence. Anything else is our bug and keeps its
    traceback. argparse's usage errors exit 2 on their own.
    """
    try:
        return int(body() or 0)
    except UserError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell tool killed by the closed pipe reports


def add_command(sub: argparse._SubParsersAction, name: str, func: Callable[..., int | None],
                help_: str, example: str) -> argparse.ArgumentParser:
    """The one way a tool registers a subcommand: help is also the description, and the
    epilog carries a runnable example (tests/test_cli_help.py checks every command)."""
    parser = sub.add_parser(name, help=help_, description=help_, epilog=f"example:\n  {example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=func)
    return parser


def setting(default: Any = dataclasses.MISSING, *, help: str, flag: str | None = None,
            **argparse_kwargs: Any) -> Any:
    """A config dataclass field whose help (and default) also make its command-line flag.

    Why: the default then lives once, in the dataclass; `add_settings` reads it from there.
    `flag` overrides the derived --field-name ("-o/--out": both spellings; a name
    without a leading dash: a positional argument shown by that name); argparse_kwargs
    (choices, type, metavar, nargs, required) pass through.
    """
    meta = {"help": help, "flag": flag, "argparse": argparse_kwargs}
    if isinstance(default, list | dict | set):
        raise TypeError("mutable defaults: use a tuple")
    return dataclasses.field(default=default, metadata=meta)


def add_settings(parser: argparse.ArgumentParser, cls: type, names: Iterable[str]) -> None:
    """Add one flag per named field of the frozen dataclass `cls` (declared with `setting`).

    The flag's default is the field's; a bool field becomes --name / --no-name; an optional
    field (default None) takes the type of its annotation's non-None part when that is a
    plain int, float, str or Path.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for name in names:
        field = fields[name]  # a KeyError here is our bug: a flag for no field
        meta = field.metadata
        flags = (meta.get("flag") or "--" + name.replace("_", "-")).split("/")
        kwargs = dict(meta.get("argparse") or {})
        default = field.default if field.default is not dataclasses.MISSING else None
        if hints[name] is bool:
            kwargs.setdefault("action", argparse.BooleanOptionalAction)
        else:
            kwargs.setdefault("type", _scalar_type(hints[name]))
        help_ = meta.get("help", "")
        if default is not None and "%(default)" not in help_:
            help_ += " (default: %(default)s)"
        parser.add_argument(*flags, dest=name, default=default, help=help_, **kwargs)


def settings_from(cls: type, args: argparse.Namespace, **values: Any) -> Any:
    """An instance of `cls` from the namespace's values for its fields, plus `values`."""
    names = {f.name for f in dataclasses.fields(cls)}
    given = {k: v for k, v in vars(args).items() if k in names}
    return cls(**{**given, **values})


def _scalar_type(hint: Any) -> Callable[[str], Any] | None:
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    kind = options[0] if len(options) == 1 else None
    return kind if kind in (int, float, str, Path) else None


# --- commands whose arguments are all settings ------------------------------------------


def add_group(sub: argparse._SubParsersAction, name: str, help_: str, example: str,
              dest: str) -> argparse._SubParsersAction:
    """A command made of subcommands (`papertools render ...`): registered through
    `add_command` like any other, so it has the same help layout and example; returns
    the action its subcommands are added to."""
    parser = add_command(sub, name, _no_subcommand, help_, example)
    return parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")


def _no_subcommand(_settings: Any) -> int:
    raise AssertionError("argparse requires a subcommand; a group has no handler")


def add_settings_command(sub: argparse._SubParsersAction, name: str,
                         func: Callable[[Any], int | None], help_: str, example: str,
                         settings: type) -> argparse.ArgumentParser:
    """Register a command whose every argument is a field of `settings` (see `setting`).

    A field whose `flag` has no leading dash, or that has neither a flag nor a default,
    is a positional argument; the others are flags (`add_settings`). `run_command` then
    calls `func` with the settings object, never with argparse's namespace.
    """
    parser = add_command(sub, name, func, help_, example)
    flags = []
    for field in dataclasses.fields(settings):
        if "help" not in field.metadata:
            continue  # set by the command's place in the tree (a subcommand's name)
        flag = field.metadata.get("flag")
        if flag and not flag.startswith("-") or not flag and _required(field):
            _add_positional(parser, settings, field)
        else:
            flags.append(field.name)
    add_settings(parser, settings, flags)
    parser.set_defaults(settings=settings)
    return parser


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _add_positional(parser: argparse.ArgumentParser, cls: type,
                    field: dataclasses.Field) -> None:
    kwargs = dict(field.metadata.get("argparse") or {})
    kwargs.setdefault("type", _scalar_type(typing.get_type_hints(cls)[field.name]))
    if not _required(field):
        kwargs["default"] = field.default
    if field.metadata.get("flag") and field.metadata["flag"] != field.name:
        kwargs.setdefault("metavar", field.metadata["flag"])
    parser.add_argument(field.name, help=field.metadata["help"], **kwargs)


def run_command(args: argparse.Namespace) -> int | None:
    """Call the chosen command's handler with its settings object built from `args`."""
    return args.func(settings_from(args.settings, args))
