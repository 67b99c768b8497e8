"""`timeline`: answer a numeric question about a longitudinal record without a model.

The case's context (a note, a flowsheet table, JSON rows or a FHIR R4 bundle) is read with
`tools.timeline.read_record`, the question turned into a query by `parse_question`, and the
query run by DuckDB (`run_query`). The trace holds one `extraction` step per assumption the
reader made that concerns the quantity asked about (method 'assumed'), one per row the query
looked at (its value as written, its evidence span, time and place in the note), and one
`tool_call` step (`timeline.<op>`) with the query, the SQL and the arithmetic in plain lines,
whose parents are those steps; the answer rests on the tool call. A record or question the tool
cannot read, or a series with a problem (implausible value, conflicting duplicates, unknown
unit), ends as the trace's error with the offending place named, never as a guessed number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from clinreason.backends.base import Backend
from clinreason.errors import InputError
from clinreason.tools.timeline import parse_question, read_record, run_query
from clinreason.trace import Answer, Case, Extraction, ToolCall, TraceBuilder


def applies(case: Case) -> bool:
    """Whether `case` asks a question the timeline tool reads about a series its context holds
    (two or more timed values of the quantity asked about): what `--strategy auto` routes here.

    >>> note = "2024-03-01 08:00 K 4.1 mmol/L. 2024-03-02 08:00 K 5.2 mmol/L."
    >>> applies(Case(id="1", question="What was the highest K?", context=note))
    True
    >>> applies(Case(id="2", question="What is the MELD score?", context=note))
    False
    """
    if case.options or not case.context.strip():
        return False
    try:
        record = read_record(case.context)
        query = parse_question(case.question, record)
        return len(record.series(query.analyte)) >= 2
    except InputError:
        return False


@dataclass(frozen=True)
class Timeline:
    """Deterministic numeracy over a timed record (no model call)."""

    name: ClassVar[str] = "timeline"
    version: ClassVar[int] = 1

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Read the record, run the question's query, record the rows used."""
        started = time.perf_counter()
        record = read_record(case.context)
        query = parse_question(case.question, record)
        outcome = run_query(record, query)
        parents = [
            tb.add(Extraction(name="assumption", value=text, method="assumed")).id
            for text in record.assumptions_about(query.analyte)
        ]
        by_id = {o.id: o for o in record.observations}
        for rid in outcome.rows:
            o = by_id[rid]
            where = f"{record.show_time(o.time)}, {o.where}"
            step = Extraction(
                name=o.analyte,
                value=int(o.written_value) if o.written_value.is_integer() else o.written_value,
                unit=o.written_unit,
                span=o.span,
                note="; ".join(x for x in (where, o.note) if x),
            )
            parents.append(tb.add(step).id)
        key = [f"{record.show_time(by_id[k].time)} ({by_id[k].where})" for k in outcome.key]
        call = tb.add(
            ToolCall(
                tool=f"timeline.{query.op}",
                arguments=query.describe(),
                result=outcome.answer,
                explanation=[
                    *outcome.explanation,
                    *([f"deciding rows: {', '.join(key)}"] if key else []),
                    f"read from {record.source}; SQL: {' '.join(outcome.sql.split())}",
                ],
                parents=parents,
                duration_s=time.perf_counter() - started,
            )
        )
        return Answer(value=outcome.answer, unit=outcome.unit, support=[call.id])
