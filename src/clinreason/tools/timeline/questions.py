"""Turn a question about a record into a `Query` (deterministic wording rules, no model).

The analyte is the first one the question names ('creatinine', 'K', 'heart rate'); 'AKI',
'KDIGO' or 'acute kidney injury' ask for KDIGO staging by creatinine. The operation is read
from its wording, most specific first (a rise within hours, the time of a peak, a count beyond a
threshold, a percent change, ..., then highest/lowest/first/last). A window is 'in the last /
first N hours|days' (from the record's last / first observation), 'on <date>' or 'on day N',
'between <time> and <time>', or 'since <time>'. Thresholds follow comparison words ('above',
'at least', 'below', 'at most', '>', '≥', ...); a unit the question names ('in µmol/L') is the
answer's unit. A question these rules cannot read raises `InputError` saying what is missing.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from clinreason.errors import InputError
from clinreason.tools.extract.dates import find_dates
from clinreason.tools.timeline.analytes import analytes_mentioned, canonical_unit
from clinreason.tools.timeline.engine import Query
from clinreason.tools.timeline.record import UNDATED_DAY_1, Record
from clinreason.tools.timeline.text import find_clock_times

_NUM = r"(\d+(?:\.\d+)?)"
_CMP = [
    (r"at\s+least|no\s+less\s+than|≥|>=|or\s+more", ">="),
    (r"at\s+most|no\s+more\s+than|≤|<=|or\s+less", "<="),
    (r"above|over|greater\s+than|more\s+than|higher\s+than|exceed(?:ed|ing|s)?|>", ">"),
    (r"below|under|less\s+than|lower\s+than|fell\s+below|<", "<"),
]
_UNIT = re.compile(r"(?:\bin\s+|\(\s*)([^\s(),?]*(?:/|%|°)[^\s(),?]*)")
_WINDOW = re.compile(
    r"\b(last|past|previous|first|initial)\s+" + _NUM + r"\s*(hours?|hrs?|h|days?|d)\b", re.I
)
_DAY_N = re.compile(r"\bon\s+(?:hospital\s+)?day\s+(\d+)\b", re.I)
_WITHIN = re.compile(
    r"\bwithin\s+(?:any\s+|a\s+)?" + _NUM + r"[\s-]*(hours?|hrs?|h|days?|d)\b", re.I
)


def _hours(number: str, unit: str) -> float:
    return float(number) * (24 if unit.lower().startswith("d") else 1)


def _has(q: str, pattern: str) -> bool:
    return re.search(pattern, q, re.I) is not None


def _unit_after(q: str, pos: int) -> str | None:
    """The unit written right after a number ending at `pos` ('0.3 mg/dL'), if any."""
    m = re.match(r"\s*([^\s,?;)]+)", q[pos:])
    if m is None or not re.search(r"[/%°]|mmhg", m.group(1), re.I):
        return None
    try:
        return canonical_unit(m.group(1).rstrip("."), "question")
    except InputError:
        return None


Threshold = tuple[str, float, str | None]
"""(comparator, number, the unit written after it)."""


def _threshold(q: str) -> Threshold | None:
    """The first comparison with a number after it: (comparator, number, its unit)."""
    best: tuple[int, str, float, str | None] | None = None
    for words, cmp in _CMP:
        pattern = rf"(?:{words})\s*(?:a\s+value\s+of\s+|the\s+value\s+)?{_NUM}"
        for m in re.finditer(pattern, q, re.I):
            if best is None or m.start() < best[0]:
                best = (m.start(), cmp, float(m.group(1)), _unit_after(q, m.end()))
        m = re.search(rf"{_NUM}\s*\S*\s+(?:{words})\b", q, re.I)  # '5 or more'
        if m and cmp in (">=", "<=") and (best is None or m.start() < best[0]):
            best = (m.start(), cmp, float(m.group(1)), _unit_after(q, m.end(1)))
    return (best[1], best[2], best[3]) if best else None


def _times(q: str, record: Record) -> list[datetime]:
    """Points in time the question names ('2024-03-02 08:00', 'day 2 at 08:00'), in order."""
    clocks = find_clock_times(q)
    points: list[tuple[int, datetime]] = []
    days = [(d, s, e) for d, s, e in find_dates(q)]
    days += [
        (UNDATED_DAY_1 + timedelta(days=int(m.group(1)) - 1), m.start(), m.end())
        for m in re.finditer(r"\bday\s+(\d+)\b", q, re.I)
    ]
    for d, s, e in days:
        # its clock: right after it ('2024-03-02 08:00', '... at 08:00'), else right before
        after = [c for c in clocks if 0 <= c[1] - e <= 4]
        before = [c for c in clocks if 0 <= s - c[2] <= 4]
        clock = (after or before)[0][0] if after or before else time(0)
        points.append((s, datetime.combine(d, clock)))
    if not days and clocks and record.observations:
        first_day = record.start().date()
        points += [(s, datetime.combine(first_day, c)) for c, s, _ in clocks]
    return [p for _, p in sorted(points)]


def _window(q: str, record: Record) -> tuple[datetime | None, datetime | None, str]:
    m = _WINDOW.search(q)
    if m:
        hours = _hours(m.group(2), m.group(3))
        label = f"{m.group(1).lower()} {m.group(2)} {m.group(3)}"
        if m.group(1).lower() in ("first", "initial"):
            start = record.start()
            return start, start + timedelta(hours=hours), label
        end = record.end()
        return end - timedelta(hours=hours), end, label
    m = _DAY_N.search(q)
    if m:
        day = datetime.combine(UNDATED_DAY_1 + timedelta(days=int(m.group(1)) - 1), time(0))
        return day, day + timedelta(days=1) - timedelta(microseconds=1), f"day {m.group(1)}"
    m = re.search(r"\bon\s+(.{6,20}?)(?:[?,.]|$|\s+(?:at|was|did|and))", q, re.I)
    if m and find_dates(m.group(1)) and not find_clock_times(q):
        d = find_dates(m.group(1))[0][0]
        day = datetime.combine(d, time(0))
        return day, day + timedelta(days=1) - timedelta(microseconds=1), f"on {d:%Y-%m-%d}"
    if _has(q, r"\bbetween\b") and not _has(q, r"\bbetween\s+(?:the\s+)?(?:first|highest)"):
        points = _times(q, record)
        if len(points) == 2 and not _has(q, r"\bdifference\b|\bchange\b"):
            return points[0], points[1], "between the two times"
    if _has(q, r"\bsince\b"):
        points = _times(q, record)
        if points:
            return points[0], None, "since " + record.show_time(points[0])
    return None, None, ""


def parse_question(question: str, record: Record) -> Query:
    """The `Query` a question asks of `record`.

    Raises:
        InputError: no known analyte named, or wording that names no operation.
    """
    q = " ".join(question.split())
    kdigo = _has(q, r"\bKDIGO\b|\bAKI\b|acute\s+kidney\s+injury")
    named = analytes_mentioned(q)
    if kdigo:
        analyte = "creatinine"
    elif named:
        analyte = named[0][0].name
    else:
        raise InputError(f"the question names no quantity the timeline knows: {question!r}")
    unit_m = _UNIT.search(q)
    unit = None
    if unit_m:
        try:
            unit = canonical_unit(unit_m.group(1), "question")
        except InputError:
            unit = None
    threshold = _threshold(q)
    amount = re.search(rf"\bby\s+(?:at\s+least\s+|≥\s*)?{_NUM}", q, re.I)
    if unit is None and threshold is not None:
        unit = threshold[2]
    if unit is None and amount is not None:
        unit = _unit_after(q, amount.end())
    start, end, label = _window(q, record)
    points = _times(q, record)
    q = re.sub(r"\S*/\S*|%", " ", q)  # units ('/min') name no operation
    op, extra = _operation(q, kdigo, points, threshold, amount)
    if op is None:
        raise InputError(f"the question asks for no operation the timeline knows: {question!r}")
    fields: dict[str, Any] = {"start": start, "end": end, "window": label, "unit": unit}
    return Query(op, analyte, **{**fields, **extra})  # type: ignore[arg-type]


def _operation(
    q: str,
    kdigo: bool,
    points: list[datetime],
    threshold: Threshold | None,
    amount: re.Match[str] | None,
) -> tuple[str | None, dict[str, Any]]:
    """The operation the wording asks for, most specific first, with its own fields."""
    at_times = {"start": None, "end": None, "window": ""}  # a time point, not a window
    within = _WITHIN.search(q)
    if kdigo:
        return "kdigo", {}
    if within and _has(q, r"\b(?:largest|greatest|biggest|maximum|max)\b"):
        return "max_rise_within", {"hours": _hours(within.group(1), within.group(2))}
    if within and _has(q, r"\b(ris|rose|increas|climb|go\s+up|went\s+up)"):
        if amount is None:
            raise InputError("a question about a rise within a time needs the amount ('by 0.3')")
        hours = _hours(within.group(1), within.group(2))
        return "rise_within", {"hours": hours, "amount": float(amount.group(1))}
    if _has(q, r"\b(?:when|what\s+time|at\s+what\s+time|what\s+date)\b"):
        if _has(q, r"\b(?:highest|maximum|max|peak|peaked)\b"):
            return "time_of_max", {}
        if _has(q, r"\b(?:lowest|minimum|nadir)\b"):
            return "time_of_min", {}
    beyond = {"threshold": threshold[1], "comparator": threshold[0]} if threshold else {}
    if _has(q, r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\b"):
        return ("count_beyond", beyond) if threshold else ("count", {})
    if _has(q, r"\bper\s*cent|percentage|%\s*change|relative\s+change"):
        return "percent_change", {}
    if _has(q, r"\btrend|trending|rising\s+or\s+falling|direction\b"):
        return "trend", {}
    if _has(q, r"\brange\b|\bspread\b|between\s+(?:the\s+)?(?:highest|maximum)\s+and\b"):
        return "range", {}
    if _has(q, r"\bdifference\b|\bchange\b|\bchanged\b") and len(points) == 2:
        return "difference", {"at": points[0], "at2": points[1], **at_times}
    if _has(q, r"\bchange\b|\bchanged\b|\bdifference\b|\bdelta\b|\bnet\b"):
        return "change", {}
    if _has(q, r"\b(?:average|mean)\b"):
        return "mean", {}
    if _has(q, r"\bmedian\b"):
        return "median", {}
    latest = _has(q, r"\b(?:last|latest|most\s+recent|final|current)\b(?!\s+\d)")
    baseline = r"(?:first|initial|admission|baseline)"
    if latest and _has(q, rf"(?:higher|greater|above|more)\s+than\s+(?:the\s+)?{baseline}"):
        return "last_vs_first", {}
    if threshold:
        last_only = latest and not _has(q, r"\b(?:any|ever)\b")
        return ("last_beyond" if last_only else "any_beyond"), beyond
    for op, words in (
        ("max", r"highest|maximum|max|peak"),
        ("min", r"lowest|minimum|nadir"),
        ("first", r"first|initial|earliest|admission"),
    ):
        if _has(q, rf"\b(?:{words})\b"):
            return op, {}
    if latest:
        return "last", {}
    if len(points) == 1:
        return "value_at", {"at": points[0], **at_times}
    return None, {}
