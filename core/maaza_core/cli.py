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
import re
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


Check = Callable[[Any], str | None]  # a value -> what is wrong with it (None: fine)


def setting(default: Any = dataclasses.MISSING, *, help: str, flag: str | None = None,
            check: Check | None = None, **argparse_kwargs: Any) -> Any:
    """A config dataclass field whose help (and default) also make its command-line flag.

    Why: the default then lives once, in the dataclass; `add_settings` reads it from there.
    `flag` overrides the derived --field-name ("-o/--out": both spellings; a name
    without a leading dash: a positional argument shown by that name); argparse_kwargs
    (choices, type, metavar, nargs, required) pass through. `check` is the field's one
    rule for a valid value (see `at_least`, `one_of`, `plain_name`): the flag, a YAML
    config (`setting_value`) and a settings object built in code (`check_settings`) all
    apply it, so they cannot disagree.
    """
    meta = {"help": help, "flag": flag, "argparse": argparse_kwargs, "check": check}
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
            kwargs.setdefault("type", _flag_type(_scalar_type(hints[name]), meta.get("check")))
        help_ = meta.get("help", "")
        if default is not None and "%(default)" not in help_:
            help_ += " (default: %(default)s)"
        parser.add_argument(*flags, dest=name, default=default, help=help_, **kwargs)


def settings_from(cls: type, args: argparse.Namespace, **values: Any) -> Any:
    """An instance of `cls` from the namespace's values for its fields, plus `values`."""
    names = {f.name for f in dataclasses.fields(cls)}
    given = {k: v for k, v in vars(args).items() if k in names}
    return cls(**{**given, **values})


def _flag_type(kind: Callable[[str], Any] | None, check: Check | None
               ) -> Callable[[str], Any] | None:
    """argparse's `type` for a flag: the conversion, then the field's check, so a bad value
    is a usage error (exit 2) naming the flag, before any work starts."""
    if check is None:
        return kind

    def convert(text: str) -> Any:
        value = kind(text) if kind else text
        problem = check(value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    convert.__name__ = getattr(kind, "__name__", "value")  # argparse names it in messages
    return convert


def setting_value(cls: type, name: str, value: Any) -> Any:
    """`value` (from a YAML config) for field `name` of `cls`, typed as the flag would be.

    Raises ValueError saying what is wrong: YAML already gives ints, floats and bools, so
    a value of another type than the field's (`batch_size: eight`) is refused, not
    converted; a string becomes a Path where the field is one. Then the field's check.
    """
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    hint = typing.get_type_hints(cls)[name]
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    if value is None and type(None) in typing.get_args(hint):
        return None
    kind = options[0] if len(options) == 1 else None
    if kind is Path and isinstance(value, str):
        value = Path(value)
    elif kind in _YAML_TYPES and not _is_a(value, kind):
        raise ValueError(f"expected {_YAML_TYPES[kind]}, got {value!r}")
    problem = (field.metadata.get("check") or (lambda _: None))(value)
    if problem:
        raise ValueError(problem)
    return value


_YAML_TYPES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _is_a(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def check_settings(settings: Any) -> None:
    """Apply every field's check to a settings object however it was built (flags, YAML,
    code); the first problem is a UserError naming the flag."""
    for field in dataclasses.fields(settings):
        check = field.metadata.get("check")
        value = getattr(settings, field.name)
        problem = check(value) if check and value is not None else None
        if problem:
            flag = field.metadata.get("flag") or "--" + field.name.replace("_", "-")
            raise UserError(f"{flag} {value}: {problem}")


def at_least(low: int) -> Check:
    """Check: an integer of at least `low` (a count, a size, a limit)."""
    def check(value: Any) -> str | None:
        return None if value >= low else f"must be at least {low} (got {value})"
    return check


def one_of(*allowed: str, pattern: str | None = None) -> Check:
    """Check: one of `allowed` (or a full match of the regex `pattern`, e.g. cuda:1)."""
    def check(value: Any) -> str | None:
        if value in allowed or pattern and re.fullmatch(pattern, str(value)):
            return None
        return f"unknown value {value!r} (fix: one of {', '.join(allowed)})"
    return check


def row_limit(value: str) -> int | None:
    """argparse type of a --limit flag: the first N rows (N >= 1), or `all` (None), so that
    a Makefile variable can name the whole split without an empty flag."""
    if value == "all":
        return None
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a row count (fix: N >= 1, or all)")
    return n


def plain_name(value: Any) -> str | None:
    """Check: a name that becomes part of one folder name, never a path (no separator, no
    NUL), so it cannot lead out of the folder it is put in."""
    text = str(value)
    if not text.strip() or any(c in text for c in ("/", "\\", "\0")) or text in (".", ".."):
        return f"{text!r} is not a plain name (fix: letters, digits, '.', '-', '_'; no '/')"
    return None


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
    kind = _scalar_type(typing.get_type_hints(cls)[field.name])
    kwargs.setdefault("type", _flag_type(kind, field.metadata.get("check")))
    if not _required(field):
        kwargs["default"] = field.default
    if field.metadata.get("flag") and field.metadata["flag"] != field.name:
        kwargs.setdefault("metavar", field.metadata["flag"])
    parser.add_argument(field.name, help=field.metadata["help"], **kwargs)


def run_command(args: argparse.Namespace) -> int | None:
    """Call the chosen command's handler with its settings object built from `args`."""
    return args.func(settings_from(args.settings, args))
