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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _mode_for(path: Path) -> int:
    """The permission bits the written file should have."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A private temporary name next to `path`, renamed over it when the block succeeds.

    For writers that need a file name (matplotlib, shutil.copyfile). The name is unique,
    so two builds at once never write the same temporary file; on any error or Ctrl-C it
    is removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                suffix=f".tmp{path.suffix}")
    tmp = Path(name)
    try:
        try:
            os.fchmod(fd, _mode_for(path))
        finally:
            os.close(fd)
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file in the same folder, then rename it over ``path``."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
