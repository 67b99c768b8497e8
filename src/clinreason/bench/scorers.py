"""Scorers: one answer against the gold answer, as a `CaseScore`. Pure, no model calls.

They read the strategy's extracted answer (`trace.answer.value`) when there is one and fall
back to the raw model text (`trace.answer.raw`), so predictions imported from other systems
(raw text only) are scored by the same rules as native runs.
"""

from __future__ import annotations

import re
from typing import Literal

from clinreason.bench.base import CaseScore
from clinreason.bench.extract import (
    extract_choice,
    extract_free,
    label_from_value,
    mirage_upstream_choice,
    parse_date,
    parse_number,
    parse_weeks_days,
)
from clinreason.trace import Case, Trace

Extraction = Literal["strict", "mirage_upstream"]
YES_NO_MAYBE = ("yes", "no", "maybe")


def _raw(trace: Trace) -> str:
    return trace.answer.raw if trace.answer is not None else ""


def _value(trace: Trace) -> str | None:
    return trace.answer.value if trace.answer is not None else None


def score_choice(case: Case, trace: Trace, *, extraction: Extraction = "strict") -> CaseScore:
    """Multiple choice: correct iff the extracted option label equals the gold label.

    `details["answer"]` is the label scored (None = no option stated: wrong, never 'A');
    `details["source"]` says where it came from (answer.value, raw text, upstream rule).
    """
    if case.gold is None:
        return CaseScore(correct=None, details={"answer": _value(trace), "reason": "no gold"})
    options = case.options
    if extraction == "mirage_upstream":
        letter, fallback = mirage_upstream_choice(_raw(trace) or (_value(trace) or ""))
        details: dict[str, object] = {"answer": letter, "source": "mirage_upstream"}
        details["fallback_to_A"] = fallback
    else:
        label: str | None = None
        source = "none"
        value = _value(trace)
        if value is not None:
            label = label_from_value(value, options)
            source = "answer.value"
        if label is None and value is None and _raw(trace):
            label, how = extract_choice(_raw(trace), options)
            source = f"raw:{how}"
        details = {"answer": label, "source": source}
    answer = details["answer"]
    correct = answer is not None and answer == case.gold
    return CaseScore(correct=correct, score=float(correct), details=details)  # type: ignore[arg-type]


def yes_no_maybe(text: str | None) -> str | None:
    """'yes' / 'no' / 'maybe' from a short answer or a reply's final answer, else None.

    >>> yes_no_maybe("Yes."), yes_no_maybe('{"answer": "maybe"}'), yes_no_maybe("yes and no")
    ('yes', 'maybe', None)
    """
    answer = extract_free(text or "")
    if answer is None:
        return None
    words = re.findall(r"[a-z]+", answer.casefold())
    found = {w for w in words if w in YES_NO_MAYBE}
    return found.pop() if len(found) == 1 and len(words) <= 3 else None


def score_yes_no_maybe(case: Case, trace: Trace) -> CaseScore:
    """Gold 'yes'/'no'/'maybe' (as text or as the label of such an option)."""
    gold = case.gold
    if gold is None:
        return CaseScore(correct=None)
    if gold in case.options:
        gold = case.options[gold]
    answer = yes_no_maybe(_value(trace) or _raw(trace))
    correct = answer is not None and answer == gold.strip().casefold()
    return CaseScore(correct=correct, score=float(correct), details={"answer": answer})


def score_numeric(case: Case, trace: Trace) -> CaseScore:
    """Correct iff lower <= answer <= upper (`case.gold_range`); unparseable answers are wrong."""
    if case.gold_range is None:
        return CaseScore(correct=None, details={"reason": "no gold range"})
    text = _value(trace) or extract_free(_raw(trace)) or _raw(trace)
    number = parse_number(text)
    low, high = case.gold_range
    correct = number is not None and low <= number <= high
    details = {"answer": None if number is None else f"{number:g}", "lower": low, "upper": high}
    return CaseScore(correct=correct, score=float(correct), details=details)  # type: ignore[arg-type]


def score_date(case: Case, trace: Trace) -> CaseScore:
    """Correct iff the answer is the same calendar day as the gold date (MM/DD/YYYY)."""
    gold = parse_date(case.gold)
    if gold is None:
        return CaseScore(correct=None, details={"reason": f"gold {case.gold!r} is not a date"})
    answer = parse_date(_value(trace) or extract_free(_raw(trace)) or _raw(trace))
    correct = answer is not None and answer == gold
    shown = None if answer is None else answer.strftime("%m/%d/%Y")
    return CaseScore(correct=correct, score=float(correct), details={"answer": shown})


def score_weeks_days(case: Case, trace: Trace) -> CaseScore:
    """Correct iff (weeks, days) equals the gold pair, e.g. "('14 weeks', '1 days')"."""
    gold = parse_weeks_days(case.gold)
    if gold is None:
        return CaseScore(correct=None, details={"reason": f"gold {case.gold!r} is not a pair"})
    answer = parse_weeks_days(_value(trace) or _raw(trace))
    correct = answer is not None and answer == gold
    shown = None if answer is None else f"({answer[0]}, {answer[1]})"
    return CaseScore(correct=correct, score=float(correct), details={"answer": shown})


def score_auto(case: Case, trace: Trace, *, extraction: Extraction = "strict") -> CaseScore:
    """Pick the scorer from the case: options, date, (weeks, days), numeric range, yes/no/maybe."""
    if case.options:
        return score_choice(case, trace, extraction=extraction)
    if case.answer_type == "date" or parse_date(case.gold) is not None:
        return score_date(case, trace)
    if parse_weeks_days(case.gold) is not None and case.gold_range is None:
        return score_weeks_days(case, trace)
    if case.gold_range is not None:
        return score_numeric(case, trace)
    if case.gold is not None and case.gold.strip().casefold() in YES_NO_MAYBE:
        return score_yes_no_maybe(case, trace)
    return CaseScore(correct=None, details={"reason": "no scorer for this answer type"})
