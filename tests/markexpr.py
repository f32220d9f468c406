"""Reading a pytest marker expression (`-m`) the way pytest does, for the guards of
tests/conftest.py and their tests: a module of its own, because `conftest` is not one
name (every test folder may have one)."""

from __future__ import annotations

import itertools
import re

_NAME = r"[A-Za-z_][\w-]*"


def selects(markexpr: str, marker: str) -> bool:
    """Whether `-m markexpr` can keep a test carrying `marker` (with any other markers):
    pytest's grammar is names, and, or, not and parentheses; empty keeps everything."""
    if not markexpr.strip():
        return True
    names = sorted(set(re.findall(_NAME, markexpr)) - {"and", "or", "not", marker})
    for values in itertools.product((True, False), repeat=len(names)):
        truth = dict(zip(names, values, strict=True), **{marker: True})
        words = re.sub(_NAME, lambda m, t=truth: str(t.get(m.group(), m.group())), markexpr)
        if eval(words, {"__builtins__": {}}):  # only True/False/and/or/not/() are left
            return True
    return False
