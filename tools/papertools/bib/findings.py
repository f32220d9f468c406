"""One finding type shared by verify, bib-check and the citation check.

Why one type: `make bib` sums warnings and errors from all three, and `--json` prints
them the same way, so they must agree on shape and on what counts as fatal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

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
        return asdict(self)


def count(findings: Iterable[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)
