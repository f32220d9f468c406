# Literature: bib/library.yaml (+ bib/cache/) -> bib/references.bib, verified.
#
#   make bib              refresh from arXiv + Semantic Scholar, write, verify, check cites
#   make bib OFFLINE=1    the same from the committed cache only (no network)
#   make bib STRICT=1     warnings from failing sources are fatal
#   make bib-check BIB=path/to/file.bib [JSON=1]   verify any .bib file
#   make bib-fix BIB=refs.bib OUT=fixed.bib         write a corrected copy (diff printed)
#   make bib-fix BIB=refs.bib IN_PLACE=1            correct it in place, keeping refs.bib.bak

PAPERTOOLS := $(BIN)/papertools
BIB_CACHE_FILES := $(wildcard bib/cache/*/*.json)
BIB_FLAGS := $(if $(OFFLINE),--offline) $(if $(STRICT),--strict)

# Offline and deterministic: `make paper` rebuilds it when the library or cache changes.
# `bib write` leaves the file as it is when the content would not change (a note edited in
# the library, say); the touch records that it was checked, so Make is up to date again
# (`make -q paper`) instead of rerunning this rule on every build.
bib/references.bib: bib/library.yaml $(BIB_CACHE_FILES) | $(VENV_STAMP)
	$(PAPERTOOLS) bib write -o $@
	@touch $@

.PHONY: bib bib-check bib-fix bib-seed-cache
bib: | $(VENV_STAMP) ## refresh the literature cache, write bib/references.bib, verify, check citations (OFFLINE=1, STRICT=1)
	$(PAPERTOOLS) bib build $(BIB_FLAGS)

bib-check: | $(VENV_STAMP) ## verify any .bib file: make bib-check BIB=refs.bib [JSON=1] [OFFLINE=1]
	@test -n "$(BIB)" || { echo "usage: make bib-check BIB=path/to/file.bib [JSON=1]" >&2; exit 2; }
	$(PAPERTOOLS) bib check $(BIB_FLAGS) $(if $(JSON),--json) "$(BIB)"

bib-fix: | $(VENV_STAMP) ## correct a .bib file from the sources: make bib-fix BIB=refs.bib OUT=fixed.bib (or IN_PLACE=1; neither: diff only)
	@test -n "$(BIB)" || { echo "usage: make bib-fix BIB=refs.bib OUT=fixed.bib | IN_PLACE=1" >&2; exit 2; }
	$(PAPERTOOLS) bib check $(BIB_FLAGS) --fix $(if $(OUT),-o "$(OUT)") $(if $(IN_PLACE),--in-place) "$(BIB)"

bib-seed-cache: | $(VENV_STAMP) ## rebuild bib/cache/ from the facts in bib/seed/ through a local fact server (papertools/bib/factserver.py; no internet)
	$(PAPERTOOLS) bib seed-cache
