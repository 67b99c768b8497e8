"""Read flowsheet-style tables (CSV, TSV, markdown) and JSON rows into timed readings.

A table needs a time column: 'time', 'datetime', 'date', 'timestamp', 'charted', 'collected',
'taken', 'recorded' (or separate 'date' and 'time' columns, joined). Two layouts are read:

- **wide**: one column per analyte, the unit in the header ("Creatinine (mg/dL)") or in the cell
  ("1.1 mg/dL");
- **long**: columns for the analyte name ('test', 'analyte', 'name', 'parameter', 'item',
  'observation'), the value ('value', 'result') and optionally the unit ('unit', 'units').

Every value keeps its place ('line 5' in a text table, 'row 3' in JSON rows) and its evidence
span: the cell in a text table, the row object in JSON. An empty cell ('', '-', 'NA') is no
value; a cell that is not a number is left out and said so; a column that names no known
quantity is ignored and said so. Times without dates are read as day 1, day 2, ...
(`record.days_from_clock`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from clinreason.errors import InputError
from clinreason.tools.extract.dates import find_dates
from clinreason.tools.timeline.analytes import Analyte, analyte_named
from clinreason.tools.timeline.record import Reading, Record, build_record, days_from_clock
from clinreason.tools.timeline.text import find_clock_times
from clinreason.trace import Span

TIME_COLUMNS = (
    "time",
    "datetime",
    "date/time",
    "date time",
    "timestamp",
    "charted",
    "collected",
    "taken",
    "recorded",
    "when",
    "date",
)
NAME_COLUMNS = ("test", "analyte", "name", "parameter", "item", "observation", "lab", "vital")
VALUE_COLUMNS = ("value", "result", "reading")
UNIT_COLUMNS = ("unit", "units", "uom")
EMPTY = ("", "-", "—", "na", "n/a", "nd")
_NUMBER_CELL = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(.*?)\s*$")
_HEADER_UNIT = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]")


@dataclass(frozen=True)
class Row:
    """One data row: header -> cell text, where it is, and its text spans (if read from text)."""

    cells: Mapping[str, str]
    where: str
    span: Span | None = None
    """The whole row (JSON: its object)."""
    cell_spans: Mapping[str, Span] = field(default_factory=dict)
    """Header -> the cell's own span: a value's evidence (a whole CSV row '69,143' would read
    as one number)."""


def _key(header: str) -> str:
    return re.sub(r"\s+", " ", _HEADER_UNIT.sub("", header)).strip().lower()


def _when(text: str) -> tuple[datetime | None, time | None, str]:
    """(datetime, None) for a dated cell, (None, clock) for a clock time alone, and a note."""
    dates = find_dates(text)
    clocks = find_clock_times(text)
    if dates:
        clock = clocks[0][0] if clocks else None
        note = "" if clock else "no time of day written: taken as 00:00"
        return datetime.combine(dates[0][0], clock or time(0)), None, note
    return None, clocks[0][0] if clocks else None, ""


Parsed = tuple[list[Reading], list[str], bool]
"""Readings, the assumptions made reading them, and whether their times lacked dates."""


def rows_to_record(rows: Sequence[Row], source: str) -> Record:
    """Table rows (wide or long layout) as a checked `Record`.

    >>> rows = [Row({"Time": "2024-03-01 08:00", "Creatinine (mg/dL)": "1.1"}, "row 1"),
    ...         Row({"Time": "2024-03-02 08:00", "Creatinine (mg/dL)": "1.6"}, "row 2")]
    >>> [o.value for o in rows_to_record(rows, "table").observations]
    [1.1, 1.6]
    """
    readings, assumptions, undated = rows_to_readings(rows, source)
    return build_record(readings, source, assumptions=assumptions, undated=undated)


def rows_to_readings(rows: Sequence[Row], source: str) -> Parsed:
    """Readings from table rows (wide or long layout), not yet checked.

    Raises:
        InputError: no rows, no time column, or a value without a unit.
    """
    if not rows:
        raise InputError(f"the {source} has no data rows")
    headers = list(rows[0].cells)
    keys = {h: _key(h) for h in headers}
    time_cols = [h for h in headers if keys[h] in TIME_COLUMNS]
    if not time_cols:
        raise InputError(
            f"the {source} has no time column (columns: {', '.join(headers)}); name one "
            f"{', '.join(repr(c) for c in TIME_COLUMNS[:4])}, ..."
        )
    name_col = next((h for h in headers if keys[h] in NAME_COLUMNS), None)
    value_col = next((h for h in headers if keys[h] in VALUE_COLUMNS), None)
    unit_col = next((h for h in headers if keys[h] in UNIT_COLUMNS), None)
    assumptions: list[str] = []
    columns: dict[str, tuple[Analyte, str | None]] = {}
    if not (name_col and value_col):
        for h in headers:
            if h in time_cols:
                continue
            a = analyte_named(h)
            if a is None:
                assumptions.append(f"column {h!r} names no known quantity: ignored")
                continue
            unit = _HEADER_UNIT.search(h)
            columns[h] = (a, unit.group(1) if unit else None)
    cells: list[tuple[Row, Analyte, float, str | None, Span | None]] = []
    for row in rows:
        if name_col and value_col:
            a = analyte_named(row.cells.get(name_col, ""))
            if a is None:
                assumptions.append(
                    f"{row.where}: {row.cells.get(name_col)!r} names no known quantity: ignored"
                )
                continue
            unit = row.cells.get(unit_col, "") if unit_col else None
            pairs = [(a, value_col, unit or None)]
        else:
            pairs = [(a, h, u) for h, (a, u) in columns.items()]
        for a, column, unit in pairs:
            raw = row.cells.get(column, "")
            if raw.strip().lower() in EMPTY:
                continue
            m = _NUMBER_CELL.match(raw)
            if m is None:
                assumptions.append(
                    f"{row.where}: {a.label} {raw.strip()!r} is not a number: left out"
                )
                continue
            span = row.cell_spans.get(column, row.span)
            cells.append((row, a, float(m.group(1)), m.group(2) or unit, span))
    return _dated(cells, time_cols, source, assumptions)


def _dated(
    cells: list[tuple[Row, Analyte, float, str | None, Span | None]],
    time_cols: list[str],
    source: str,
    assumptions: list[str],
) -> Parsed:
    stamps: list[tuple[datetime | None, time | None, str]] = [
        _when(" ".join(row.cells.get(c, "") for c in time_cols)) for row, *_ in cells
    ]
    undated = bool(cells) and all(s[0] is None for s in stamps) and any(s[1] for s in stamps)
    if undated:
        clocks = [s[1] for s in stamps if s[1] is not None]
        days, why = days_from_clock(clocks)
        it = iter(days)
        stamps = [(next(it), None, "") if s[1] is not None else s for s in stamps]
        assumptions.append(why)
    readings = []
    for (row, a, value, unit, span), (when, _, note) in zip(cells, stamps, strict=True):
        if unit is None:
            raise InputError(
                f"{row.where}: {a.label} {value:g} has no unit (in the cell or header)"
            )
        readings.append(Reading(a, value, unit, when, row.where, span, note))
    return readings, assumptions, undated


_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _split(line: str, kind: str) -> list[str]:
    if kind == "markdown":
        inner = line.strip()
        inner = inner[1:] if inner.startswith("|") else inner
        inner = inner[:-1] if inner.endswith("|") else inner
        return [c.strip() for c in inner.split("|")]
    if kind == "tsv":
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in next(csv.reader(io.StringIO(line)))]


def table_kind(line: str) -> str | None:
    """'markdown', 'tsv' or 'csv' for a header line that looks like one, else None."""
    if line.strip().startswith("|") and line.count("|") >= 3:
        return "markdown"
    if line.count("\t") >= 1:
        return "tsv"
    cells = _split(line, "csv") if line.count(",") >= 1 else []
    header_like = all(len(c.split()) <= 4 for c in cells)  # not a sentence with commas
    if header_like and any(_key(c) in TIME_COLUMNS or analyte_named(c) for c in cells):
        return "csv"
    return None


def read_table(text: str) -> Record:
    """A table written as text (CSV, TSV or markdown; the first non-empty line is the header).

    Raises:
        InputError: no header, no time column, or a row with the wrong number of cells.
    """
    readings, assumptions, undated = table_readings(text)
    return build_record(readings, "table", assumptions=assumptions, undated=undated)


def table_readings(text: str, *, first_line: int = 1, offset: int = 0) -> Parsed:
    """Readings of a table written as text, not yet checked; `first_line` and `offset` place it
    in a longer note (for messages and spans).

    Raises:
        InputError: no header, no time column, or a row with the wrong number of cells.
    """
    lines = text.splitlines(keepends=True)
    pos, header, kind, rows = offset, None, None, []
    for number, line in enumerate(lines, first_line):
        start, body = pos, line.rstrip("\r\n")
        pos += len(line)
        if not body.strip() or _SEPARATOR.match(body):
            continue
        if header is None:
            kind = table_kind(body)
            if kind is None:
                raise InputError(f"line {number}: not a table header: {body.strip()[:60]!r}")
            header = _split(body, kind)
            continue
        cells = _split(body, kind or "csv")
        if len(cells) != len(header):
            raise InputError(
                f"line {number}: {len(cells)} cells where the header has {len(header)}"
            )
        lead = len(body) - len(body.lstrip())
        span = Span(start=start + lead, end=start + len(body.rstrip()), text=body.strip())
        cursor, spans = 0, {}
        for name, cell in zip(header, cells, strict=True):
            at = body.find(cell, cursor) if cell else -1
            if at >= 0:
                spans[name] = Span(start=start + at, end=start + at + len(cell), text=cell)
                cursor = at + len(cell)
        rows.append(Row(dict(zip(header, cells, strict=True)), f"line {number}", span, spans))
    if header is None:
        raise InputError("the table is empty")
    return rows_to_readings(rows, "table")
