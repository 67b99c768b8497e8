"""Read a record from whatever a case holds: FHIR JSON, JSON rows, a table, or a note.

`read_record(text)` decides by the text itself:

- JSON (starts with '{' or '['): a FHIR `Bundle`/`Observation` (`resourceType`) goes to
  `fhir.read_fhir`; anything else must hold a list of row objects (top level, or the first list
  of objects under a key) read by `table.rows_to_record`;
- a text whose first non-empty line is a table header (CSV, TSV or markdown with a time
  column): `table.read_table`;
- otherwise a note: markdown/TSV table blocks inside it (two or more lines, a header with a time
  column) are read as tables, the rest as text (`text.text_readings`), all into one record.
"""

from __future__ import annotations

import json
from typing import Any

from clinreason.errors import InputError
from clinreason.tools.timeline.fhir import object_spans, read_fhir
from clinreason.tools.timeline.record import Record, build_record
from clinreason.tools.timeline.table import Row, read_table, rows_to_record, table_kind
from clinreason.tools.timeline.text import text_readings
from clinreason.trace import Span


def read_record(text: str) -> Record:
    """The record in `text` (see the module docstring).

    Raises:
        InputError: unreadable JSON (with line and column), or a table without a time column.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError("the record is empty")
    if stripped[0] in "{[":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise InputError(f"not valid JSON: {exc.msg} ({where})") from None
        if isinstance(data, dict) and "resourceType" in data:
            return read_fhir(data, text)
        return _json_rows(data, text)
    first = stripped.splitlines()[0]
    if table_kind(first) == "csv" or (table_kind(first) and _is_table_block(stripped.splitlines())):
        return read_table(text)
    return _note(text)


def _row_list(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        return data
    if isinstance(data, dict):
        for value in data.values():
            found = _row_list(value)
            if found is not None:
                return found
    return None


def _json_rows(data: Any, text: str) -> Record:
    rows = _row_list(data)
    if rows is None:
        raise InputError("JSON input must hold a list of row objects or a FHIR Bundle")
    first_key = next(iter(rows[0]), "")
    objects = object_spans(text)
    # the row objects are those opening right before their first key, in order
    starts = [
        s for s in objects if text[s[0] + 1 : s[1]].lstrip().startswith(json.dumps(first_key))
    ]
    spans = [Span(start=s, end=e, text=text[s:e]) for s, e in starts]
    if len(spans) != len(rows):
        spans = []
    out = []
    for i, row in enumerate(rows):
        cells = {str(k): "" if v is None else str(v) for k, v in row.items()}
        out.append(Row(cells, f"row {i + 1}", spans[i] if spans else None))
    return rows_to_record(out, "json")


def _is_table_block(lines: list[str]) -> bool:
    rows = [ln for ln in lines if ln.strip()]
    return len(rows) >= 2 and table_kind(rows[0]) is not None


def _note(text: str) -> Record:
    """A note with optional markdown/TSV table blocks: both read into one record."""
    lines = text.splitlines(keepends=True)
    blocks: list[tuple[int, int]] = []  # line index ranges [a, b)
    i = 0
    while i < len(lines):
        kind = table_kind(lines[i].rstrip("\r\n"))
        if kind in ("markdown", "tsv"):
            j = i + 1
            while j < len(lines) and table_kind(lines[j].rstrip("\r\n")) == kind:
                j += 1
            if j - i >= 2:
                blocks.append((i, j))
                i = j
                continue
        i += 1
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    chars = list(text)
    readings, assumptions, problems, undated = [], [], {}, False
    for a, b in blocks:
        block = "".join(lines[a:b])
        try:
            rec = read_table(block, first_line=a + 1, offset=offsets[a], source="note table")
        except InputError:
            continue  # not a flowsheet (no time column): left to the text reader
        chars[offsets[a] : offsets[b]] = [" " if c != "\n" else c for c in block]
        assumptions += rec.assumptions
        for k, v in rec.problems.items():
            problems.setdefault(k, []).extend(v)
        readings += [_as_reading(o) for o in rec.observations]
        undated = undated or rec.undated
    more, notes, found, text_undated = text_readings("".join(chars))
    for k, v in found.items():
        problems.setdefault(k, []).extend(v)
    source = "text+table" if readings and more else "table" if readings else "text"
    return build_record(
        readings + _respan(more, text),
        source,
        assumptions=assumptions + notes,
        problems=problems,
        undated=undated or text_undated,
    )


def _as_reading(o: Any) -> Any:
    from clinreason.tools.timeline.analytes import ANALYTES
    from clinreason.tools.timeline.record import Reading

    return Reading(ANALYTES[o.analyte], o.value, o.unit, o.time, o.where, o.span, o.note)


def _respan(readings: list[Any], text: str) -> list[Any]:
    """Spans read on the blanked copy, re-cut from the original text (same offsets)."""
    from dataclasses import replace

    return [
        replace(
            r, span=Span(start=r.span.start, end=r.span.end, text=text[r.span.start : r.span.end])
        )
        if r.span is not None
        else r
        for r in readings
    ]
