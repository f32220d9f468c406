"""Schema-constrained decoding (`edgejson evaluate --constrain schema`).

Every generated token must keep the output a prefix of a JSON value that is valid against
the row's JSON Schema: before each argmax, the tokens that would break that are masked out
of the row's logits, and the row's matcher then advances by the chosen token. Production
systems decode this way; the paper measures what it does to a small model's scores.

Why llguidance (PyPI `llguidance`, MIT) and not xgrammar, the other engine on PyPI:
- it has no dependencies at all (one abi3 wheel of a Rust library), while xgrammar 0.2.8
  requires torch, transformers, pydantic, apache-tvm-ffi and, on x86-64 Linux, triton
  (read from the wheels' metadata); the `ml` extra stays what it was plus one package;
- it compiles JSON Schema itself (`%json` inside a Lark grammar) and computes the
  token mask on the CPU, one bit per token, into a buffer we own, so the mask is applied
  with two tensor operations here, on any device, and never through `torch.compile`
  (which llguidance.torch's own helper uses and which needs a C compiler on CPU);
- its tokenizer comes from the Hugging Face tokenizer (`llguidance.hf.from_tokenizer`).

One matcher per row (`RowMatcher`), made fresh when the continuous-batching engine admits
the row; the schema's grammar is compiled once per schema (`SchemaGrammars`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import llguidance
import llguidance.hf
import torch

from maaza_core.errors import UserError

# JSON text: optional leading whitespace, then a value valid against the schema (RFC 8259
# allows whitespace before a value; models write " {" after "Output:", and a grammar
# that refused the space would force an unnatural first token).
LARK = "start: LEAD? value\nLEAD: /[ \\t\\n\\r]{{1,{ws}}}/\nvalue: %json {schema}"
# Whitespace runs are bounded, as outlines (one optional space) and xgrammar
# (max_whitespace_cnt) bound them: a model that may always add whitespace can fill its
# whole token budget with it. 24 characters still allow a newline plus the indentation
# of pretty-printed JSON five levels deep at four spaces (1 + 5 * 4 = 21).
MAX_WHITESPACE = 24
WHITESPACE = f"[\\x20\\x0A\\x0D\\x09]{{1,{MAX_WHITESPACE}}}"
# Bits per word of llguidance's token bitmask (int32 words).
_WORD = 32
_BIT = torch.arange(_WORD, dtype=torch.int32)


class SchemaGrammars:
    """The llguidance tokenizer of a model and the grammar of every schema it will meet."""

    def __init__(self, tokenizer: Any, vocab_size: int, end_ids: Iterable[int],
                 schemas: Mapping[str, Any]) -> None:
        # n_vocab: the logits' width, which may exceed the tokenizer's (padded embeddings);
        # the extra ids are never allowed. Every end id may end an accepted value.
        self.tokenizer = llguidance.hf.from_tokenizer(tokenizer, n_vocab=vocab_size,
                                                      eos_token=sorted(end_ids))
        self.vocab_size = vocab_size
        self.grammars = {sid: self._compile(sid, schema) for sid, schema in schemas.items()}

    def _compile(self, schema_id: str, schema: Any) -> str:
        bounded = {**schema, "x-guidance": {"whitespace_pattern": WHITESPACE}}
        grammar = llguidance.LLMatcher.grammar_from_lark(
            LARK.format(ws=MAX_WHITESPACE, schema=json.dumps(bounded)))
        error = llguidance.LLMatcher.validate_grammar(grammar, self.tokenizer)
        if error:
            raise UserError(f"schema {schema_id}: llguidance cannot compile it ({error}) "
                            "(fix: simplify the schema, or --constrain none)")
        return grammar

    def matcher(self, schema_id: str) -> RowMatcher:
        """A fresh matcher for one row of schema `schema_id`."""
        return RowMatcher(llguidance.LLMatcher(self.tokenizer, self.grammars[schema_id],
                                               log_level=0), schema_id)


class RowMatcher:
    """One row's position in its schema's grammar."""

    def __init__(self, matcher: llguidance.LLMatcher, schema_id: str) -> None:
        self.matcher, self.schema_id = matcher, schema_id
        self._check()

    def _check(self) -> None:
        if self.matcher.is_error():  # a mask we applied let through a bad token: our bug
            raise RuntimeError(f"schema {self.schema_id}: {self.matcher.get_error()}")

    def fill(self, bitmask: torch.Tensor, index: int) -> None:
        """Write the allowed next tokens into row `index` of the int32 `bitmask`."""
        row = bitmask[index]
        self.matcher.unsafe_compute_mask_ptr(row.data_ptr(), row.numel() * row.element_size())

    def advance(self, token: int) -> None:
        """Consume the token the row chose."""
        self.matcher.consume_token(token)
        self._check()

    @property
    def done(self) -> bool:
        """The value is complete: the grammar allows nothing but an end id."""
        return self.matcher.is_stopped()


def mask_logits(logits: torch.Tensor, matchers: list[RowMatcher | None]) -> None:
    """Set the logits of every disallowed token to -inf, in place, for the rows that have
    a matcher (`logits` is [rows, vocab]; row i is masked by matchers[i])."""
    rows = [i for i, m in enumerate(matchers) if m is not None]
    if not rows:
        return
    vocab = logits.shape[-1]
    bitmask = torch.zeros((len(rows), -(-vocab // _WORD)), dtype=torch.int32)  # ceil
    for k, i in enumerate(rows):
        matchers[i].fill(bitmask, k)
    # Bit b of word w allows token 32*w + b; an arithmetic shift keeps bit 31 correct.
    allowed = ((bitmask.unsqueeze(-1) >> _BIT) & 1).flatten(1)[:, :vocab].bool()
    index = torch.tensor(rows, device=logits.device)
    logits[index] = logits[index].masked_fill(~allowed.to(logits.device), float("-inf"))
