"""The one prompt format, shared by training and evaluation.

It lives in its own module so that a change can never reach only one of the two: a model
trained on one template and evaluated on another would be scored unfairly.
"""

from __future__ import annotations

import json
from typing import Any

PROMPT_TEMPLATE = (
    "Extract the structured JSON data from the following text.\n\n"
    "Input: {prompt}\n\nOutput:"
)


def format_prompt(prompt: str) -> str:
    """The model input for one example."""
    return PROMPT_TEMPLATE.format(prompt=prompt)


def format_answer(expected: Any) -> str:
    """The training target: a space after "Output:", then the gold JSON on one line."""
    return " " + json.dumps(expected, ensure_ascii=False)
