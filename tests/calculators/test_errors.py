"""Missing, absurd and badly-united inputs give a clear InputError, never a silent number."""

from __future__ import annotations

import pytest

from clinreason.errors import InputError
from clinreason.tools.calculators import compute_from_entities

CG = {
    "age": [60, "years"],
    "weight": [70, "kg"],
    "height": [170, "cm"],
    "creatinine": [1.0, "mg/dL"],
    "sex": "Male",
}


@pytest.mark.parametrize(
    ("cid", "entities", "message"),
    [
        (
            2,
            {k: v for k, v in CG.items() if k != "creatinine"},
            "missing required input 'creatinine'",
        ),
        (2, {**CG, "weight": [-70, "kg"]}, "weight = -70 kg is implausible"),
        (2, {**CG, "creatinine": [0, "mg/dL"]}, "creatinine = 0 mg/dL is implausible"),
        (2, {**CG, "age": [150, "years"]}, "age = 150 years is implausible"),
        (2, {**CG, "creatinine": [1.0, "mg/furlong"]}, "unknown unit"),
        (2, {**CG, "weight": [70, "cm"]}, "cannot convert"),
        (2, {**CG, "sex": "unknown"}, "not one of"),
        (2, {**CG, "creatinine": "high"}, "expected \\[number, unit\\]"),
        (6, {"weight": [70, "kg"], "height": [0, "cm"]}, "height = 0 cm is implausible"),
        (39, {"Sodium": [140, "mEq/L"], "Chloride": [100, "mEq/L"]}, "missing required input"),
        (
            64,
            {"Sodium": [140, "mEq/L"], "Chloride": [100, "mEq/L"], "Bicarbonate": [24, "mEq/L"]},
            "ratio is undefined",
        ),
        (
            65,
            {
                "Sodium": [140, "mEq/L"],
                "Chloride": [100, "mEq/L"],
                "Bicarbonate": [24, "mEq/L"],
                "Albumin": [3.2, "mg/dL"],
            },
            "Albumin = 0.0032 g/dL is implausible",
        ),
        (11, {"Heart Rate or Pulse": [0, "bpm"], "QT interval": [400, "msec"]}, "must be positive"),
        (13, {"Last menstrual date": "13/45/2020", "cycle length": 28}, "not a date"),
        (69, {"Last menstrual date": "05/01/2021", "Current Date": "01/01/2021"}, "before"),
        (
            21,
            {
                "Best eye response": "winks",
                "Best verbal response": "oriented",
                "Best motor response": "obeys commands",
            },
            "not one of",
        ),
        (
            24,
            {"input steroid": ["Unobtainium PO", 10, "mg"], "target steroid": "PredniSONE PO"},
            "unknown steroid",
        ),
        (49, {}, "no opioid dose"),
        (999, {}, "unknown calculator id"),
    ],
)
def test_bad_input_raises(cid: int, entities: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compute_from_entities(cid, entities)


def test_missing_optional_input_is_an_explicit_assumption() -> None:
    comp = compute_from_entities(4, {"age": [70, "years"], "sex": "Female"})
    assert comp.value == 2
    assert any("Hypertension history" in a and "assumed" in a for a in comp.assumptions)
    assert any("not given -> assumed absent" in s for s in comp.steps)


def test_bare_number_for_a_measurement_is_recorded() -> None:
    comp = compute_from_entities(
        5, {"Systolic Blood Pressure": 120, "Diastolic Blood Pressure": 80}
    )
    assert comp.value == pytest.approx(93.333, abs=1e-3)
    assert any("no unit given" in a for a in comp.assumptions)


def test_lowercase_sex_is_understood_not_silently_misread() -> None:
    upper = compute_from_entities(2, CG).value
    lower = compute_from_entities(2, {**CG, "sex": "male"}).value
    assert upper == lower


def test_unused_inputs_are_reported() -> None:
    comp = compute_from_entities(
        5,
        {
            "Systolic Blood Pressure": [120, "mm Hg"],
            "Diastolic Blood Pressure": [80, "mm Hg"],
            "Pulse": [70, "bpm"],
        },
    )
    assert any("Not used by this calculator: Pulse" in s for s in comp.steps)
