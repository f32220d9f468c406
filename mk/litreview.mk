# make litreview: related-work drafts (litreview/NN-*.md) -> LaTeX fragments (pandoc,
# natbib), summary tables (litreview/data/*.yaml -> Jinja) and the file the paper inputs,
# build/generated/litreview/related-work.tex.
#
# One fragment per draft, so editing one draft reconverts only that draft (and the PDF).
# Every fragment and table also depends on bib/library.yaml: the citation keys are checked
# against it before pandoc runs.

LITREVIEW_SRC := litreview
LITREVIEW_DATA := $(LITREVIEW_SRC)/data
LITREVIEW_GEN := build/generated/litreview
LITREVIEW_TEMPLATES := paper/templates/litreview
LITREVIEW_LIBRARY := bib/library.yaml
# The code every litreview file depends on: the CLI and its helpers, the shared core and
# the library reader; the tables also go through render's Jinja and LaTeX escaping.
LITREVIEW_CODE := $(wildcard tools/papertools/litreview/*.py core/maaza_core/*.py \
                             tools/papertools/bib/cites.py tools/papertools/bib/library.py)
LITREVIEW_TABLE_CODE := $(wildcard tools/papertools/render/jinja.py tools/papertools/render/texescape.py)

# The drafts: found here only, and handed to `papertools litreview index`, which puts them
# in paper order (by name) and refuses a file not named like a draft.
LITREVIEW_DRAFTS := $(wildcard $(LITREVIEW_SRC)/[0-9][0-9]-*.md)
# One table per data file: litreview/data/<name>.yaml (the names are the files).
LITREVIEW_TABLE_NAMES := $(basename $(notdir $(wildcard $(LITREVIEW_DATA)/*.yaml)))
LITREVIEW_FRAGMENTS := $(LITREVIEW_DRAFTS:$(LITREVIEW_SRC)/%.md=$(LITREVIEW_GEN)/%.tex)
LITREVIEW_TABLES := $(LITREVIEW_TABLE_NAMES:%=$(LITREVIEW_GEN)/table-%.tex)
LITREVIEW_INDEX := $(LITREVIEW_GEN)/related-work.tex
# Every generated file of the section: mk/paper.mk makes the PDF depend on these.
LITREVIEW_TEX := $(LITREVIEW_INDEX) $(LITREVIEW_FRAGMENTS) $(LITREVIEW_TABLES)

.PHONY: litreview litreview-check
litreview: $(LITREVIEW_TEX) ## convert the related-work drafts and render their tables
litreview-check: | $(VENV_STAMP) ## check every citation key in litreview/ (no conversion)
	$(BIN)/papertools litreview check

$(LITREVIEW_GEN)/%.tex: $(LITREVIEW_SRC)/%.md $(LITREVIEW_LIBRARY) $(LITREVIEW_CODE) | $(VENV_STAMP)
	$(BIN)/papertools litreview convert $< -o $@

$(LITREVIEW_GEN)/table-%.tex: $(LITREVIEW_DATA)/%.yaml $(LITREVIEW_DATA)/%.schema.json \
                              $(LITREVIEW_TEMPLATES)/%.tex.j2 $(LITREVIEW_TEMPLATES)/_summary.tex.j2 \
                              $(LITREVIEW_LIBRARY) $(LITREVIEW_CODE) $(LITREVIEW_TABLE_CODE) | $(VENV_STAMP)
	$(BIN)/papertools litreview table $* -o $@

# The index lists the drafts, so it changes only when one is added, removed or renamed,
# and each of those changes the folder's time: the folder (litreview/., since the
# phony target `litreview` has its name) is the prerequisite.
$(LITREVIEW_INDEX): $(LITREVIEW_SRC)/. $(LITREVIEW_CODE) | $(VENV_STAMP)
	$(BIN)/papertools litreview index $(LITREVIEW_DRAFTS) -o $@
