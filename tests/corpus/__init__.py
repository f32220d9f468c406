"""Shared corpus of nasty inputs (accents, braces, LaTeX specials, versioned arXiv ids).

Use: `from tests.corpus import NASTY` or read nasty.json next to this file.
"""

from __future__ import annotations

import json
from pathlib import Path

NASTY_FILE = Path(__file__).with_name("nasty.json")
NASTY: dict = json.loads(NASTY_FILE.read_text(encoding="utf-8"))
