"""Writing a file so that it is either the old one or the complete new one.

Why: Make takes any file with a fresh time as up to date, and co-authors edit some of
these files (library.yaml) by hand; a crash or an error half-way must never leave a
truncated file behind. Every package writes through this one function.

The new file gets the old one's permissions (a tracked file stays 0644, a script stays
executable), or, when there was none, what the umask gives a newly created file:
`mkstemp` alone would leave 0600 and change tracked files' modes in git.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    """The permission bits the written file should have."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file in the same folder, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            os.fchmod(handle.fileno(), _mode_for(path))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
