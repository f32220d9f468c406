"""The llama.cpp engine (`edgejson evaluate --engine llama.cpp`): a GGUF run as deployed.

Why a second engine: the reference engine (edgejson.generate) dequantizes a GGUF to
float32 and decodes with PyTorch, so its scores describe the weights, not the 4-bit
arithmetic a phone or gateway runs. A deployment loads the same file with llama.cpp,
which computes in the quantized types and is several times faster per stream. Running
both on the same rows measures what native 4-bit compute costs.

What stays the same as the reference, so that only the arithmetic differs:
- the prompt ids: the Hugging Face tokenizer read from the GGUF encodes every prompt
  format (edgejson.prompt), and llama.cpp receives those ids, never text;
- the stop rule (generate.StopRule: an end id, the first complete JSON value, the limit),
  greedy choice, the order of rows, the predictions records and their timing fields;
- continuous batching: up to `slots` sequences share one llama.cpp context, each under its
  own sequence id; a finished row's sequence is cleared and its slot refilled at once.
What differs on purpose: under `--constrain schema` the grammar is llama.cpp's own
(its JSON-Schema-to-GBNF converter and grammar sampler), as a llama.cpp user gets it.

The binding is llama-cpp-python's low-level C API (`llama_cpp`), the one that exposes
several sequences per context; its high-level `Llama` class decodes one stream.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from maaza_core.errors import UserError

from .constrain import MAX_WHITESPACE
from .exportmanifest import export_facts
from .generate import Row, StopRule, decode_order, end_ids, prediction_record, schedule
from .registry import check_model_spec, resolve, sha256_files

ENGINE = "llama.cpp"
# The grammar's start: up to MAX_WHITESPACE whitespace characters, then the schema's value
# (the converter's `root`). The reference grammar allows the same lead (edgejson.constrain):
# models write " {" after "Output:", and a grammar refusing the space would force an
# unnatural first token on one engine only.
START = f'start ::= [ \\t\\n\\r]{{0,{MAX_WHITESPACE}}} root\n'
# How many of the best tokens the grammar is asked about in turn when it refuses the best
# one (Sampler._best_allowed); the rest of the vocabulary comes last.
TIERS = (64, 4096)
# Context positions per sequence are rounded up to this, so one context fits every row.
_ROUND = 256


def context_positions(encoded: Sequence[list[int]], max_new_tokens: int) -> int:
    """Positions each sequence needs: the longest prompt plus the generation limit."""
    return -(-(max(map(len, encoded)) + max_new_tokens) // _ROUND) * _ROUND


def llama_api() -> Any:
    """The C API, imported on first use: it is the `edge` extra's, absent elsewhere."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise UserError(f"--engine {ENGINE}: llama-cpp-python is not installed ({exc}) "
                        "(fix: make venv-edge)") from None
    global _LOG_CALLBACK
    if _LOG_CALLBACK is None:
        _LOG_CALLBACK = llama_cpp.llama_log_callback(_log)  # kept: C holds the pointer
        llama_cpp.llama_log_set(_LOG_CALLBACK, None)
    return llama_cpp


# ggml's log levels (ggml.h: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5). The
# binding's own callback maps them from an older numbering (INFO as a warning, ERROR as
# debug), so no logger level both hides the tensor-by-tensor load report and keeps
# errors; this callback passes warnings and errors (a grammar it cannot parse) to stderr.
_SHOWN_LEVELS = {3, 4}
_LOG_CALLBACK: Any = None


def _log(level: int, text: bytes, _user_data: Any) -> None:
    if level in _SHOWN_LEVELS:
        sys.stderr.write(text.decode("utf-8", errors="replace"))


def threads() -> int:
    """The cores this process may use: llama.cpp's default of 4 oversubscribes 2 cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


@dataclass
class LlamaLoaded:
    """A GGUF loaded by llama.cpp, plus what the reference engine's LoadedModel offers."""

    model: Any  # llama_model pointer
    vocab: Any  # its llama_vocab pointer
    adapter: Any  # llama_adapter_lora pointer, or None
    tokenizer: Any  # the Hugging Face tokenizer read from the same GGUF
    eos_ids: set[int]  # generate.end_ids of the GGUF's generation config
    info: dict[str, Any]  # the weights facts of the metrics file
    path: Path  # the GGUF file
    threads: int  # llama.cpp's threads for prefill and decoding
    device: str = "cpu"
    dtype: str = "gguf"  # llama.cpp computes in the file's own (quantized) types

    @property
    def context_length(self) -> int:
        """The positions the model was trained for (the GGUF's context_length)."""
        return int(llama_api().llama_model_n_ctx_train(self.model))

    def close(self) -> None:
        """Free the C objects (the model outlives every context made from it)."""
        ll = llama_api()
        if self.adapter is not None:
            ll.llama_adapter_lora_free(self.adapter)
            self.adapter = None
        if self.model is not None:
            ll.llama_model_free(self.model)
            self.model = None


def load_llama(model_id: str, *, adapter: str | None = None) -> LlamaLoaded:
    """Load a GGUF (registry name or path) and, optionally, a LoRA adapter in GGUF form."""
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    from .modelload import weights_info

    requested = model_id
    model_id, entry = resolve(model_id)
    check_model_spec(model_id)
    path = Path(model_id)
    if path.suffix != ".gguf" or not path.is_file():
        raise UserError(f"--engine {ENGINE}: {requested!r} is not a GGUF file (fix: a name "
                        "from experiments/configs/models.yaml or a path to a .gguf file)")
    if adapter and not (adapter.endswith(".gguf") and Path(adapter).is_file()):
        raise UserError(f"--adapter {adapter}: llama.cpp applies LoRA adapters in GGUF form "
                        "(fix: edgejson export-gguf ADAPTER_DIR --out DIR, then --adapter "
                        "DIR/lora-f32.gguf)")
    folder, name = str(path.parent), path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    generation = GenerationConfig.from_model_config(
        AutoConfig.from_pretrained(folder, gguf_file=name))
    ll = llama_api()
    ll.llama_backend_init()
    model = ll.llama_model_load_from_file(str(path).encode(), ll.llama_model_default_params())
    if not model:
        raise UserError(f"{path}: llama.cpp cannot load this GGUF (fix: `edgejson models` "
                        "re-fetches and verifies registry files)")
    lora = None
    if adapter:
        lora = ll.llama_adapter_lora_init(model, adapter.encode())
        if not lora:
            ll.llama_model_free(model)
            raise UserError(f"--adapter {adapter}: llama.cpp cannot load it as a LoRA "
                            f"adapter of {requested}")
    info = weights_info(requested, model_id, None, adapter, entry)
    info.update(parameters=int(ll.llama_model_n_params(model)), engine=ENGINE,
                llama_cpp_python=metadata.version("llama-cpp-python"))
    if adapter:
        info["adapter_sha256"] = sha256_files([Path(adapter)])
    # A file of `edgejson export-gguf` (the merged model, or its LoRA adapter) is the
    # fine-tuned model: the run names the adapter and base it was made from.
    export = export_facts(path, info["weights_sha256"]) or (
        export_facts(Path(adapter), info["adapter_sha256"]) if adapter else None)
    if export:
        info["export"] = export
    return LlamaLoaded(model=model, vocab=ll.llama_model_get_vocab(model), adapter=lora,
                       tokenizer=tokenizer, info=info, path=path, threads=threads(),
                       eos_ids=end_ids(SimpleNamespace(generation_config=generation),
                                       tokenizer))


# Character-class escapes of regular expressions that llama.cpp's converter copies from a
# schema's "pattern" into GBNF, whose parser knows only \t \n \r \\ and friends there
# (one EdgeJSON schema's phone pattern "[0-9\-\s()]" failed: "unknown escape at \s").
# Inside a class each is a plain list of characters, so spelling it out keeps the language.
CLASS_ESCAPES = {"\\s": " \\t\\n\\r", "\\d": "0-9", "\\w": "a-zA-Z0-9_"}
_CLASS = re.compile(r"\[(?:[^\]\\]|\\.)*\]")
_ESCAPE = re.compile(r"\\\\|\\[sdw]")


def _spell_out(match: re.Match[str]) -> str:
    return _ESCAPE.sub(lambda m: CLASS_ESCAPES.get(m.group(0), m.group(0)), match.group(0))


def schema_grammar(schema: Mapping[str, Any]) -> str:
    """The GBNF of a JSON Schema, by llama.cpp's own converter, with START on top and the
    class escapes its parser rejects spelled out (CLASS_ESCAPES)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return START + _CLASS.sub(_spell_out, json_schema_to_gbnf(json.dumps(schema)))


class Context:
    """One llama.cpp context: `slots` sequences of up to `positions` tokens each."""

    def __init__(self, loaded: LlamaLoaded, slots: int, positions: int) -> None:
        ll = self.ll = llama_api()
        params = ll.llama_context_default_params()
        params.n_seq_max = slots
        # kv_unified off: every sequence owns n_ctx / n_seq_max cells, so no long row can
        # take another's room mid-run.
        params.kv_unified = False
        params.n_ctx = slots * positions
        params.n_batch = max(positions, slots)  # a whole prompt goes in one llama_decode
        params.n_threads = params.n_threads_batch = loaded.threads
        params.no_perf = True
        self.ctx = ll.llama_init_from_model(loaded.model, params)
        if not self.ctx:
            raise UserError(f"llama.cpp: no context of {slots} x {positions} tokens (fix: a "
                            "smaller --batch-size)")
        if loaded.adapter is not None:
            adapters = (ll.llama_adapter_lora_p_ctypes * 1)(loaded.adapter)
            scales = (ll.ctypes.c_float * 1)(1.0)
            ll.llama_set_adapters_lora(self.ctx, adapters, 1, scales)
        self.memory = ll.llama_get_memory(self.ctx)
        self.batch = ll.llama_batch_init(params.n_batch, 0, 1)

    def decode(self, items: Sequence[tuple[int, int, int, bool]]) -> None:
        """One llama_decode of (token, position, sequence, wants logits) entries."""
        b = self.batch
        for i, (token, pos, seq, logits) in enumerate(items):
            b.token[i], b.pos[i], b.n_seq_id[i] = token, pos, 1
            b.seq_id[i][0], b.logits[i] = seq, logits
        b.n_tokens = len(items)
        status = self.ll.llama_decode(self.ctx, b)
        if status != 0:  # 1: no room in the cache; negative: an error inside llama.cpp
            raise RuntimeError(f"llama_decode returned {status} for {len(items)} tokens")

    def clear(self, seq: int) -> None:
        """Forget a finished sequence's tokens, so its slot starts empty."""
        self.ll.llama_memory_seq_rm(self.memory, seq, -1, -1)

    def close(self) -> None:
        """Free the batch and the context."""
        self.ll.llama_batch_free(self.batch)
        self.ll.llama_free(self.ctx)


class Sampler:
    """One row's greedy choice, under its schema's grammar when there is one.

    Why the best token is checked first: llama.cpp's grammar sampler walks its parse
    stacks for every candidate it is given, and the whole vocabulary (49,152 tokens for
    SmolLM2) per generated token made a constrained run several times slower than an
    unconstrained one. Greedy choice only needs to know whether the best token is allowed,
    and it mostly is (llama.cpp's own common sampler asks the same way). When it is not,
    the grammar is asked about the next best tokens in tiers (`_best_allowed`). Either way
    the token is the one llama.cpp's chain grammar -> greedy picks: the best allowed logit,
    ties to the lowest id. `check_first=False` runs that chain itself, filtering the whole
    vocabulary every step: the reference the tests and bench/grammar_sampling.py compare.
    """

    def __init__(self, ll: Any, vocab: Any, grammar: str | None, schema_id: str, *,
                 check_first: bool = True) -> None:
        self.ll = ll
        self.n_vocab = ll.llama_vocab_n_tokens(vocab)
        self.filtered = 0  # steps on which the grammar judged more than the best token
        self.grammar = self.chain = None
        if grammar is None:
            return
        self.grammar = ll.llama_sampler_init_grammar(vocab, grammar.encode(), b"start")
        if not self.grammar:
            raise UserError(f"schema {schema_id}: llama.cpp's grammar parser refused the "
                            "converted schema (fix: --constrain none, or report the schema)")
        if not check_first:  # the chain owns (and frees) the grammar sampler
            self.chain = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
            ll.llama_sampler_chain_add(self.chain, self.grammar)
            ll.llama_sampler_chain_add(self.chain, ll.llama_sampler_init_greedy())

    def pick(self, ctx: Context, index: int) -> int:
        """The token for the logits at batch entry `index` (the grammar advances by it)."""
        if self.chain is not None:
            self.filtered += 1
            return int(self.ll.llama_sampler_sample(self.chain, ctx.ctx, index))
        logits = np.ctypeslib.as_array(self.ll.llama_get_logits_ith(ctx.ctx, index),
                                       shape=(self.n_vocab,))
        token = int(np.argmax(logits))  # the first maximum, as llama.cpp's greedy sampler
        if self.grammar is None:
            return token
        if not self._allowed(np.array([token]), logits)[0]:
            self.filtered += 1
            token = self._best_allowed(logits, token)
        self.ll.llama_sampler_accept(self.grammar, token)
        return token

    def _best_allowed(self, logits: Any, fallback: int) -> int:
        """The allowed token of highest logit (ties: lowest id), asked in tiers by logit.

        Why tiers: the grammar judges each candidate on its own, so the first allowed
        token in (-logit, id) order over the best 64, then the best 4,096, then the rest,
        is the best allowed of the whole vocabulary, while the grammar mostly sees 64."""
        done = np.zeros(self.n_vocab, dtype=bool)
        for size in (*TIERS, self.n_vocab):
            # Every token at least as good as the size-th best, so ties never straddle tiers.
            edge = (np.partition(logits, self.n_vocab - size)[self.n_vocab - size]
                    if size < self.n_vocab else -np.inf)
            tier = np.flatnonzero((logits >= edge) & ~done)
            tier = tier[np.lexsort((tier, -logits[tier]))]
            allowed = self._allowed(tier, logits)
            if allowed.any():
                return int(tier[np.argmax(allowed)])
            done[tier] = True
        return fallback  # nothing allowed: the grammar is complete, the row has ended

    def _allowed(self, tokens: Any, logits: Any) -> Any:
        """Which of `tokens` the grammar allows next: it sets the others' logits to -inf."""
        data = np.recarray(len(tokens), dtype=np.dtype(
            [("id", np.intc), ("logit", np.single), ("p", np.single)], align=True))
        data.id, data.logit, data.p = tokens, logits[tokens], 0.0
        ll = self.ll
        array = ll.llama_token_data_array(data=data.ctypes.data_as(ll.llama_token_data_p),
                                          size=len(tokens), selected=-1, sorted=False)
        ll.llama_sampler_apply(self.grammar, ll.ctypes.byref(array))
        # The grammar only masks (llama_grammar_apply_impl): no entry moves or goes.
        return np.isfinite(data.logit)

    def close(self) -> None:
        """Free the chain (with the grammar in it) or the grammar alone."""
        if self.chain is not None:
            self.ll.llama_sampler_free(self.chain)
        elif self.grammar is not None:
            self.ll.llama_sampler_free(self.grammar)


class Decoder:
    """Continuous batching over one context: generate.Decoder's protocol, llama.cpp's cache."""

    def __init__(self, ctx: Context, rule: StopRule, slots: int) -> None:
        self.ctx, self.rule = ctx, rule
        self.free = list(range(slots))[::-1]  # sequence ids not in use, next one last
        self.live: dict[int, tuple[Row, Sampler]] = {}  # sequence id -> its row

    def admit(self, index: int, ids: list[int], sampler: Sampler) -> tuple[Row, str | None]:
        """Prefill one prompt in a free sequence, take its first token."""
        started = time.perf_counter()
        seq = self.free.pop()
        last = len(ids) - 1
        self.ctx.decode([(token, pos, seq, pos == last) for pos, token in enumerate(ids)])
        row = Row(index=index, prompt_len=len(ids), started=started)
        reason = row.take(sampler.pick(self.ctx, last), self.rule)
        if reason:
            self.release(seq, sampler)
        else:
            self.live[seq] = (row, sampler)
        row.share_s += time.perf_counter() - started
        return row, reason

    def step(self) -> list[tuple[Row, str]]:
        """Decode one token for every live sequence in one llama_decode."""
        started = time.perf_counter()
        live = list(self.live.items())
        self.ctx.decode([(row.ids[-1], row.prompt_len + len(row.ids) - 1, seq, True)
                         for seq, (row, _) in live])
        ended = []
        for i, (seq, (row, sampler)) in enumerate(live):
            reason = row.take(sampler.pick(self.ctx, i), self.rule)
            if reason:
                ended.append((row, reason))
                del self.live[seq]
                self.release(seq, sampler)
        # As in the reference engine: the step's time in equal shares.
        share = (time.perf_counter() - started) / len(live)
        for _, (row, _) in live:
            row.share_s += share
        return ended

    def release(self, seq: int, sampler: Sampler) -> None:
        """Free a finished (or abandoned) row's sampler and sequence."""
        sampler.close()
        self.ctx.clear(seq)
        self.free.append(seq)


def run_generation(loaded: LlamaLoaded, examples: Sequence[Any], encoded: Sequence[list[int]],
                   *, slots: int, max_new_tokens: int,
                   on_rows: Callable[[list[dict[str, Any]]], None],
                   progress: bool = True,
                   schemas: Mapping[str, Any] | None = None,
                   check_first: bool = True) -> None:
    """generate.run_generation's contract on llama.cpp: same rows, order and records.

    `check_first`: Sampler's (False only to measure what it saves, bench/grammar_sampling.py).
    """
    if not examples:
        return
    ll, tok = llama_api(), loaded.tokenizer
    rule = StopRule(tok, max_new_tokens, loaded.eos_ids)
    # One conversion per schema, not per row: many rows share a schema.
    grammars = {sid: schema_grammar(schemas[sid]) for sid in {e.schema_id for e in examples}
                } if schemas is not None else {}
    positions = context_positions(encoded, max_new_tokens)
    slots = min(slots, len(examples))
    ctx = Context(loaded, slots, positions)
    decoder = Decoder(ctx, rule, slots)

    def admit(index: int) -> tuple[Row, str | None]:
        sid = examples[index].schema_id
        sampler = Sampler(ll, loaded.vocab, grammars.get(sid), sid, check_first=check_first)
        return decoder.admit(index, list(encoded[index]), sampler)

    try:
        schedule(decode_order(examples, encoded), room=lambda: bool(decoder.free),
                 admit=admit, busy=lambda: bool(decoder.live), step=decoder.step,
                 done=lambda ended: on_rows([prediction_record(examples, row, reason, tok)
                                             for row, reason in ended]), progress=progress)
    finally:
        for seq, (_, sampler) in list(decoder.live.items()):
            decoder.release(seq, sampler)
        ctx.close()
