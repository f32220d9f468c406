"""The render layer: data (metrics JSON, dataset statistics, curated tables) -> LaTeX.

Numbers are formatted in Python (``numbers.py``), escaped in Python (``texescape.py``) and only
placed by templates, so a template never decides how a result is rounded.
"""
