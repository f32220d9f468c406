"""Releasing the paper to people outside the build: the arXiv tarball and the marked-up
diff between two revisions (`papertools release ...`, `make arxiv`, `make diff`)."""
