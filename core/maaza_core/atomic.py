"""Writing a file so that it is either the old one or the complete new one.

Why: Make takes any file with a fresh time as up to date, and co-authors edit some of
these files (library.yaml) by hand; a crash or an error half-way must never leave a
truncated file behind. Every package writes through this one function.

The new file gets the old one's permissions (a tracked file stays 0644, a script stays
executable), or, when there was none, what the umask gives a newly created file:
`mkstemp` alone would leave 0600 and change tracked files' modes in git.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from maaza_core.errors import UserError
from maaza_core.paths import display


def _mode_for(path: Path) -> int:
    """The permission bits the written file should have."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


# What the system answers when a write itself fails: no space or quota, the file-size
# limit (ulimit -f), a read-only file system or folder, a path through a file, I/O.
_WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                   errno.EPERM, errno.EIO, errno.ENOTDIR, errno.EEXIST, errno.ENAMETOOLONG}


def write_error(path: Path, exc: OSError) -> UserError:
    """The one line for a write the system refused: the path, its reason, and that the
    previous file is intact (every writer goes through `replacing`)."""
    return UserError(f"{display(path)}: cannot write: {exc.strerror or exc} (fix: free disk "
                     "space, or check the folder's permissions and the file-size limit; "
                     "the previous file, if any, is unchanged)")


@contextmanager
def os_errors_of(path: Path, *also: Path) -> Iterator[None]:
    """Turn a failed write of `path` (or of the `also` paths, its temporary file) into
    `write_error`. An OSError about another file (one being read) is left alone: that
    is not this write's failure, and keeps its own message."""
    try:
        yield
    except OSError as exc:
        name = exc.filename
        mine = name is None or str(name) in {str(path), *map(str, also)} or (
            Path(name).parent == path.parent and Path(name).name.startswith(f".{path.name}."))
        if exc.errno in _WRITE_FAILURES and mine:
            raise write_error(path, exc) from None
        raise


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A private temporary name next to `path`, renamed over it when the block succeeds.

    For writers that need a file name (matplotlib, shutil.copyfile). The name is unique,
    so two builds at once never write the same temporary file; on any error or Ctrl-C it
    is removed and `path` is left as it was. A write the system refuses (disk full, a
    read-only folder, the file-size limit) is one line naming `path` (`write_error`).
    """
    with os_errors_of(path, *path.parents):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                    suffix=f".tmp{path.suffix}")
    tmp = Path(name)
    try:
        with os_errors_of(path, tmp):
            try:
                os.fchmod(fd, _mode_for(path))
            finally:
                os.close(fd)
            yield tmp
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def replacing_dir(path: Path) -> Iterator[Path]:
    """A private temporary folder next to `path`, put in its place when the block succeeds.

    For a command whose files belong together (`edgejson export-gguf`: the GGUF files and
    the manifest that hashes them): a reader finds the old folder or the complete new
    one, never a mix. On any error or Ctrl-C the temporary folder is removed and `path`
    is left as it was. A folder cannot be renamed over a non-empty one, so the old
    folder is first renamed aside (`.NAME.*.old`), and deleted once the new one is in.
    """
    with os_errors_of(path, *path.parents):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        with os_errors_of(path, tmp):
            # mkdtemp makes 0700; the new folder gets the old one's mode, or the umask's.
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.is_dir()
                     else 0o777 & ~_umask())
            yield tmp
            old = tmp.with_suffix(".old")
            if path.exists():
                os.rename(path, old)
            try:
                os.rename(tmp, path)
            except BaseException:
                if old.exists():
                    os.rename(old, path)
                raise
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    return umask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file in the same folder, then rename it over ``path``."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
