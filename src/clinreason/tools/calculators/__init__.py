"""Clinical calculators (the 55 of MedCalc-Bench) with typed inputs and auditable steps.

Public API:

- `CALCULATORS: dict[int, Calculator]` keyed by MedCalc-Bench `Calculator ID`;
  `by_slug(slug)` looks one up by its stable snake_case name.
- `find_calculator(question) -> list[(Calculator, confidence)]`: deterministic name/alias matching.
- `compute_from_entities(calculator_id, entities) -> Computation`: compute from a MedCalc-Bench
  `Relevant Entities` dict (raises `clinreason.errors.InputError` on missing/absurd input).
- `ceiling_row(row) -> CeilingResult`: feed one dataset row's gold entities to its calculator and
  score the answer against the row's limits (the `ceiling` of an eval summary).

Inputs use the dataset's own entity keys (see `base.py`). Where MedCalc-Bench's implementation
or its labels diverge from the published source, the calculator follows the source and says so in
its `notes` (see docs/benchmarks/calculators.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinreason.errors import InputError
from clinreason.tools.calculators import (
    dates_dosage,
    diagnosis,
    electrolytes,
    icu,
    lab,
    matching,
    physical,
    renal,
    risk_cardio,
    risk_other,
    severity,
)
from clinreason.tools.calculators.base import Calculator, Computation, OutputType, Param
from clinreason.tools.calculators.ceiling import (
    CeilingResult,
    ceiling_row,
    is_correct,
    parse_entities,
)

_MODULES = (
    renal,
    lab,
    electrolytes,
    physical,
    renal,
    risk_cardio,
    risk_other,
    severity,
    icu,
    diagnosis,
    dates_dosage,
)

CALCULATORS: dict[int, Calculator] = {c.id: c for m in _MODULES for c in m.CALCULATORS}
"""All calculators by MedCalc-Bench Calculator ID."""

_BY_SLUG: dict[str, Calculator] = {c.slug: c for c in CALCULATORS.values()}


def by_slug(slug: str) -> Calculator:
    """The calculator with this slug (e.g. 'creatinine_clearance_cockcroft_gault').

    Raises:
        InputError: no calculator has that slug.
    """
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise InputError(f"unknown calculator {slug!r}") from None


def find_calculator(question: str) -> list[tuple[Calculator, float]]:
    """Calculators whose name or aliases occur in `question`, best first, with confidences."""
    return matching.find_calculator(question, CALCULATORS.values())


def compute_from_entities(calculator_id: int, entities: Mapping[str, Any]) -> Computation:
    """Compute calculator `calculator_id` from a MedCalc-Bench entity dict.

    Raises:
        InputError: unknown calculator id, or missing/absurd/unconvertible input.
    """
    calc = CALCULATORS.get(int(calculator_id))
    if calc is None:
        raise InputError(f"unknown calculator id {calculator_id!r}")
    return calc.compute(entities)


__all__ = [
    "CALCULATORS",
    "Calculator",
    "CeilingResult",
    "Computation",
    "OutputType",
    "Param",
    "by_slug",
    "ceiling_row",
    "compute_from_entities",
    "find_calculator",
    "is_correct",
    "parse_entities",
]
