"""Read a record from whatever a case holds: FHIR JSON, JSON rows, a table, or a note.

`read_record(text)` decides by the text itself:

- JSON (starts with '{' or '['): a FHIR `Bundle`/`Observation` (`resourceType`) goes to
  `fhir.read_fhir`; anything else must hold a list of row objects (top level, or the first list
  of objects under a key) read by `table.rows_to_record`;
- a text that is one table (CSV, TSV or markdown: a header naming a time column or a quantity,
  then only rows): `table.read_table`;
- otherwise a note: markdown/TSV table blocks inside it (two or more lines, a header with a time
  column) are read as tables, the rest as text (`text.text_readings`), all into one record.
"""

from __future__ import annotations

import json
from typing import Any

from clinreason.errors import InputError
from clinreason.tools.timeline.fhir import object_spans, read_fhir
from clinreason.tools.timeline.record import Reading, Record, build_record
from clinreason.tools.timeline.table import (
    Row,
    read_table,
    rows_to_record,
    table_kind,
    table_readings,
)
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
    if _only_table(stripped.splitlines()):
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


_ROW_MARK = {"markdown": "|", "tsv": "\t", "csv": ","}


def _only_table(lines: list[str]) -> bool:
    """A header line and nothing but rows of the same kind after it."""
    rows = [ln for ln in lines if ln.strip()]
    kind = table_kind(rows[0])
    return kind is not None and len(rows) >= 2 and all(_ROW_MARK[kind] in r for r in rows[1:])


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
    readings: list[Reading] = []
    assumptions: list[str] = []
    undated = False
    for a, b in blocks:
        block = "".join(lines[a:b])
        try:
            found, notes, block_undated = table_readings(block, first_line=a + 1, offset=offsets[a])
        except InputError:
            continue  # not a flowsheet (no time column): left to the text reader
        chars[offsets[a] : offsets[b]] = [" " if c != "\n" else c for c in block]
        readings += found
        assumptions += notes
        undated = undated or block_undated
    # the text reader sees the note with the tables blanked: same offsets, and its spans never
    # reach into a table (a span stays within one line), so they hold for the note itself
    more, notes, problems, text_undated = text_readings("".join(chars))
    source = "text+table" if readings and more else "table" if readings else "text"
    return build_record(
        readings + more,
        source,
        assumptions=assumptions + notes,
        problems=problems,
        undated=undated or text_undated,
    )
