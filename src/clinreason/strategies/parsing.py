"""Pure answer extraction from model output. No model calls, no eval.

Rules: `<think>` blocks are dropped; a constrained JSON `answer` field wins; otherwise only an
explicit final-answer line counts ("Answer: C", "The answer is (C)"). A letter is never taken
from inside the reasoning.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from clinreason.trace import TokenLogprob

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_FINAL = re.compile(
    r"(?:final\s+answer|answer(?:\s+choice)?|the\s+answer\s+is|correct\s+(?:answer|option)\s+is)"
    r"\s*(?:is)?\s*[:=]?\s*\(?\s*([A-Za-z0-9]+)\s*\)?",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])|\n+")


def strip_think(text: str) -> str:
    """Remove `<think>...</think>` blocks (also an unterminated one).

    >>> strip_think("<think>maybe A</think>Answer: B")
    'Answer: B'
    """
    return _THINK.sub("", text).strip()


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in `text` (code fences allowed), or None.

    >>> parse_json_object('Sure: ```json\\n{"answer": "B"}\\n```')
    {'answer': 'B'}
    """
    text = strip_think(text)
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for start in (i for i, ch in enumerate(candidate) if ch == "{"):
            try:
                value, _ = decoder.raw_decode(candidate[start:])
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return None


def normalize_choice(value: object, labels: list[str]) -> str | None:
    """Map 'C', '(c)', 'C. text' or an option's exact label to a label in `labels`, else None.

    >>> normalize_choice("C. Increased stiffness", ["A", "B", "C", "D"])
    'C'
    >>> normalize_choice("None of the above", ["A", "B", "C", "D"]) is None
    True
    """
    if not isinstance(value, str | int):
        return None
    text = str(value).strip().strip("*").strip()
    match = re.match(r"^\(?([A-Za-z0-9]+)\)?(?:[.):]|\s*$|\s+[-–(])", text)
    if not match:
        return None
    by_upper = {label.upper(): label for label in labels}
    return by_upper.get(match.group(1).upper())


def parse_choice(text: str, labels: list[str]) -> str | None:
    """The option label a model chose, or None when it stated none.

    >>> parse_choice('{"reasoning": "A is wrong because...", "answer": "D"}', ["A", "B", "C", "D"])
    'D'
    >>> parse_choice("Option A looks tempting. Final answer: (B)", ["A", "B", "C", "D"])
    'B'
    >>> parse_choice("I think A could be right", ["A", "B", "C", "D"]) is None
    True
    """
    obj = parse_json_object(text)
    if obj is not None:
        for key in ("answer", "answer_choice", "final_answer", "choice"):
            if key in obj:
                return normalize_choice(obj[key], labels)
    body = strip_think(text)
    matches = list(_FINAL.finditer(body))
    if matches:
        rest = body[matches[-1].start(1) :].splitlines()[0]
        return normalize_choice(rest, labels)
    stripped = body.strip()
    return normalize_choice(stripped, labels) if len(stripped) <= 3 else None


def parse_free_answer(text: str) -> str | None:
    """The `answer` field of a JSON reply, else the text after a final 'Answer:', else None."""
    obj = parse_json_object(text)
    if obj is not None and obj.get("answer") not in (None, ""):
        return str(obj["answer"]).strip()
    body = strip_think(text)
    match = re.search(r"(?:final\s+answer|answer)\s*[:=]\s*(.+)$", body, re.IGNORECASE)
    return match.group(1).strip() if match else None


def reasoning_text(text: str) -> str:
    """The reasoning part of a reply: the JSON `reasoning` field, else the text without answer."""
    obj = parse_json_object(text)
    if obj is not None:
        for key in ("reasoning", "step_by_step_thinking", "rationale"):
            if isinstance(obj.get(key), str):
                return str(obj[key])
        return ""
    return strip_think(text)


def split_sentences(text: str, *, limit: int = 12) -> list[str]:
    """Reasoning split into at most `limit` sentence-like pieces (the rest joined to the last).

    >>> split_sentences("Fever and rash. Hence B.")
    ['Fever and rash.', 'Hence B.']
    """
    parts = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    if len(parts) > limit:
        parts = [*parts[: limit - 1], " ".join(parts[limit - 1 :])]
    return parts


def token_label(token: str) -> str:
    """A generated token read as an option label: surrounding spaces and quotes dropped.

    >>> token_label(' "B'), token_label("C")
    ('B', 'C')
    """
    return token.strip().strip('"')


def choice_confidence(tokens: list[TokenLogprob] | None, label: str) -> float | None:
    """Probability the model gave to `label`: the last generated token equal to it, if any."""
    if not tokens:
        return None
    for token in reversed(tokens):
        if token_label(token.token) == label:
            return min(1.0, max(0.0, math.exp(token.logprob)))
    return None
