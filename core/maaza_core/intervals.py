"""A 95% interval together with the method that made it.

Why the method travels with the numbers: a metrics file used to hold bootstrap intervals
while the paper printed Wilson intervals computed at render time, and nothing said which
was which. Now the harness stores the interval the paper prints, the file names its
method, and the render layer prints what is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# A count (correct of total): Wilson score interval, the one the paper prints.
WILSON = "wilson"
# A mean of per-example scores: percentile bootstrap (edgejson.aggregate).
BOOTSTRAP = "bootstrap-percentile"
# A difference of means over paired examples: percentile bootstrap of the differences.
PAIRED_BOOTSTRAP = "paired-bootstrap-percentile"
METHODS = (WILSON, BOOTSTRAP, PAIRED_BOOTSTRAP)

# z for a two-sided 95% interval: the 97.5th percentile of the standard normal.
Z95 = 1.959964
DIGITS = 6  # stored precision; the paper prints at most 3 significant decimals of a share


@dataclass(frozen=True)
class Interval:
    """A 95% interval, stored in a file as {"low", "high", "method"}."""

    low: float  # lower bound
    high: float  # upper bound
    method: str  # one of METHODS

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in metrics and paired files (method included)."""
        return {"low": self.low, "high": self.high, "method": self.method}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interval:
        """An interval read back from a file that passed its schema."""
        return cls(float(data["low"]), float(data["high"]), data["method"])


def wilson(correct: int, total: int, z: float = Z95) -> Interval:
    """Wilson score interval of correct / total, rounded to the stored precision.

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0 of n, which
    matters for the 0/25 complex-tier scores.
    """
    p = correct / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return Interval(round(max(0.0, centre - half), DIGITS),
                    round(min(1.0, centre + half), DIGITS), WILSON)
