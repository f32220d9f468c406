# Releasing the paper: the arXiv submission and a marked-up diff between revisions.
#
#   make arxiv              build/arxiv.tar.gz: what arXiv compiles with pdflatex alone
#   make diff OLD=HEAD~1    build/diff.pdf: the changes since OLD marked (latexdiff)
#
# Both start from `make paper`'s output (tools/papertools/release/ says why the tree is
# kept, not flattened, for arXiv, and flattened for latexdiff).

ARXIV_TARBALL := build/arxiv.tar.gz
DIFF_PDF := build/diff.pdf
RELEASE_CODE := $(wildcard tools/papertools/release/*.py)

.PHONY: arxiv diff
arxiv: $(ARXIV_TARBALL) ## write build/arxiv.tar.gz, the arXiv submission (sources, generated LaTeX, figure PDFs, .bbl)

$(ARXIV_TARBALL): $(PAPER_PDF) $(RELEASE_CODE) | $(VENV_STAMP)
	$(PAPERTOOLS) release arxiv -o $@

# Checked while Make reads this file, before `make paper` runs for nothing.
ifneq ($(filter diff,$(MAKECMDGOALS)),)
ifeq ($(strip $(OLD)),)
$(error usage: make diff OLD=<git revision>, e.g. OLD=HEAD~1)
endif
endif

# Always rebuilt: the old revision is named on the command line, not by a file.
diff: $(PAPER_PDF) | $(VENV_STAMP) ## write build/diff.pdf, the changes since OLD marked: make diff OLD=HEAD~1
	$(PAPERTOOLS) release diff "$(OLD)" --venv $(abspath $(VENV)) -o $(DIFF_PDF)
