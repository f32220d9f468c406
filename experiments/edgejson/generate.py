"""Greedy generation with continuous batching: a row leaves as soon as its answer is final.

Why this is faster than the original script (one example at a time, to EOS or 512
tokens) without changing any score:
- each row stops once more text could no longer change the JSON that scoring extracts
  (`JsonWatcher`), or at EOS; base models otherwise ramble on to the token limit;
- up to `slots` rows decode together, one column per step written in place into a
  `SlotCache`, and a finished row's slot is refilled at once by the next example, so
  nobody waits for the slowest row of a fixed batch (what held `generate()` back);
- each prompt is prefilled alone, exactly as the original script does it, so no
  compute goes to padding prompts, and the first token comes from the same computation.
Decoding a row inside a padded batch changes floating-point sums in the last bits only;
`bench/harness_speed.py` counts the examples whose extracted JSON differs from the
original method's (none in the runs in experiments/README.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from tqdm.auto import tqdm
from transformers import DynamicCache

from maaza_core.errors import UserError

from .constrain import RowMatcher, SchemaGrammars, mask_logits
from .extract import JsonWatcher
from .modelload import LoadedModel
from .slotcache import SlotCache

# A token can only complete a JSON value if it contains a closing bracket; checking the
# text only after such tokens keeps the per-step cost near zero. "<0x7D>" and "<0x5D>"
# are byte-fallback spellings of '}' and ']' in SentencePiece vocabularies.
_CLOSERS = ("}", "]", "<0x7D>", "<0x5D>")

# Layer types the slot cache serves. It keeps every column of every layer; a
# sliding-window layer then needs only its mask, which transformers builds per layer type
# from `config.layer_types` in column coordinates. That is exact here because a row's
# tokens fill contiguous columns (left padding, then prompt, then generated tokens), so
# column distance is token distance: the window covers the same tokens as in generate(),
# whose cache drops what falls out of the window instead.
ATTENTION_KINDS = {"full_attention", "sliding_attention"}

# Trim shared left padding once it is this many columns: a trim copies the live cache,
# a padded column costs a little on every step, so trimming small amounts would not pay.
TRIM_COLUMNS = 64


def closer_mask(tokenizer: Any) -> list[bool]:
    """For each token id, whether its text contains a closing bracket."""
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    return [bool(t) and any(c in t for c in _CLOSERS) for t in tokens]


def end_ids(model: Any, tokenizer: Any) -> set[int]:
    """Every id a row ends on: the model's `generation_config.eos_token_id` (an int or a
    list, as `generate()` reads it) and the tokenizer's EOS.

    Why both: chat models end a turn with their own token (listed in the generation
    config) besides the tokenizer's EOS; stopping on the tokenizer's alone let them run on.
    """
    config = getattr(model, "generation_config", None)
    ids = [getattr(config, "eos_token_id", None), tokenizer.eos_token_id]
    flat = [i for item in ids for i in (item if isinstance(item, list) else [item])]
    return {int(i) for i in flat if i is not None}


class StopRule:
    """When a row is done: an end id, its first JSON value complete, or the token limit."""

    def __init__(self, tokenizer: Any, max_new_tokens: int, eos_ids: set[int]) -> None:
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        self.closers = closer_mask(tokenizer)
        self.eos_ids = eos_ids  # end_ids(): the one reading of a model's end tokens

    def check(self, ids: list[int], watcher: JsonWatcher,
              grammar_done: bool = False) -> str | None:
        """The reason `ids` (the row's generated tokens so far) end here, or None.

        `grammar_done`: a constrained row's matcher allows nothing but an end id, so its
        value is complete (the JSON check would say so too, one closing token later at most).
        """
        token = ids[-1]
        if token in self.eos_ids:
            return "eos"
        if grammar_done:
            return "json"
        if token < len(self.closers) and self.closers[token]:
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            if watcher.complete(text):
                return "json"
        if len(ids) >= self.max_new_tokens:
            return "length"
        return None


@dataclass(eq=False)  # rows are found by identity (list.index), never compared by value
class Row:
    """One example while it decodes."""

    index: int  # position in the caller's example list
    prompt_len: int  # prompt tokens (no padding)
    started: float  # perf_counter when its prefill began
    ids: list[int] = field(default_factory=list)  # generated tokens so far
    share_s: float = 0.0  # its prefill plus its share of every batched step
    finished: float | None = None  # perf_counter when its last token was chosen
    watcher: JsonWatcher = field(default_factory=JsonWatcher)
    matcher: RowMatcher | None = None  # --constrain schema: its place in the grammar

    def take(self, token: int, rule: StopRule) -> str | None:
        """Append the chosen token (advancing the matcher); the reason the row ends, or None."""
        self.ids.append(token)
        if self.matcher is not None:
            self.matcher.advance(token)
        reason = rule.check(self.ids, self.watcher,
                            self.matcher is not None and self.matcher.done)
        if reason:
            self.finished = time.perf_counter()
        return reason


class Decoder:
    """Continuous-batching greedy decoding over one model; see the module docstring."""

    def __init__(self, loaded: LoadedModel, slots: int, rule: StopRule) -> None:
        self.loaded, self.rule = loaded, rule
        self.model = loaded.model
        kinds = set(getattr(self.model.config, "layer_types", None) or ["full_attention"])
        if kinds - ATTENTION_KINDS:
            raise UserError(f"{loaded.info.get('id')}: layers of type "
                            f"{', '.join(sorted(kinds - ATTENTION_KINDS))} are not "
                            "supported by the harness's cache (full and sliding-window "
                            "attention only)")
        self.cache = SlotCache(self.model.config.num_hidden_layers, slots)
        self.rows: list[Row] = []  # rows[i] decodes in slot i
        self.mask = torch.zeros((slots, 0), dtype=torch.long, device=loaded.device)

    def admit(self, index: int, input_ids: list[int],
              matcher: RowMatcher | None = None) -> tuple[Row, str | None]:
        """Prefill one prompt alone, take its first token, and give it a slot."""
        started = time.perf_counter()
        ids = torch.tensor([input_ids], device=self.loaded.device)
        prompt = DynamicCache()  # no config: every layer keeps every column (see above)
        out = self.model(input_ids=ids, attention_mask=torch.ones_like(ids), cache=prompt,
                         use_cache=True, logits_to_keep=1)
        row = Row(index=index, prompt_len=len(input_ids), started=started, matcher=matcher)
        logits = out.logits[:, -1]
        mask_logits(logits, [matcher])
        reason = row.take(int(logits[0].argmax()), self.rule)
        if reason is None:
            self.cache.admit(prompt)
            self._grow_mask()
            self.mask[len(self.rows), : self.cache.length - row.prompt_len] = 0
            self.mask[len(self.rows), self.cache.length - row.prompt_len:] = 1
            self.rows.append(row)
        row.share_s += time.perf_counter() - started
        return row, reason

    def _grow_mask(self) -> None:
        """Keep the mask as wide as the cache (a longer prompt shifted every row right)."""
        extra = self.cache.length - self.mask.shape[1]
        if extra > 0:
            self.mask = torch.nn.functional.pad(self.mask, (extra, 0))

    def step(self) -> list[tuple[Row, str]]:
        """Decode one token for every live row; return the rows that ended, freed."""
        started = time.perf_counter()
        n = len(self.rows)
        last = torch.tensor([[r.ids[-1]] for r in self.rows], device=self.loaded.device)
        # The fed token's position: prompt tokens and earlier tokens precede it.
        pos = torch.tensor([[r.prompt_len + len(r.ids) - 1] for r in self.rows],
                           device=self.loaded.device)
        self.mask = torch.nn.functional.pad(self.mask, (0, 1), value=1)
        out = self.model(input_ids=last, attention_mask=self.mask[:n], position_ids=pos,
                         cache=self.cache, use_cache=True, logits_to_keep=1)
        logits = out.logits[:, -1]
        mask_logits(logits, [r.matcher for r in self.rows])
        tokens = logits.argmax(-1).tolist()
        advanced = list(self.rows)
        ended = []
        for row, token in zip(advanced, tokens, strict=True):
            reason = row.take(token, self.rule)
            if reason:
                ended.append((row, reason))
        for row, _ in ended:
            self._release(self.rows.index(row))
        self._trim()
        # The whole step (forward pass, mask, stop checks, releases, trim), split equally
        # among the rows it advanced, so the shares add up to the time spent generating.
        share = (time.perf_counter() - started) / n
        for row in advanced:
            row.share_s += share
        return ended

    def _release(self, slot: int) -> None:
        moved = self.cache.release(slot)
        if moved is not None:
            self.mask[slot] = self.mask[moved]
            self.rows[slot] = self.rows[moved]
        self.rows.pop()

    def _trim(self) -> None:
        n = len(self.rows)
        if n == 0:
            self.cache.trim(self.cache.length)
            self.mask = self.mask[:, :0]
            return
        used = self.mask[:n].any(dim=0)
        pad = int(used.long().argmax()) if bool(used.any()) else self.cache.length
        if pad >= TRIM_COLUMNS:
            self.cache.trim(pad)
            self.mask = self.mask[:, pad:].contiguous()


def prediction_record(examples: Sequence[Any], row: Row, reason: str, tok: Any) -> dict[str, Any]:
    """One predictions line; latency_s and wall_s mean what results.schema.json's
    `performance` says (from prefill start to the last token chosen; prefill plus an equal
    share of each batched step the row took part in)."""
    return {"id": examples[row.index].id,
            "output": tok.decode(row.ids, skip_special_tokens=True),
            "generated_tokens": len(row.ids), "stop": reason, "truncated": reason == "length",
            "latency_s": round(row.finished - row.started, 6),
            "wall_s": round(row.share_s, 6)}


def decode_order(examples: Sequence[Any], encoded: Sequence[list[int]]) -> list[int]:
    """Longest prompts first (ties by id), for both engines: the first rows need the most
    memory, so an out-of-memory error shows at once, and later (shorter) prompts fit in the
    room the first ones leave."""
    return sorted(range(len(examples)), key=lambda i: (-len(encoded[i]), examples[i].id))


def run_generation(loaded: LoadedModel, examples: Sequence[Any], encoded: Sequence[list[int]],
                   *, slots: int, max_new_tokens: int,
                   on_rows: Callable[[list[dict[str, Any]]], None],
                   progress: bool = True,
                   schemas: Mapping[str, Any] | None = None) -> None:
    """Generate for every example from its prompt ids `encoded` (edgejson.prompt), handing
    each step's finished records to `on_rows`. With `schemas` (schema id -> JSON Schema),
    every row decodes under its own schema's grammar (edgejson.constrain).
    """
    if not examples:  # a resumed run with nothing left to generate
        return
    tok = loaded.tokenizer
    order = decode_order(examples, encoded)
    rule = StopRule(tok, max_new_tokens, end_ids(loaded.model, tok))
    decoder = Decoder(loaded, slots, rule)
    grammars = None
    if schemas is not None:
        grammars = SchemaGrammars(tok, loaded.model.get_output_embeddings().weight.shape[0],
                                  rule.eos_ids, {e.schema_id: schemas[e.schema_id]
                                                 for e in examples})
    def admit(index: int) -> tuple[Row, str | None]:
        matcher = grammars.matcher(examples[index].schema_id) if grammars else None
        return decoder.admit(index, encoded[index], matcher)

    with torch.inference_mode():
        schedule(order, room=lambda: len(decoder.rows) < slots, admit=admit,
                 busy=lambda: bool(decoder.rows), step=decoder.step,
                 done=lambda ended: on_rows([prediction_record(examples, row, reason, tok)
                                             for row, reason in ended]), progress=progress)


def schedule(order: Sequence[int], *, room: Callable[[], bool],
             admit: Callable[[int], tuple[Row, str | None]], busy: Callable[[], bool],
             step: Callable[[], list[tuple[Row, str]]],
             done: Callable[[list[tuple[Row, str]]], None], progress: bool) -> None:
    """Continuous batching, for either engine's decoder: fill every free slot from `order`
    (a row may end on its first token), advance the live rows one step, hand the rows that
    ended to `done`; until nothing is pending or live."""
    bar = tqdm(total=len(order), desc="generate", unit="ex", disable=not progress)
    pending = iter(order)
    while True:
        ended = []
        for index in pending if room() else ():
            row, reason = admit(index)
            if reason:
                ended.append((row, reason))
            if not room():
                break
        if busy():
            ended += step()
        if ended:
            done(ended)
            bar.update(len(ended))
        elif not busy():
            break
    bar.close()
