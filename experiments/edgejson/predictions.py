"""The predictions JSONL: one line per example, written as generation goes.

Why append-only with a flush whenever rows finish: a run that is killed (Ctrl-C, out of
memory, a preempted GPU) keeps every finished row; the next run reads the ids already
done and generates only the rest. A line cut short by the kill is detected and dropped.

Format: an optional first line {"edgejson_predictions": 2, "settings": {...}} recording
what was evaluated (the resume fingerprint of `edgejson.evaluate`: every output-affecting
setting and the hashes of the weights, adapter and data; version 1 headers hold the
settings alone and are still read), then {"id": ..., "output": "...", ...} per example.
Files produced elsewhere need only "id" and "output"; `edgejson score` rescored them.

While a run writes, its folder is locked (`locked`): two evaluations appending to one
file would interleave two runs' rows and leave a file no one can resume or score.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maaza_core.atomic import os_errors_of
from maaza_core.errors import UserError
from maaza_core.jsonl import iter_jsonl

HEADER_KEY = "edgejson_predictions"
FORMAT_VERSION = 2  # 2: the settings are the resume fingerprint, hashes included
LOCK_FILE = ".edgejson.lock"  # in the output folder while a run writes to it; holds the pid


@dataclass
class Predictions:
    """What a predictions file holds."""

    settings: dict[str, Any] | None  # the header's settings, None without a header
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> record


def _check_record(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object per line, got {type(obj).__name__}")
    for key in ("id", "output"):
        if not isinstance(obj.get(key), str):
            raise UserError(f"{where}: missing or non-string {key!r} "
                            '(fix: each line needs {"id": "...", "output": "..."})')
    return obj


def read_predictions(path: Path, repair: bool = False) -> Predictions:
    """Parse a predictions file; errors name the line.

    With `repair`, a final line without its newline (a write cut short by a kill) is
    removed from the file instead of being an error: resuming regenerates that example.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such predictions file")
    if repair:
        _drop_torn_tail(path)
    preds = Predictions(settings=None)
    for number, obj in iter_jsonl(path):
        where = f"{path}:{number}"
        if isinstance(obj, dict) and HEADER_KEY in obj:
            preds.settings = obj.get("settings")
            continue
        record = _check_record(obj, where)
        if record["id"] in preds.records:
            raise UserError(f"{where}: duplicate id {record['id']!r}")
        preds.records[record["id"]] = record
    return preds


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline: a kill cut that write short, and resuming
    regenerates the example (only a resume reads the file for this)."""
    raw = path.read_bytes()
    tail = raw.rpartition(b"\n")[2]
    if tail.strip():
        with path.open("r+b") as fh:
            fh.truncate(len(raw) - len(tail))
            fh.flush()
            os.fsync(fh.fileno())


class PredictionWriter:
    """Appends records and makes them durable before generation moves on."""

    def __init__(self, path: Path, settings: dict[str, Any]) -> None:
        self.path = path
        with os_errors_of(path, *path.parents):
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists() or path.stat().st_size == 0
            self._fh = path.open("a", encoding="utf-8")
        if fresh:
            self._write([{HEADER_KEY: FORMAT_VERSION, "settings": settings}])

    def _write(self, objs: list[dict[str, Any]]) -> None:
        # A refused append (disk full, file-size limit) is one line; the rows already
        # written stay, and a torn last line is cut when the run resumes (repair=True).
        with os_errors_of(self.path):
            self._fh.write("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs))
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def write_rows(self, records: list[dict[str, Any]]) -> None:
        """Write the rows that just finished, durably (flush + fsync)."""
        self._write(records)

    def close(self) -> None:
        """Flush and close the file; rows written so far stay valid for a resumed run."""
        self._fh.close()

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the output folder's lock while the block runs; refuse if another process does.

    An flock on a lock file holding the pid: the kernel drops it when its process dies,
    so a lock file left by a killed run (a stale pid) is simply taken over.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd = _acquire(path)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # while held: a waiter that opened it retries (_acquire)
        os.close(fd)


def _acquire(path: Path) -> int:
    """An open, flock-ed descriptor of `path` (the file that is at `path` now: a holder
    that just finished may have unlinked the one we opened)."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise UserError(f"{path.parent}: another evaluation (pid {holder}) is writing "
                            "to this folder (fix: wait for it to finish, or choose another "
                            "--out)") from None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
