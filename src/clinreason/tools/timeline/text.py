"""Read timed values from note text: dates, clock times and "<name> <number> <unit>" values.

Values are found by the calculator extractors (`tools.extract.measure.find_all`, one `Quantity`
per analyte; "BP 120/80" by `tools.extract.vitals.blood_pressures`) on a copy of the note in
which dates and clock times are blanked out (so "K at 08:00" never reads 8 as a potassium).

Dating rules, each written into the reading's note when used:

- the time is the clock time in the value's own segment (line or sentence), the nearest one
  before the value, else the first one after it; without one the value is taken at 00:00 of
  its date ("no time of day written");
- the date is the one in the value's segment, else the last date written before the value;
- a note with clock times but no dates at all is read as day 1, day 2, ... (see
  `record.days_from_clock`); a value with a clock time before the first date of a dated note,
  or with neither date nor time, is a problem of its series.

A value written with a unit but outside every plausible range ("creatinine 45 mg/dL") is found
by `measure.implausible` and makes its series a problem instead of being skipped silently. Any
other number written right after an analyte's name that is not read as a value ("K 40 mEq
given", "potassium 45" without a unit) is recorded as an assumption naming its line, so that a
count or a maximum never leaves a value out unseen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from clinreason.tools.extract.dates import find_dates
from clinreason.tools.extract.measure import UNIT_SLIP, find_all, implausible
from clinreason.tools.extract.vitals import blood_pressures
from clinreason.tools.timeline.analytes import ANALYTES, Analyte, name_pattern
from clinreason.tools.timeline.record import Reading, Record, build_record, days_from_clock
from clinreason.trace import Span

_CLOCK = re.compile(
    r"(?<![\d:.,/])(?:"
    r"(?P<h>[01]?\d|2[0-3])[:h](?P<m>[0-5]\d)(?:\s*(?:h|hrs?|hours)\b)?(?P<ap1>\s*[ap]\.?m\b\.?)?"
    r"|(?P<h2>[01]\d|2[0-3])(?P<m2>[0-5]\d)\s*(?:h|hrs?|hours)\b"
    r"|(?P<h3>1[0-2]|0?[1-9])\s*(?P<ap3>[ap]\.?m\b\.?)"
    r")(?![\d]|:\d)",
    re.I,
)
_SEGMENT = re.compile(r"\n|(?<=[.;])\s+(?=\S)")
_NUMBER_AFTER_NAME = re.compile(
    r"(?:\s*(?:level|was|were|is|of|at|:|=|-)\b)*\s*:?\s*(\d+(?:[.,]\d+)?)", re.I
)


def find_clock_times(text: str) -> list[tuple[time, int, int]]:
    """Clock times as (time, start, end): '08:00', '8:30 pm', '1600h', '0800 hrs', '6 am'.

    >>> [(f"{t:%H:%M}", s) for t, s, _ in find_clock_times("at 08:00, 1600h and 6 pm")]
    [('08:00', 3), ('16:00', 10), ('18:00', 20)]
    """
    found = []
    for m in _CLOCK.finditer(text):
        if m.group("h") is not None:
            hour, minute, ap = int(m.group("h")), int(m.group("m")), m.group("ap1")
        elif m.group("h2") is not None:
            hour, minute, ap = int(m.group("h2")), int(m.group("m2")), None
        else:
            hour, minute, ap = int(m.group("h3")), 0, m.group("ap3")
        if ap:
            if hour > 12:
                continue
            hour = hour % 12 + (12 if ap.strip().lower().startswith("p") else 0)
        found.append((time(hour, minute), m.start(), m.end()))
    return found


def _segments(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SEGMENT.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _values(masked: str) -> list[tuple[Analyte, float, str, int, int, str]]:
    """(analyte, value, unit, start, end, extractor's note) of every value in the blanked
    note; a value the extractor read in another unit than written is left to `implausible`."""
    others = tuple(a.quantity for a in ANALYTES.values())
    out = []
    for a in ANALYTES.values():
        for f in find_all(a.quantity, masked, others):
            if f.unit is not None and UNIT_SLIP not in f.note:
                out.append((a, float(f.value), f.unit, f.span.start, f.span.end, f.note))
    for sbp, dbp, start, end in blood_pressures(masked):
        out.append((ANALYTES["systolic_bp"], float(sbp), "mmHg", start, end, ""))
        out.append((ANALYTES["diastolic_bp"], float(dbp), "mmHg", start, end, ""))
    return sorted(out, key=lambda v: v[3])


T = TypeVar("T")


def _nearest(
    items: list[tuple[T, int, int]], seg: tuple[int, int], pos: int
) -> tuple[T, int, int] | None:
    """The item in the segment nearest before `pos`, else the first after it."""
    inside = [x for x in items if seg[0] <= x[1] < seg[1]]
    before = [x for x in inside if x[1] < pos]
    if before:
        return before[-1]
    after = [x for x in inside if x[1] >= pos]
    return after[0] if after else None


def _unread_numbers(
    masked: str, read: list[tuple[int, int]], line: Callable[[int], str]
) -> list[str]:
    """Numbers right after an analyte's name that no reader took as a value, each said once."""
    notes: dict[int, str] = {}
    for a in ANALYTES.values():
        taken = read + [
            (bad.span.start, bad.span.end)
            for bad in [implausible(a.quantity, masked)]
            if bad is not None
        ]
        for m in name_pattern(a.name).finditer(masked):
            num = _NUMBER_AFTER_NAME.match(masked, m.end())
            if num is None or any(s <= num.start(1) < e for s, e in taken):
                continue
            unit = re.match(r"\s*[^\s,;]*[A-Za-z%°][^\s,;]*", masked[num.end(1) :])
            shown = " ".join(masked[m.start() : num.end(1) + (unit.end() if unit else 0)].split())
            notes.setdefault(
                num.start(1),
                f"{line(m.start())}: '{shown}' was not read as a {a.label} value (its unit or "
                "range does not fit): left out",
            )
    return [notes[k] for k in sorted(notes)]


@dataclass
class _Found:
    analyte: Analyte
    value: float
    unit: str
    span: Span
    where: str
    clock: time | None
    day: date | None
    note: str = ""


def read_text(text: str, *, first_line: int = 1) -> Record:
    """Every timed value in note text as a checked `Record` (see the module docstring).

    `first_line` numbers the lines in messages (for text cut from a longer note).

    >>> r = read_text("12 March 2024\\n08:00 creatinine 1.1 mg/dL\\n20:00 creatinine 1.5 mg/dL")
    >>> [(o.value, f"{o.time:%d %H:%M}") for o in r.observations]
    [(1.1, '12 08:00'), (1.5, '12 20:00')]
    """
    readings, assumptions, problems, undated = text_readings(text, first_line=first_line)
    return build_record(
        readings, "text", assumptions=assumptions, problems=problems, undated=undated
    )


def text_readings(
    text: str, *, first_line: int = 1
) -> tuple[list[Reading], list[str], dict[str, list[str]], bool]:
    """Readings, assumptions, problems and whether the text is undated (for `build_record`)."""
    dates = find_dates(text)
    clocks = find_clock_times(text)
    masked = _blank(text, [(s, e) for _, s, e in dates] + [(s, e) for _, s, e in clocks])
    segments = _segments(text)

    def line(pos: int) -> str:
        return f"line {text.count(chr(10), 0, pos) + first_line}"

    problems: dict[str, list[str]] = {}
    for a in ANALYTES.values():
        bad = implausible(a.quantity, masked)
        if bad is not None:
            problems.setdefault(a.name, []).append(
                f"{line(bad.span.start)}: {a.label} {bad.value} {bad.unit or ''} is "
                f"implausible ({bad.note})"
            )
    values = _values(masked)
    read = [(v[3], v[4]) for v in values]
    unread = _unread_numbers(masked, read, line)
    found: list[_Found] = []
    for a, value, unit, start, end, note in values:
        seg = next(s for s in segments if s[0] <= start <= s[1])
        clock = _nearest(clocks, seg, start)
        day = _nearest(dates, seg, start)
        if day is None:
            earlier = [d for d in dates if d[1] < start]
            if earlier:
                day = earlier[-1]
                dated = f"dated by '{text[day[1] : day[2]]}' ({line(day[1])})"
                note = "; ".join(x for x in (note, dated) if x)
        lo, hi = (min(start, clock[1]), max(end, clock[2])) if clock else (start, end)
        span = Span(start=lo, end=hi, text=text[lo:hi])
        found.append(
            _Found(
                a,
                value,
                unit,
                span,
                line(start),
                clock[0] if clock else None,
                day[0] if day else None,
                note,
            )
        )
    assumptions: list[str] = list(unread)
    undated = not dates and any(f.clock is not None for f in found)
    stamps: dict[int, datetime] = {}
    if undated:
        timed = [f for f in found if f.clock is not None]
        days, why = days_from_clock([f.clock for f in timed if f.clock is not None])
        stamps = {id(f): d for f, d in zip(timed, days, strict=True)}
        assumptions.append(why)
    readings = []
    for f in found:
        note, stamp = f.note, stamps.get(id(f))
        if not undated and f.day is not None:
            stamp = datetime.combine(f.day, f.clock or time(0))
            if f.clock is None:
                note = "; ".join(x for x in (note, "no time of day written: taken as 00:00") if x)
        readings.append(Reading(f.analyte, f.value, f.unit, stamp, f.where, f.span, note))
    return readings, assumptions, problems, undated
