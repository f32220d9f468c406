"""The related-work section: Markdown drafts, curated summary tables, one LaTeX entry point.

Co-authors write ``litreview/NN-*.md`` with pandoc citations and edit the table data in
``litreview/data/``; this package checks every citation key against ``bib/library.yaml``
before anything is converted, so a wrong key stops the build at its file and line instead
of surfacing as "Citation undefined" in the LaTeX log.
"""
