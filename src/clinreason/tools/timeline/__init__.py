"""Longitudinal records as a tool: timed vital signs and labs from notes, tables, JSON and FHIR
R4 bundles, queried with DuckDB; every answer names the rows it used.

>>> rec = read_record("2024-03-01 08:00 Cr 1.0 mg/dL\\n2024-03-02 08:00 Cr 1.4 mg/dL")
>>> out = run_query(rec, parse_question("Did the creatinine rise by 0.3 within 48 hours?", rec))
>>> out.answer, out.key
('yes', (1, 2))
"""

from clinreason.tools.timeline.analytes import ANALYTES, Analyte
from clinreason.tools.timeline.engine import OP_TYPES, Outcome, Query, kdigo_stage, run_query
from clinreason.tools.timeline.questions import parse_question
from clinreason.tools.timeline.read import read_record
from clinreason.tools.timeline.record import Observation, Reading, Record, build_record

__all__ = [
    "ANALYTES",
    "OP_TYPES",
    "Analyte",
    "Observation",
    "Outcome",
    "Query",
    "Reading",
    "Record",
    "build_record",
    "kdigo_stage",
    "parse_question",
    "read_record",
    "run_query",
]
