"""Scoring one MedCalc-Bench row with its gold `Relevant Entities` (the label ceiling).

`ceiling_row(row)` takes a row of the MedCalc-Bench CSV (a mapping with the dataset's column
names, values as read by `csv.DictReader`), computes the row's calculator from the row's gold
entities and scores the answer with the benchmark rule: correct iff
`Lower Limit <= answer <= Upper Limit`; dates ('MM/DD/YYYY') and the gestational-age tuple
('(14 weeks, 1 days)') must match exactly. An input error counts as not correct and is reported.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clinreason.errors import InputError


@dataclass(frozen=True)
class CeilingResult:
    """The outcome of computing one row from its gold entities."""

    row_number: int
    calculator_id: int
    answer: float | str | tuple[int, int] | None
    correct: bool
    ground_truth: str
    lower: str
    upper: str
    error: str | None = None
    steps: list[str] = field(default_factory=list)


def parse_entities(text: str) -> dict[str, Any]:
    """Parse a `Relevant Entities` cell (a Python literal dict) safely with `ast.literal_eval`.

    Raises:
        InputError: the cell is not a literal dict.
    """
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise InputError(f"Relevant Entities is not a Python literal dict: {exc}") from None
    if not isinstance(value, dict):
        raise InputError("Relevant Entities is not a dict")
    return value


def _parse_date(text: str) -> dt.date | None:
    from clinreason.tools.calculators._common import parse_date

    return parse_date(text)


def _weeks_days(value: Any) -> tuple[int, int] | None:
    if isinstance(value, tuple | list) and len(value) == 2:
        found = [re.search(r"\d+", str(v)) for v in value]
        if found[0] is None or found[1] is None:
            return None
        return int(found[0].group()), int(found[1].group())
    if isinstance(value, str):
        nums = re.findall(r"\d+", value)
        if len(nums) == 2:
            return int(nums[0]), int(nums[1])
    return None


def is_correct(answer: Any, row: Mapping[str, str]) -> bool:
    """The benchmark's correctness rule for `answer` against a dataset row."""
    if answer is None:
        return False
    cid = int(row["Calculator ID"])
    truth = row["Ground Truth Answer"]
    if cid == 69:
        return _weeks_days(answer) is not None and _weeks_days(answer) == _weeks_days(truth)
    if cid in (13, 68):
        got = answer if isinstance(answer, dt.date) else _parse_date(str(answer))
        return got is not None and got == _parse_date(truth)
    try:
        x = float(answer)
        return float(row["Lower Limit"]) <= x <= float(row["Upper Limit"])
    except (TypeError, ValueError):
        return False


def ceiling_row(row: Mapping[str, str]) -> CeilingResult:
    """Compute the row's calculator from its gold entities and score it (never raises)."""
    from clinreason.tools.calculators import compute_from_entities  # late: avoids an import cycle

    cid = int(row["Calculator ID"])

    def result(answer: Any, correct: bool, error: str | None, steps: list[str]) -> CeilingResult:
        return CeilingResult(
            row_number=int(row.get("Row Number") or 0),
            calculator_id=cid,
            answer=answer,
            correct=correct,
            ground_truth=row["Ground Truth Answer"],
            lower=row["Lower Limit"],
            upper=row["Upper Limit"],
            error=error,
            steps=steps,
        )

    try:
        comp = compute_from_entities(cid, parse_entities(row["Relevant Entities"]))
    except InputError as exc:
        return result(None, False, str(exc), [])
    return result(comp.value, is_correct(comp.value, row), None, comp.steps)
