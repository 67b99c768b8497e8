"""The model reads a calculator's yes/no criteria again, with a quote that must be in the note.

The extractor reads criteria by rule, and a criterion it does not recognise becomes "not mentioned
-> absent". The `second_reader` verifier re-reads them through HPO and ICD-10-CM, but a criterion
that maps to no concept ("Surgery in the previous 4 weeks") or is written outside the
terminologies ("tarry stools") gets no second reading at all. Here the model reads the whole note
once more, for every yes/no criterion the rules decided or assumed, and must copy the note's words
that show its reading:

- the quote must occur in the note (whitespace and case aside), or the reading counts for nothing;
- the model's reading agrees with the extracted value: `supported` (an assumed absence stays an
  assumption in the claim ledger: a model saying "not stated" is no evidence of absence);
- it disagrees, with a quote from the note: `unverifiable` and `ambiguous` — two readers disagree
  and the claim says so; a 1.5B model's reading is not enough to call the rule wrong;
- "not stated", or no usable quote: `unverifiable`, no flag.

Criteria the model itself decided (`method` "llm") are not read again: the same model would only
repeat itself. One schema-constrained call per case; its `llm_call` step (purpose "quote_check")
and one `check` step per criterion (verifier "quote_reader") are recorded off the answer's path.
Notes longer than `MAX_NOTE_CHARS` are not read (the check says so). Backend errors propagate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from clinreason.backends.base import Backend
from clinreason.strategies.base import call_llm
from clinreason.strategies.calculator_prompts import describe
from clinreason.tools.calculators import Calculator
from clinreason.trace import (
    Case,
    Check,
    Extraction,
    GenerateRequest,
    Message,
    Span,
    TraceBuilder,
    Verdict,
)

VERIFIER = "quote_reader"
PURPOSE = "quote_check"
MAX_NOTE_CHARS = 8000
"""About 2,000 tokens: longer notes would not fit the embedded model's default context."""
MAX_QUOTE_CHARS = 200
READINGS = ("true", "false", "not stated")
SYSTEM = (
    "You check facts about a patient in a clinical note. For each item, first copy the exact "
    "words of the note that show whether it is true for this patient (empty if the note does not "
    "say), then answer: true, false, or not stated. An item about a relative, a possibility or a "
    "diagnosis that was ruled out is not true for the patient."
)


def criteria(trace_steps: Sequence[Any], calc: Calculator) -> list[tuple[Extraction, str]]:
    """The yes/no extraction steps to read again, with each item's wording."""
    params = {p.name: p for p in calc.params if p.kind == "bool"}
    return [
        (step, describe(params[step.name].name, params[step.name].description))
        for step in trace_steps
        if isinstance(step, Extraction)
        and step.name in params
        and step.method in ("rule", "assumed")
        and isinstance(step.value, bool)
    ]


def request_for(note: str, items: Sequence[str]) -> GenerateRequest:
    """One call for all items: a quote, then a reading, per item (`q1`, `q2`, ...)."""
    lines = "\n".join(f"q{i}: {text}" for i, text in enumerate(items, 1))
    user = f"Note:\n{note.strip()}\n\nItems:\n{lines}"
    item = {
        "type": "object",
        "properties": {
            "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS},
            "reading": {"type": "string", "enum": list(READINGS)},
        },
        "required": ["quote", "reading"],
        "additionalProperties": False,
    }
    keys = [f"q{i}" for i in range(1, len(items) + 1)]
    schema = {
        "type": "object",
        "properties": dict.fromkeys(keys, item),
        "required": keys,
        "additionalProperties": False,
    }
    return GenerateRequest(
        messages=(Message(role="system", content=SYSTEM), Message(role="user", content=user)),
        max_tokens=16 + 70 * len(items),
        json_schema=schema,
    )


def find_quote(note: str, quote: str) -> Span | None:
    """Where `quote` occurs in `note`, whitespace and case aside; None if it does not.

    >>> find_quote("BP 150/90.  Known   hypertension.", "known hypertension").text
    'Known   hypertension'
    >>> find_quote("No history of stroke.", "history of TIA") is None
    True
    """
    words = quote.strip(" .,;:\"'").split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, note, re.IGNORECASE)
    return Span(start=m.start(), end=m.end(), text=m.group(0)) if m else None


def judge(step: Extraction, reading: str, quote: Span | None) -> tuple[str, bool, bool | None]:
    """(status, ambiguous, agrees) of the model's reading against the extracted value."""
    if reading == "not stated" or quote is None:
        return "unverifiable", False, None
    agrees = (reading == "true") == bool(step.value)
    return ("supported", False, True) if agrees else ("unverifiable", True, False)


async def quote_check(
    case: Case, calc: Calculator, steps: Sequence[Any], backend: Backend, tb: TraceBuilder
) -> list[Check]:
    """Read the case's yes/no criteria again with the model and record one `check` per criterion;
    returns the recorded checks ([] when there is nothing to read)."""
    items = criteria(steps, calc)
    if not items:
        return []
    note = case.context
    if len(note) > MAX_NOTE_CHARS:
        verdict = Verdict(
            verifier=VERIFIER,
            status="unverifiable",
            claim="the yes/no criteria read a second time",
            evidence=f"not read: the note is longer than {MAX_NOTE_CHARS} characters",
        )
        return [tb.add(Check(verdict=verdict, parents=[s.id for s, _ in items]))]
    request = request_for(note, [text for _, text in items])
    call, gen = await call_llm(
        tb, backend, request, purpose=PURPOSE, parents=[s.id for s, _ in items]
    )
    try:
        replies = json.loads(gen.texts[0])
    except (json.JSONDecodeError, IndexError):
        replies = {}
    checks = []
    for i, (step, text) in enumerate(items, 1):
        reply = replies.get(f"q{i}") if isinstance(replies, dict) else None
        reply = reply if isinstance(reply, dict) else {}
        reading = reply.get("reading") if reply.get("reading") in READINGS else "not stated"
        quote = str(reply.get("quote") or "")[:MAX_QUOTE_CHARS]
        where = find_quote(note, quote) if quote.strip() else None
        status, ambiguous, agrees = judge(step, reading, where)
        extracted = "true" if step.value else "false"
        if where is not None and reading != "not stated":
            evidence = f"the model reads it as {reading}, quoting the note: '{where.text}'"
        elif quote.strip() and reading != "not stated":
            evidence = f"the model reads it as {reading}, but its quote is not in the note"
        else:
            evidence = "the model finds nothing in the note about it"
        verdict = Verdict(
            verifier=VERIFIER,
            status=status,  # type: ignore[arg-type]
            step_id=step.id,
            claim=f"'{text}' is {extracted} ({step.method})",
            evidence=f"{evidence}; the extractor read {extracted}",
            details={
                "reader": "model",
                "kind": "criterion",
                "reading": reading,
                "quote": quote,
                "span": [where.start, where.end] if where else None,
                "ambiguous": ambiguous,
                "agrees": agrees,
            },
        )
        checks.append(tb.add(Check(verdict=verdict, parents=[step.id, call.id])))
    return checks
