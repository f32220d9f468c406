"""`--fix` as a command: diff, the guarded entries, writing a copy or in place.

Why re-check the result: the count of errors left is measured on the corrected text by
the same checker (offline, from the records just used), not predicted from the fixes.
Why a numbered backup: `--in-place` twice must not overwrite the only original.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from maaza_core.atomic import write_atomic
from maaza_core.errors import UserError
from papertools.bib.check import CheckReport, check_file
from papertools.bib.config import SourceConfig
from papertools.bib.fix import fixed_text, unified_diff


def backup_path(path: Path) -> Path:
    """FILE.bak, or FILE.bak.1, .2 ... when earlier backups exist."""
    candidate, n = path.with_name(path.name + ".bak"), 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.bak.{n}")
    return candidate


def corrected(report: CheckReport) -> str:
    """The checked file's text with every safe fix applied."""
    assert report.bib is not None
    return fixed_text(report.bib.text, report.bib.items, report.fixes)


def recheck(text: str, report: CheckReport, cfg: SourceConfig) -> CheckReport:
    """The checker's findings on `text`, from the same records, without any request."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / report.path.name
        copy.write_text(text, encoding="utf-8")
        return check_file(copy, cfg, offline=True, cache=report.cache)


def _guarded(report: CheckReport) -> list[str]:
    """The entries left alone: compare() gives no fix (None) only beside its finding."""
    return [key for key, fix in report.fixes.items() if fix is None]


def check_fix_args(file: Path, fix: bool, output: Path | None, in_place: bool) -> None:
    """Refuse, before any request, flags that contradict each other, with the command
    that does what they seem to want."""
    if in_place and output:
        raise UserError(f"-o {output} and --in-place contradict each other: -o writes a "
                        f"corrected copy, --in-place rewrites {file} (fix: papertools bib "
                        f"check {file} --fix -o {output}, or ... --fix --in-place)")
    if (output or in_place) and not fix:
        how = "--in-place" if in_place else f"-o {output}"
        raise UserError(f"{'--in-place' if in_place else '-o'} writes a corrected copy, which "
                        f"needs --fix (fix: papertools bib check {file} --fix {how})")
    if output and Path(output).resolve() == Path(file).resolve():
        raise UserError(f"-o {output}: is the checked file (fix: papertools bib check {file} "
                        "--fix --in-place, which keeps a backup, or another -o path)")


def run_fix(report: CheckReport, cfg: SourceConfig, *, output: Path | None = None,
            in_place: bool = False, notes_to_stderr: bool = False) -> int:
    """Print the diff of the fixes and write them to `output`, or over the checked file
    (`in_place`, keeping a backup), or nowhere (a dry run); the exit status is whether
    errors remain on the corrected text. Diff and notes go to stdout, or to stderr when
    stdout carries the JSON report (`notes_to_stderr`)."""
    out = sys.stderr if notes_to_stderr else sys.stdout
    old = report.bib.text if report.bib else ""
    new = corrected(report)
    # In place means the file the name leads to: a symlink stays a link to the fixed file.
    target = report.path.resolve() if in_place else output
    print(unified_diff(old, new, str(report.path), str(target or report.path)), end="",
          file=out)
    for key in _guarded(report):
        print(f"not fixed: {key}: its title or authors do not match the records of its id; "
              "nothing taken from them (fix: check the id)", file=out)
    if target is None:
        print("bib-check --fix: dry run, nothing written (-o FILE or --in-place writes it)",
              file=out)
    elif in_place and new != old:
        backup = backup_path(target)
        write_atomic(backup, old)
        write_atomic(target, new)
        print(f"bib-check --fix: {target} rewritten; the original is {backup}", file=out)
    elif not in_place:
        write_atomic(target, new)
        print(f"bib-check --fix: wrote {target}", file=out)
    left = recheck(new, report, cfg)
    changed = sum(1 for fix in report.fixes.values() if fix)
    print(f"bib-check --fix: {changed} entries changed; after the fix: {left.errors} errors, "
          f"{len(left.findings) - left.errors} warnings", file=out)
    return 1 if left.errors else 0
