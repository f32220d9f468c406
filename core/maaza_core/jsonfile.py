"""JSON files as the project reads and writes them, whatever they hold.

Why a module of its own: the metrics file, the paired comparison, the data set's
statistics and a training run's resolved config are different documents with the same
needs: a reader that keeps the text (for line numbers in errors), JSON Schema violations
as DataErrors naming file, line and JSON path, and one way of writing (pretty, UTF-8 kept
as is, atomic, so that a killed run never leaves half a file for Make or the paper).
The typed documents live in `maaza_core.metrics` and `maaza_core.paired`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from maaza_core.atomic import write_atomic
from maaza_core.consistency import line_of
from maaza_core.errors import DataError
from maaza_core.jsonl import parse_json
from maaza_core.paths import display


def dumps(data: Any) -> str:
    """The one spelling of a written JSON file: two-space indent, non-ASCII text kept as
    UTF-8 (a model name with an accent stays readable), a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, data: Any) -> None:
    """Write `data` as `dumps` spells it, atomically (temporary file + rename)."""
    write_atomic(path, dumps(data))


def read_json(path: Path, what: str, folder_fix: str) -> tuple[str, Any]:
    """A JSON file's text (for line numbers) and data, read by the one strict reader
    (maaza_core.jsonl.parse_json: no NaN, no duplicate keys); an unreadable file is a
    DataError.

    `what` names the kind of file ("metrics file"), `folder_fix` what to pass instead of
    a folder."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(path, f"no such {what}") from None
    except IsADirectoryError:
        raise DataError(path, f"is a folder (fix: {folder_fix})") from None
    except UnicodeDecodeError:
        raise DataError(path, "not UTF-8 text (fix: save the file as UTF-8)") from None
    return text, parse_json(text, path)


def _is_integer(checker: Any, instance: Any) -> bool:
    """An integer is written as one: JSON Schema also takes 53.0, which a count is not."""
    return isinstance(instance, int) and not isinstance(instance, bool)


# Draft 2020-12 with "integer" meaning an integer literal (a count written "53.0" is an
# error at its JSON path, never a float that prints as "53.0" or breaks a format).
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


@cache
def schema_validator(schema: Path) -> jsonschema.protocols.Validator:
    """The validator of a schema file, built once per process (metrics and paired files)."""
    return _Validator(json.loads(schema.read_text(encoding="utf-8")))


def data_error(path: Path | str, steps: tuple[str, ...], message: str,
               text: str | None) -> DataError:
    """"FILE:LINE: json/path: message", or "FILE at /json/path: message" without the
    file's text (a document about to be written has no line yet), so that every JSON file
    of the project reports alike."""
    pointer = "/" + "/".join(steps)
    if text is None:
        return DataError(path, message, pointer=pointer)
    where = "/".join(steps) or "(top level)"
    return DataError(path, f"{where}: {message}", line=line_of(text, steps), pointer=pointer)


def schema_errors(validator: jsonschema.protocols.Validator, data: Any, path: Path | str,
                  text: str | None, fix: str) -> list[DataError]:
    """Every schema violation as a DataError (none when the data conforms): a hand-edited
    file with three mistakes takes one run to fix. A violation of anyOf/oneOf is one
    error, worded by its most relevant branch."""
    out = []
    for error in validator.iter_errors(data):
        best = jsonschema.exceptions.best_match([error])
        steps = tuple(str(p) for p in best.absolute_path)
        out.append(data_error(path, steps, f"{best.message} ({fix})", text))
    return out


class FileDoc:
    """Where a document was read from: its stem keys the paper's macros, its relpath names
    it in messages and generated comments (metrics and paired files alike)."""

    path: Path | None

    @property
    def stem(self) -> str:
        """The file name without .json."""
        assert self.path is not None, "a document that was never read has no file name"
        return self.path.stem

    @property
    def relpath(self) -> str:
        """The path as messages spell it (`maaza_core.paths.display`)."""
        return display(self.path) if self.path is not None else "(not saved)"
