"""One finding type shared by verify, bib-check and the citation check, and the fix
(`Fix`) that the checks of an entry propose for `--fix`.

Why one type: `make bib` sums warnings and errors from all three, and `--json` prints
them the same way, so they must agree on shape and on what counts as fatal. Why `Fix`
here: verify (the comparison with the sources) and entrytype (the entry type's fields)
both fill one in, and fix.py applies it; below all three, no module needs another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A problem found in an input file, the library or a source comparison."""

    severity: str  # ERROR (fails the command) or WARNING (reported only)
    where: str  # "file:line" or an entry key
    message: str  # one line, already saying what to do where possible

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_json(self) -> dict[str, str]:
        """The finding as `--json` prints it."""
        return asdict(self)


def count(findings: Iterable[Finding], severity: str) -> int:
    """How many findings have `severity` (ERROR or WARNING): what the summary lines and exit codes
    use."""
    return sum(1 for f in findings if f.severity == severity)


@dataclass
class Fix:
    """What `--fix` changes in one entry; empty when nothing (or nothing safely)."""

    type: str | None = None  # new entry type
    values: dict[str, str] = field(default_factory=dict)  # field -> new value (Unicode)
    drop: set[str] = field(default_factory=set)  # fields to remove
    rename: dict[str, str] = field(default_factory=dict)  # journal -> booktitle, value kept
    names: tuple[str, ...] | None = None  # new author list (source spelling)
    names_cut: bool = False  # the new list ends in "and others"

    def __bool__(self) -> bool:
        return bool(self.type or self.values or self.drop or self.rename
                    or self.names is not None)
