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
