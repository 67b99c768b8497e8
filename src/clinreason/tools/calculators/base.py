"""The calculator interface shared by the library, the extractors and the `calculator` strategy.

Inputs use MedCalc-Bench's entity format, keyed by the dataset's own entity names (the keys of the
`Relevant Entities` column), so gold entities, extracted values and calculators speak one language:

- a measurement: `[value, unit]`, e.g. `{"creatinine": [1.4, "mg/dL"], "age": [87, "years"]}`
- a yes/no finding: `True` / `False`
- a categorical value: a string from `Param.choices`, e.g. `{"sex": "Male"}`
- a date: `"MM/DD/YYYY"`; a count or score item: a number
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

ParamKind = Literal["measurement", "bool", "choice", "number", "date"]
OutputType = Literal["decimal", "integer", "date", "weeks_days"]


@dataclass(frozen=True)
class Param:
    """One calculator input."""

    name: str
    """Key as in MedCalc-Bench `Relevant Entities` (e.g. 'creatinine', 'Heart Rate or Pulse')."""
    kind: ParamKind
    unit: str | None = None
    """Canonical unit for measurements (values in other units are converted)."""
    choices: tuple[str, ...] = ()
    required: bool = True
    """If False, a missing value takes `default` (recorded as an explicit assumption)."""
    default: Any = None
    description: str = ""
    """Plain-language meaning, used in prompts for judgement items and in explanations."""
    bounds: tuple[float | None, float | None] | None = None
    """Plausible range (inclusive) in `unit`; values outside raise InputError."""
    analyte: str | None = None
    """Key of `clinreason.tools.units.ANALYTES` used for mass <-> molar conversions."""
    aliases: tuple[str, ...] = ()
    """Other entity keys accepted for this input (spelling variants seen in MedCalc-Bench)."""


@dataclass(frozen=True)
class Computation:
    """A calculator's result with the steps a clinician can check line by line."""

    value: float | str | tuple[int, int]
    """Number, 'MM/DD/YYYY' date, or (weeks, days)."""
    unit: str | None
    steps: list[str]
    """Formula, each input with its unit after conversion, intermediate results."""
    inputs: dict[str, Any] = field(default_factory=dict)
    """The normalized inputs actually used (canonical units)."""
    assumptions: list[str] = field(default_factory=list)
    """Defaults applied for missing optional inputs, conversions made, etc."""


@runtime_checkable
class Calculator(Protocol):
    """A clinical calculator (rule- or equation-based)."""

    id: int
    """MedCalc-Bench `Calculator ID`."""
    slug: str
    """Stable snake_case name, e.g. 'creatinine_clearance_cockcroft_gault'."""
    name: str
    """Display name, as MedCalc-Bench's `Calculator Name`."""
    aliases: tuple[str, ...]
    """Other names and abbreviations used to find it from a question."""
    category: str
    """lab, risk, physical, severity, diagnosis, date, dosage."""
    output_type: OutputType
    params: tuple[Param, ...]
    reference: str
    """The published source of the formula."""

    def compute(self, entities: Mapping[str, Any]) -> Computation:
        """Compute from entity values.

        Raises:
            clinreason.errors.InputError: a required input is missing, has an unknown unit, or
                is absurd (negative weight, creatinine 0, ...).
        """
        ...
