"""Errors a user can fix, shared by every package.

Why here and not in a CLI module: library code (data loading, rendering, the bib layer)
raises them, and library code should not import a command-line front end to do so.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input the user can fix; printed without a traceback."""
