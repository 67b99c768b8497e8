"""Comparing extracted calculator inputs with MedCalc-Bench's gold `Relevant Entities`.

Used by the MedCalc benchmark for `extraction_accuracy` and for naming the failure stage of a
wrong answer. A value matches when:

- measurements: equal within 2% (or 0.05 absolute) after converting the extracted value to the
  gold unit (`clinreason.tools.units`, with the analyte's molar mass where needed);
- yes/no: equal, an input not extracted counting as the calculator's default (absent);
- categories and dates: equal after case and whitespace folding;
- bare numbers (scores, counts, INR): equal within the same tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinreason.errors import InputError
from clinreason.tools import units
from clinreason.tools.calculators import Calculator

_ANALYTE = {
    "creatinine": "creatinine",
    "Pre-operative creatinine": "creatinine",
    "Urine creatinine": "creatinine",
    "Blood Urea Nitrogen (BUN)": "bun",
    "Glucose": "glucose",
    "Sodium": "sodium",
    "Urine sodium": "sodium",
    "Potassium": "potassium",
    "Chloride": "chloride",
    "Bicarbonate": "bicarbonate",
    "Albumin": "albumin",
    "Bilirubin": "bilirubin",
    "Calcium": "calcium",
    "Total cholesterol": "cholesterol",
    "high-density lipoprotein cholesterol": "cholesterol",
    "low-density lipoprotein cholesterol": "cholesterol",
    "Triglycerides": "triglycerides",
    "Hemoglobin": "hemoglobin",
    "Insulin": "insulin",
}


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.02 * abs(b), 0.05)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], int | float):
        return None if isinstance(value[0], bool) else float(value[0])
    return None


def _same_unit(a: str, b: str) -> bool:
    try:
        return units.normalize_unit(a) == units.normalize_unit(b)
    except InputError:
        return _fold(a) == _fold(b)


def _fold(value: Any) -> str:
    return " ".join(str(value).lower().split())


def values_match(key: str, extracted: Any, gold: Any, default: Any = None) -> bool:
    """Whether an extracted entity value agrees with the gold one (see the module docstring).

    >>> values_match("creatinine", [124, "µmol/L"], [1.4, "mg/dL"])
    True
    >>> values_match("Hemoptysis", None, False, default=False)
    True
    >>> values_match("sex", "male", "Male")
    True
    """
    if extracted is None:
        extracted = default
    if isinstance(gold, bool) or isinstance(extracted, bool):
        return isinstance(extracted, bool) and isinstance(gold, bool) and extracted == gold
    if isinstance(gold, list | tuple) and len(gold) == 2 and isinstance(gold[1], str):
        g = _number(gold)
        if g is None:
            return _fold(gold) == _fold(extracted)
        if isinstance(extracted, list | tuple) and len(extracted) == 2:
            e = _number(extracted)
            if e is None:
                return False
            unit = extracted[1]
            if unit is None or _same_unit(str(unit), gold[1]):
                return _close(e, g)
            try:
                return _close(units.convert(e, str(unit), gold[1], analyte=_ANALYTE.get(key)), g)
            except InputError:
                return _close(e, g)
        e = _number(extracted)
        return e is not None and _close(e, g)
    if isinstance(gold, int | float):
        e = _number(extracted)
        return e is not None and _close(e, float(gold))
    if isinstance(gold, list | tuple):  # e.g. ['MethylPrednisoLONE IV', 9.6, 'mg']
        if not isinstance(extracted, list | tuple) or len(extracted) != len(gold):
            return False
        return all(
            _close(float(a), float(b))
            if isinstance(b, int | float) and isinstance(a, int | float)
            else _fold(a) == _fold(b)
            for a, b in zip(extracted, gold, strict=True)
        )
    return _fold(extracted) == _fold(gold)


def param_for(calc: Calculator, key: str) -> Any:
    """The calculator parameter a gold key refers to (by name or alias), or None."""
    for p in calc.params:
        if p.name == key or key in getattr(p, "aliases", ()):
            return p
    return None


def compare_entities(
    calc: Calculator, extracted: Mapping[str, Any], gold: Mapping[str, Any]
) -> dict[str, bool]:
    """Gold key -> whether the extracted value (by parameter name or alias) matches it.

    Gold keys that are not inputs of `calc` (nothing to extract) are left out.
    """
    out: dict[str, bool] = {}
    for key, gold_value in gold.items():
        p = param_for(calc, key)
        if p is None:
            continue
        value = extracted.get(p.name, extracted.get(key))
        out[key] = values_match(p.name, value, gold_value, default=p.default)
    return out


def input_judgement(calc: Calculator | None, gold: Mapping[str, Any], step: Any) -> str:
    """'right' / 'wrong' for one extraction step (an `Extraction`) by the gold entities, or
    'unknown' when the gold does not list its input (scoring only)."""
    p_step = param_for(calc, step.name) if calc is not None else None
    if p_step is None:
        return "unknown"
    for key, gold_value in gold.items():
        p = param_for(calc, key)  # type: ignore[arg-type]
        if p is None or p.name != p_step.name:
            continue
        value = [step.value, step.unit] if step.unit is not None else step.value
        return "right" if values_match(p.name, value, gold_value, default=p.default) else "wrong"
    return "unknown"
