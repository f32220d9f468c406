"""The prompt formats, shared by training and evaluation.

They live in one module so that a change can never reach only one of the two: a model
trained on one template and evaluated on another would be scored unfairly. Training uses
`bare` only; evaluation names a format with `edgejson evaluate --prompt NAME`.

A format is data, not code: a base layout (`BASES`: bare, chat, chat-schema) plus an
optional number of worked examples ("shots"), written `few-shot-K` after the base
(`few-shot-3` is bare with 3 shots, `chat-schema-few-shot-3` the chat layout with the
schema and 3 shots). `PromptFormat.description` is the paragraph the paper prints.
Shots are training rows of the example's own schema, chosen by a stable hash of their
ids (`pick_shots`): never a test row, never the example itself, the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from maaza_core.errors import UserError

INSTRUCTION = "Extract the structured JSON data from the following text."
# One input and the cue for its answer; bare has one, few-shot one per shot before it.
TURN = "\n\nInput: {prompt}\n\nOutput:"
PROMPT_TEMPLATE = INSTRUCTION + TURN
# The chat formats' user turn: the same words, the answer comes as the assistant's turn.
CHAT_TEMPLATE = INSTRUCTION + "{schema}\n\nInput: {prompt}"
SCHEMA_SENTENCE = " The output must be valid against this JSON Schema:\n{schema}"


@dataclass(frozen=True)
class Base:
    """A prompt layout: whether it goes through the chat template, whether it shows the
    schema, and the paper's description of it."""

    chat: bool
    schema: bool
    description: str


BASES: dict[str, Base] = {
    "bare": Base(chat=False, schema=False, description=(
        "The text is placed in a fixed plain-text template (\"" + INSTRUCTION + "\", the "
        "input after \"Input:\", then \"Output:\"), without the model's chat template and "
        "without the schema; this is also the fine-tuning format.")),
    "chat": Base(chat=True, schema=False, description=(
        "The same instruction and input form one user turn, rendered with the chat "
        "template stored in the checkpoint, so the model answers as its assistant turn; "
        "the schema is not shown.")),
    "chat-schema": Base(chat=True, schema=True, description=(
        "As chat, and the user turn also gives the row's JSON Schema (compact JSON, "
        "introduced by \"The output must be valid against this JSON Schema:\").")),
}
_SHOTS = re.compile(r"^(?:(?P<base>[a-z-]+?)-)?few-shot-(?P<k>[1-9][0-9]?)$")
NAMES_HELP = "bare, chat, chat-schema, few-shot-K, chat-few-shot-K or chat-schema-few-shot-K"


@dataclass(frozen=True)
class PromptFormat:
    """A named prompt format: a base layout and a number of shots."""

    name: str  # as given to --prompt
    base: str  # key of BASES
    shots: int  # worked examples before the input (0: none)

    @property
    def chat(self) -> bool:
        """Whether the prompt goes through the checkpoint's chat template."""
        return BASES[self.base].chat

    @property
    def description(self) -> str:
        """The paragraph describing the format, for the paper."""
        text = BASES[self.base].description
        if self.shots:
            text += (f" Before the input come {self.shots} worked examples: training rows "
                     "of the same schema (never test rows), the ones whose ids have the "
                     "smallest SHA-256, each with its gold JSON as the answer"
                     + (" in an assistant turn." if self.chat else "."))
        return text


BARE = PromptFormat(name="bare", base="bare", shots=0)


def parse_format(name: str) -> PromptFormat:
    """The format called `name`; an unknown name is a user error listing the valid ones."""
    if name in BASES:
        return PromptFormat(name=name, base=name, shots=0)
    match = _SHOTS.match(name)
    if match and (match["base"] or "bare") in BASES and match["base"] != "bare":
        return PromptFormat(name=name, base=match["base"] or "bare", shots=int(match["k"]))
    raise UserError(f"--prompt {name}: unknown prompt format (fix: one of {NAMES_HELP}, "
                    "K from 1 to 99)")


def format_prompt(prompt: str) -> str:
    """The `bare` model input for one example (also the training input)."""
    return PROMPT_TEMPLATE.format(prompt=prompt)


def format_answer(expected: Any) -> str:
    """The training target: a space after "Output:", then the gold JSON on one line."""
    return " " + json.dumps(expected, ensure_ascii=False)


def _rank(example_id: str) -> str:
    return hashlib.sha256(example_id.encode("utf-8")).hexdigest()


def pick_shots(example: Any, pool: Sequence[Any], k: int) -> list[Any]:
    """Up to `k` rows of `pool` (the training split) with the example's schema, not the
    example itself, ordered by the SHA-256 of their ids: deterministic, and unrelated to
    the order of the data file."""
    same = [r for r in pool if r.schema_id == example.schema_id and r.id != example.id]
    return sorted(same, key=lambda r: _rank(r.id))[:k]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _plain(example: Any, shots: Sequence[Any]) -> str:
    """`bare`, with each shot as one more Input/Output pair after the instruction."""
    pairs = "".join(TURN.format(prompt=s.prompt) + format_answer(s.expected) for s in shots)
    return INSTRUCTION + pairs + TURN.format(prompt=example.prompt)


def chat_messages(fmt: PromptFormat, example: Any, shots: Sequence[Any],
                  schema: dict[str, Any] | None) -> list[dict[str, str]]:
    """The conversation of a chat format: the instruction (and schema) in the first user
    turn, each shot as a user turn and its gold answer as the assistant's reply."""
    note = SCHEMA_SENTENCE.format(schema=_compact(schema)) if BASES[fmt.base].schema else ""
    turns: list[dict[str, str]] = []
    for row in [*shots, example]:
        text = (CHAT_TEMPLATE.format(schema=note, prompt=row.prompt) if not turns
                else f"Input: {row.prompt}")
        turns.append({"role": "user", "content": text})
        if row is not example:
            turns.append({"role": "assistant", "content": _compact(row.expected)})
    return turns


def prompt_template(fmt: PromptFormat) -> str:
    """The per-example template recorded in the metrics file's config."""
    return CHAT_TEMPLATE if fmt.chat else PROMPT_TEMPLATE


def encode_prompts(fmt: PromptFormat, examples: Sequence[Any], tokenizer: Any,
                   schemas: dict[str, dict[str, Any]], pool: Sequence[Any],
                   model_id: str) -> list[list[int]]:
    """The input ids of every example in format `fmt`.

    `pool` is the training split (shots come from it), `schemas` maps schema id to schema.
    A chat prompt is rendered to text by the checkpoint's template and tokenized without
    adding special tokens (the template writes its own, e.g. Gemma's <bos>).
    """
    if not examples:  # a resumed run with nothing left to generate
        return []
    if fmt.chat and not getattr(tokenizer, "chat_template", None):
        raise UserError(f"--prompt {fmt.name}: model {model_id} has no chat template (fix: "
                        "a plain format, bare or few-shot-K)")
    if fmt.name == "bare":  # exactly the historical call, so bare runs stay byte-identical
        return tokenizer([format_prompt(e.prompt) for e in examples])["input_ids"]
    encoded = []
    for ex in examples:
        shots = pick_shots(ex, pool, fmt.shots) if fmt.shots else []
        if not fmt.chat:
            encoded.append(tokenizer(_plain(ex, shots))["input_ids"])
            continue
        text = tokenizer.apply_chat_template(
            chat_messages(fmt, ex, shots, schemas.get(ex.schema_id)),
            add_generation_prompt=True, tokenize=False)
        encoded.append(tokenizer(text, add_special_tokens=False)["input_ids"])
    return encoded
