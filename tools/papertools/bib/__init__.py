"""The literature tools: arXiv and Semantic Scholar sources, the cache, the library, BibTeX
writing, verification and the citation check (see bib/README.md)."""
