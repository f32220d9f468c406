"""How every number in the paper is written. Templates and macros call these; nothing
else rounds, so a change of convention (say, two decimals) is made once."""

from __future__ import annotations

import math


def percent(fraction: float, digits: int = 1) -> str:
    """0.2468 -> '24.7' (the percent sign is added by the caller: '\\%' in LaTeX)."""
    return f"{100 * fraction:.{digits}f}"


def decimal(value: float, digits: int = 3) -> str:
    """A score in [0, 1] with `digits` decimals."""
    return f"{value:.{digits}f}"


def ratio(value: float, digits: int = 1) -> str:
    """A ratio such as a speed-up or a size ratio, one decimal by default."""
    return f"{value:.{digits}f}"


def points(fraction_a: float, fraction_b: float, digits: int = 1) -> str:
    """Difference of two rates in percentage points."""
    return f"{100 * (fraction_a - fraction_b):.{digits}f}"


def params(count: int) -> str:
    """135_000_000 -> '135M'; 1_500_000_000 -> '1.5B'."""
    if count >= 10**9:
        return f"{count / 10**9:.1f}".rstrip("0").rstrip(".") + "B"
    return f"{round(count / 10**6)}M"


def megabytes(n_bytes: int | None) -> str | None:
    """Decimal megabytes (10^6 bytes), the unit model cards use."""
    return None if n_bytes is None else f"{round(n_bytes / 10**6)}"


def scientific(value: float) -> str:
    """2e-4 -> '$2\\times10^{-4}$'; 1.5e-4 -> '$1.5\\times10^{-4}$'."""
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10**exponent:.2f}".rstrip("0").rstrip(".")
    return rf"${mantissa}\times10^{{{exponent}}}$"


def integer(value: int) -> str:
    """A count as plain digits: the lint matches the paper's integers against these."""
    return f"{value:d}"


def pvalue(p: float) -> str:
    """A p-value as a reader compares it with 0.05: two significant digits, and below
    0.001 in scientific notation (0.0004 would otherwise read as '0.000'), usable in and
    out of math mode."""
    if not 0 < p <= 1:
        raise ValueError(f"p-value {p} outside (0, 1]")
    if p >= 0.001:  # 0.125 stays 0.125 (an exact binomial p), 0.04937 becomes 0.049
        return f"{p:.3g}" if p >= 0.1 else f"{p:.2g}"
    # \ensuremath: prose writes $p = \result{...}$, and a nested $ would end the math.
    return r"\ensuremath{" + scientific(float(f"{p:.1e}")).strip("$") + "}"
