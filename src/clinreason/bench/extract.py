"""Answer extraction for scoring: pure functions over model text, no model calls, no eval.

Multiple choice, strict rule: `<think>` blocks are dropped; a constrained JSON answer field wins
(and when it is present but holds no option, the answer is missing: we never fall back to the
reasoning); otherwise only an explicit final-answer statement counts; a reply that is only a
label or only an option's exact text counts. A letter is never taken from inside the reasoning,
and an answer with no option is no answer (never 'A').

`mirage_upstream_choice` re-implements the MIRAGE evaluation rule (regular-expression cascade,
fallback to 'A') only to reproduce published figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from clinreason.strategies.parsing import parse_json_object, strip_think

ANSWER_KEYS = ("answer", "answer_choice", "final_answer", "choice", "Answer", "Final Answer")
_KEY_FALLBACK = re.compile(r'"(?:answer_choice|answer|final_answer)"\s*:\s*"([^"]*)"')
_FINAL = re.compile(
    r"(?:final\s+answer|the\s+(?:correct\s+|best\s+)?answer\s+is|correct\s+(?:answer|option|choice)"
    r"\s+is|answer\s*(?:choice)?\s*[:=])\s*(?:is\s*)?[:=]?\s*",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^(?:option|choice|answer)\s*[:#]?\s*", re.IGNORECASE)
_LEADING_LABEL = re.compile(r"^\(?\[?([A-Za-z]|\d{1,2})\]?\)?(?=$|[.):,;]|\s+[-–—(:]|\s*-\s|\s+\S)")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")


def _clean(text: str) -> str:
    text = text.strip().strip("*_`'\" \t\n").strip()
    return " ".join(text.split())


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return _clean(s).rstrip(".").casefold()

    return norm(a) == norm(b) and bool(norm(a))


def label_from_value(
    value: object, options: Mapping[str, str], *, statement: bool = False
) -> str | None:
    """The option label a short answer names ('C', '(c)', 'C. text', 'Option C', exact text).

    >>> opts = {"A": "yes", "B": "no", "C": "maybe"}
    >>> [label_from_value(v, opts) for v in ("C. maybe", "No", "E")]
    ['C', 'B', None]
    >>> label_from_value("a viral infection", {"A": "x", "B": "y"}) is None
    True
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    if isinstance(value, str) and value in options:
        return value  # already a label (the common case for constrained answers)
    text = _clean(str(value))
    if not text:
        return None
    for label, option_text in options.items():
        if _same_text(text, option_text):
            return label
    text = _PREFIX.sub("", text)
    match = _LEADING_LABEL.match(text)
    if not match:
        return None
    token = match.group(1)
    rest = text[match.end() :]
    by_upper = {label.upper(): label for label in options}
    label = by_upper.get(token.upper())
    if label is None:
        return None
    if re.match(r"^\s*(?:or|and|/|,)\s*\(?[A-Za-z0-9]\b", rest):
        return None  # hedged between options: "A or B", "A/B", "A, C"
    # "A viral infection": a word that merely starts with a letter is not a label. After
    # "the answer is", an upper-case label followed by words ("B because ...") is one.
    words_follow = bool(rest.strip()) and not re.match(r"^\s*[-–—.):,;(]", rest)
    as_statement = statement and (token.isupper() or token.isdigit()) and rest[:1].isspace()
    if words_follow and not as_statement:
        return None
    return label


def extract_choice(text: str, options: Mapping[str, str]) -> tuple[str | None, str]:
    """(label or None, how it was found) from a model reply, by the strict rule.

    >>> opts = {"A": "x", "B": "y", "C": "z", "D": "w"}
    >>> extract_choice('{"step_by_step_thinking": "A is wrong", "answer_choice": "D"}', opts)
    ('D', 'json')
    >>> extract_choice("<think>It is A.</think>Final answer: (B)", opts)
    ('B', 'final_statement')
    >>> extract_choice("Option A is tempting but B fits better.", opts)
    (None, 'none')
    """
    body = strip_think(text or "")
    if not body:
        return None, "none"
    obj = parse_json_object(body)
    if obj is not None:
        for key in ANSWER_KEYS:
            if key in obj:
                return label_from_value(obj[key], options), "json"
    fallback = _KEY_FALLBACK.findall(body)
    if fallback:
        return label_from_value(fallback[-1], options), "json_field"
    statements = list(_FINAL.finditer(body))
    if statements:
        tail = body[statements[-1].end() :].strip().splitlines()
        candidate = tail[0] if tail else ""
        label = label_from_value(candidate, options, statement=True)
        if label is None:
            first = re.split(r"(?<=[.!?])\s", candidate)[0]
            label = label_from_value(first, options, statement=True)
        return label, "final_statement" if label else "none"
    if len(body) <= 200 and "\n" not in body.strip():
        label = label_from_value(body, options)
        if label is not None:
            return label, "bare"
    return None, "none"


_UPSTREAM = tuple(
    re.compile(p)
    for p in (
        r"^\s*(A|B|C|D)$",
        r"^\s*(A|B|C|D) or",
        r"^\s*(A|B|C|D) and",
        r"^\s*(A|B|C|D)/",
        r"^\s*(A|B|C|D),",
        r"[Oo]ption (A|B|C|D)",
        r":\s*(A|B|C|D)",
        r"^\s*(A|B|C|D)\.",
        r'^\s*(A|B|C|D)"',
        r"^\s*(A|B|C|D):",
    )
)


def mirage_upstream_choice(text: str) -> tuple[str, bool]:
    """MIRAGE's published scoring rule: (letter, whether it was a fallback to 'A').

    Keeps the text after the last `"answer_choice": "`, tries ten patterns in order, and
    falls back to 'A' when none matches (the behaviour this harness does NOT use by default).

    >>> mirage_upstream_choice('{"answer_choice": "C. Stiffness"}')
    ('C', False)
    >>> mirage_upstream_choice('{"answer_choice": "None of the above"}')
    ('A', True)
    """
    tail = (text or "").split('"answer_choice": "')[-1].strip()
    for pattern in _UPSTREAM:
        match = pattern.search(tail)
        if match:
            return match.group(1), False
    return "A", True


def extract_free(text: str) -> str | None:
    """The answer text of a free-form reply: JSON answer field, else a final 'Answer:' line."""
    body = strip_think(text or "")
    obj = parse_json_object(body)
    if obj is not None:
        for key in ANSWER_KEYS:
            if key in obj and obj[key] not in (None, ""):
                return str(obj[key]).strip()
        return None
    statements = list(_FINAL.finditer(body))
    if statements:
        tail = body[statements[-1].end() :].strip().splitlines()
        return tail[0].strip() if tail else None
    stripped = body.strip()
    return stripped if stripped and len(stripped) <= 200 and "\n" not in stripped else None


def parse_number(text: str | None) -> float | None:
    """The number an answer states: its leading number, else its only number, else None.

    >>> parse_number("63.8 mL/min"), parse_number("1,234.5"), parse_number("about 3 or 4")
    (63.8, 1234.5, None)
    """
    if text is None:
        return None
    text = _clean(str(text))
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return None
    first = numbers[0]
    if first.start() == 0 or len(numbers) == 1:
        try:
            return float(first.group(0).replace(",", ""))
        except ValueError:
            return None
    return None


_DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"),  # MM/DD/YYYY
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),  # ISO
)


def parse_date(text: str | None) -> date | None:
    """A calendar date from `MM/DD/YYYY` or `YYYY-MM-DD`, else None.

    >>> parse_date("03/14/2024"), parse_date("2024-03-14") == parse_date("3/14/2024")
    (datetime.date(2024, 3, 14), True)
    """
    if text is None:
        return None
    text = _clean(str(text)).rstrip(".")
    for index, pattern in enumerate(_DATE_PATTERNS):
        match = pattern.match(text)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        try:
            return date(c, a, b) if index == 0 else date(a, b, c)
        except ValueError:
            return None
    return None


def parse_weeks_days(text: str | None) -> tuple[int, int] | None:
    """A gestational age `(weeks, days)` from "('14 weeks', '1 days')", "(14, 1)", "14 weeks 1 day".

    >>> parse_weeks_days("('14 weeks', '1 days')"), parse_weeks_days("(4.31, 2.70)")
    ((14, 1), None)
    """
    if text is None:
        return None
    numbers = re.findall(r"\d+(?:\.\d+)?", str(text))
    if len(numbers) != 2 or any("." in n for n in numbers):
        return None
    weeks, days = (int(n) for n in numbers)
    return (weeks, days) if days < 7 else None


def first_present(values: Sequence[str | None]) -> str | None:
    """The first non-empty value."""
    return next((v for v in values if v not in (None, "")), None)
