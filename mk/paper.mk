# make paper: data -> generated LaTeX + figures -> latexmk -> build/paper.pdf
#
# Every generated file is a real target with its real inputs, so a second `make paper`
# with nothing changed does nothing, and touching one results file rebuilds only the
# tables, macros and figures that read results (not the dataset table or the drafts).

# Paths are resolved by maaza_core.paths from this variable, whatever the cwd.
export MAAZA_ROOT := $(CURDIR)

GEN := build/generated
FIGOUT := build/figures
PAPER_PDF := build/paper.pdf
PAPERTOOLS := $(BIN)/papertools

# Results and figure file names become Make targets, macro keys and TeX file names: one
# that Make would split or expand (a space, $, #, %, :) is refused before anything runs,
# with the rule papertools applies too (render/results.py SAFE_NAME).
UNSAFE_NAMES := $(shell find experiments/results experiments/results/paired figures bench/results \
  -maxdepth 1 -type f \( -name '*.json' -o -name '*.py' \) 2>/dev/null \
  | grep -v '^[A-Za-z0-9/._-]*$$')
ifneq ($(UNSAFE_NAMES),)
ifneq ($(filter-out clean distclean help,$(or $(MAKECMDGOALS),help)),)
$(error unsafe file name(s): $(UNSAFE_NAMES) (a results or figure file name may hold only \
  letters, digits, '.', '-' and '_'; fix: rename it))
endif
endif

RESULTS := $(wildcard experiments/results/*.json)
RESULTS_INPUTS := $(RESULTS) $(wildcard experiments/results/paired/*.json) \
                  experiments/results.schema.json experiments/paired.schema.json \
                  experiments/results/comparisons.yaml
DATA_INPUTS := $(wildcard experiments/data/edgejson-v3/*.jsonl) \
               $(wildcard experiments/data/edgejson-v3/schemas/*/*.json) \
               experiments/edgejson/data.py
# The data set's split and tier sizes, written by edgejson (which owns the data) and read
# by render, which imports nothing from edgejson.
DATASET_STATS := $(GEN)/dataset-stats.json
# Results are checked against the split sizes of the data set (maaza_core/consistency.py).
RESULTS_INPUTS += $(DATASET_STATS)
# Every measured result and paired test recomputed from the committed outputs (edgejson
# verify-results, which may import the scorer; render may not). A measured run's
# predictions are prerequisites: an edited or deleted outputs file re-runs the check.
MEASURED_RESULTS := $(shell grep -l '"provenance": *"measured"' $(RESULTS) /dev/null)
PREDICTIONS := $(MEASURED_RESULTS:.json=.predictions.jsonl)
RESULTS_VERIFIED := $(GEN)/results-verified.json
SCORER_CODE := $(wildcard experiments/edgejson/*.py) $(wildcard core/maaza_core/*.py)
RESULTS_INPUTS += $(RESULTS_VERIFIED)
RENDER_CODE := $(wildcard tools/papertools/render/*.py) $(wildcard core/maaza_core/*.py)
# The deployment figures of bench/edge.py (make bench-edge), read by the deployment table
# and the macros: a new or rewritten file re-renders both.
EDGE_BENCH := $(wildcard bench/results/edge-*.json) bench/edge.schema.json
TEMPLATES := paper/templates

FIGURE_NAMES := $(basename $(notdir $(wildcard figures/*.py)))
FIGURE_PDFS := $(FIGURE_NAMES:%=$(FIGOUT)/%.pdf)
FIGURE_TEX := $(FIGURE_NAMES:%=$(GEN)/fig-%.tex)
# The names are the files: one figure per figures/*.py, one table per
# paper/templates/*-table.tex.j2 (papertools render derives its choices the same way).
TABLE_NAMES := $(patsubst $(TEMPLATES)/%-table.tex.j2,%,$(wildcard $(TEMPLATES)/*-table.tex.j2))
TABLE_TEX := $(TABLE_NAMES:%=$(GEN)/%-table.tex)
MACROS_TEX := $(GEN)/macros.tex
PAPER_TEX := paper/main.tex $(wildcard paper/sections/*.tex)

.PHONY: paper render figures lint-paper
paper: $(PAPER_PDF) ## build the PDF: build/paper.pdf
render: $(MACROS_TEX) $(TABLE_TEX) $(FIGURE_TEX) $(LITREVIEW_TEX) ## render generated LaTeX only
figures: $(FIGURE_PDFS) ## draw the figures only (build/figures/*.pdf)
lint-paper: $(MACROS_TEX) ## fail on result numbers typed into paper/*.tex
	$(PAPERTOOLS) render lint --macros $(MACROS_TEX)

$(DATASET_STATS): $(DATA_INPUTS) | $(VENV_STAMP)
	$(BIN)/edgejson stats -o $@

$(RESULTS_VERIFIED): $(RESULTS) $(PREDICTIONS) $(wildcard experiments/results/paired/*.json) \
                     experiments/results.schema.json experiments/paired.schema.json \
                     $(DATA_INPUTS) $(SCORER_CODE) | $(VENV_STAMP)
	$(BIN)/edgejson verify-results --out $@

# Reached only when a measured run's outputs are missing (Make has no rule to write them).
experiments/results/%.predictions.jsonl:
	@echo "error: experiments/results/$*.json is measured but its outputs $@ are missing," \
	  "so its numbers cannot be recomputed (fix: commit the predictions file of that run," \
	  "as make measured publishes it)" >&2; exit 1

$(MACROS_TEX): $(RESULTS_INPUTS) $(EDGE_BENCH) $(TEMPLATES)/macros.tex.j2 $(RENDER_CODE) | $(VENV_STAMP)
	$(PAPERTOOLS) render macros -o $@

$(GEN)/dataset-table.tex: $(DATASET_STATS) $(TEMPLATES)/dataset-table.tex.j2 $(RENDER_CODE) | $(VENV_STAMP)
	$(PAPERTOOLS) render table dataset -o $@

$(GEN)/%-table.tex: $(RESULTS_INPUTS) $(TEMPLATES)/%-table.tex.j2 $(RENDER_CODE) | $(VENV_STAMP)
	$(PAPERTOOLS) render table $* -o $@

# The pattern rule above makes it; these are its further inputs.
$(GEN)/deployment-table.tex: $(EDGE_BENCH)

$(GEN)/fig-%.tex: $(RESULTS_INPUTS) $(TEMPLATES)/fig-%.tex.j2 $(TEMPLATES)/_figure.tex.j2 $(RENDER_CODE) | $(VENV_STAMP)
	$(PAPERTOOLS) render figure $* -o $@

$(FIGOUT)/%.pdf: figures/%.py $(RESULTS_INPUTS) $(RENDER_CODE) | $(VENV_STAMP)
	$(BIN)/python -m papertools.render.figrun $< -o $@

# A figure whose script was removed or renamed leaves its drawing and snippet in build/;
# LaTeX would still find them there. They are deleted before latexmk (with the PDF that
# showed them), so a section that still \input's one fails naming its line. figures/.
# (its time changes when a script is added, removed or renamed) makes that a rebuild.
STALE_FIGURES = $(filter-out $(FIGURE_TEX) $(FIGURE_PDFS),\
                  $(wildcard $(GEN)/fig-*.tex $(FIGOUT)/*.pdf))

# The PDF: lint the prose, make sure TeX is there, then latexmk (which reruns BibTeX and
# pdflatex as often as needed); undefined citations/references fail the build.
$(PAPER_PDF): $(PAPER_TEX) $(MACROS_TEX) $(TABLE_TEX) $(FIGURE_TEX) $(FIGURE_PDFS) \
              $(LITREVIEW_TEX) bib/references.bib figures/. | $(VENV_STAMP)
	$(if $(STALE_FIGURES),rm -f $(STALE_FIGURES) $@)
	@$(PAPERTOOLS) render lint --macros $(MACROS_TEX)
	@command -v latexmk >/dev/null || tools/install-tex.sh
	@$(PAPERTOOLS) render pdf
