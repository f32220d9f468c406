"""The arXiv submission: the paper's tree (release/tree.py) as a reproducible tar.gz.

Why reproducible: the same sources give the same bytes (sorted names, fixed times and
owners), so a co-author can tell from a checksum whether the tarball changed.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

from maaza_core.atomic import replacing
from papertools.release.tree import Tree, collect

MTIME = 0  # 1970-01-01: the files' own times would make every build's bytes differ


def tar_bytes(tree: Tree) -> bytes:
    """The tree as an uncompressed tar: regular files only, mode 0644, owner root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in tree.files.items():
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_tarball(out: Path, tree: Tree | None = None) -> Tree:
    """Write the submission to `out` (gzip without a time stamp), atomically."""
    tree = tree or collect()
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp, open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=MTIME) as gz:
            gz.write(tar_bytes(tree))
    return tree
