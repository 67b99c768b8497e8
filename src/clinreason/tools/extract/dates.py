"""Dates in many formats, normalized to MM/DD/YYYY, and the obstetric dating inputs.

Numeric dates with slashes are read month-first (US convention, as MedCalc-Bench uses) unless
the first field exceeds 12, in which case day-first is used. Two-digit years map to 1950-2049.
"""

from __future__ import annotations

import re
from datetime import date

from clinreason.tools.extract._core import Found, span

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|\d{2})"

_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/])")
_ISO = re.compile(r"(?<![\d/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")
_MONTH_FIRST = re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.I)
_DAY_FIRST = re.compile(r"\b" + _DAY + r"(?:\s+of)?\s+" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I)


def _year(raw: str) -> int:
    y = int(raw)
    if len(raw) == 2:
        y += 2000 if y < 50 else 1900
    return y


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def format_date(d: date) -> str:
    """MM/DD/YYYY.

    >>> format_date(date(2024, 3, 5))
    '03/05/2024'
    """
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Every date in the text as (date, start, end), in text order.

    >>> found = find_dates("LMP 2/13/02; seen March 3rd, 2002 and 2002-04-01")
    >>> [format_date(d) for d, _, _ in found]
    ['02/13/2002', '03/03/2002', '04/01/2002']
    """
    found: list[tuple[date, int, int]] = []
    for m in _NUMERIC.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        d = _make(y, a, b) if a <= 12 else _make(y, b, a)
        if d:
            found.append((d, m.start(), m.end()))
    for m in _ISO.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((d, m.start(), m.end()))
    for m in _MONTH_FIRST.finditer(text):
        d = _make(_year(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        if d:
            found.append((d, m.start(), m.end()))
    for m in _DAY_FIRST.finditer(text):
        d = _make(_year(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if d:
            found.append((d, m.start(), m.end()))
    found.sort(key=lambda x: x[1])
    # drop matches nested in an earlier one
    result: list[tuple[date, int, int]] = []
    for item in found:
        if not result or item[1] >= result[-1][2]:
            result.append(item)
    return result


def parse_date(text: str) -> str | None:
    """The first date in `text` as MM/DD/YYYY, or None.

    >>> parse_date("5 January 2020"), parse_date("no date")
    ('01/05/2020', None)
    """
    dates = find_dates(text)
    return format_date(dates[0][0]) if dates else None


def _date_after(note: str, cue: re.Pattern[str], reach: int = 80) -> Found | None:
    for m in cue.finditer(note):
        window = note[m.end() : m.end() + reach]
        dates = find_dates(window)
        if dates:
            d, _, end = dates[0]
            return Found(format_date(d), None, span(note, m.start(), m.end() + end))
    return None


_LMP = re.compile(r"last\s+menstrual\s+period|\bLMP\b|last\s+(?:menses|period)", re.I)
_TODAY = re.compile(
    r"today'?s\s+date|current\s+date|\btoday\b|date\s+of\s+(?:the\s+)?(?:visit|exam)", re.I
)
_CYCLE = re.compile(
    r"cycle\s+length\s+(?:is|of|was)?\s*(\d{1,2})\s*days?|(\d{1,2})[\s-]*days?\s+(?:menstrual\s+)?cycles?",
    re.I,
)


def extract_lmp(note: str) -> Found | None:
    """Date of the last menstrual period.

    >>> extract_lmp("The patient's last menstrual period was on 02/13/2002.").value
    '02/13/2002'
    """
    return _date_after(note, _LMP)


def extract_current_date(note: str) -> Found | None:
    """Today's date as stated in the note.

    >>> extract_current_date("Today's date is 05/23/2024.").value
    '05/23/2024'
    """
    return _date_after(note, _TODAY, reach=40)


def extract_cycle_length(note: str) -> Found | None:
    """Menstrual cycle length in days (a bare integer, as MedCalc-Bench stores it).

    >>> extract_cycle_length("Her cycle length is 25 days.").value
    25
    >>> extract_cycle_length("She has regular 30-day cycles.").value
    30
    """
    m = _CYCLE.search(note)
    if not m:
        return None
    value = int(m.group(1) or m.group(2))
    if not 10 <= value <= 90:
        return None
    return Found(value, None, span(note, m.start(), m.end()))
