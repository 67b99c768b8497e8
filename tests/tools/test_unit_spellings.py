"""One table of unit spellings (`clinreason.tools.unit_spellings`) read by both the calculator
extractor and the numbers verifier: a spelling in the table is recognised by both."""

from __future__ import annotations

import doctest

import pytest

from clinreason.tools import unit_spellings
from clinreason.tools.extract import extract_entity, labs, vitals
from clinreason.tools.unit_spellings import SPELLINGS
from clinreason.verify import units as verify_units
from clinreason.verify.text import quantities


def test_doctests() -> None:
    assert doctest.testmod(unit_spellings).failed == 0


def test_both_sides_build_from_the_table() -> None:
    assert labs.MG_DL is SPELLINGS["mg/dL"] and labs.MMOL_L is SPELLINGS["mmol/L"]
    assert vitals.MM_HG is SPELLINGS["mmHg"] and vitals._CELSIUS is SPELLINGS["degC"]
    for key, spelling in SPELLINGS.items():
        read_as = [k for p, k in verify_units._UNIT_PATTERNS if spelling in p]
        assert read_as == [key if key in verify_units.UNITS else "/min"], key


# (MedCalc entity, note, value in the extractor's unit, extractor unit label, verifier unit key)
SPELLED = [
    ("Total cholesterol", "Total cholesterol 182 milligrams per deciliter.", 182, "mg/dL", "mg/dL"),
    ("Total cholesterol", "Total cholesterol 182 mg per dL.", 182, "mg/dL", "mg/dL"),
    ("Total cholesterol", "Total cholesterol 182 mg·dL⁻¹.", 182, "mg/dL", "mg/dL"),
    ("Total cholesterol", "Total cholesterol 182 mg%.", 182, "mg/dL", "mg/dL"),
    ("Glucose", "Plasma glucose 7.2 mM on arrival.", 7.2, "mmol/L", "mmol/L"),
    ("Glucose", "Plasma glucose 7.2 mmol L-1 on arrival.", 7.2, "mmol/L", "mmol/L"),
    ("Sodium", "Sodium 131 milliequivalents per liter.", 131, "mEq/L", "mEq/L"),
    ("Albumin", "Albumin 3.1 grams per deciliter.", 3.1, "g/dL", "g/dL"),
    ("Temperature", "Temperature 38.4 degrees Celsius.", 38.4, "degrees celsius", "degC"),
    ("Heart Rate or Pulse", "Pulse 112 beats per minute.", 112, "beats per minute", "/min"),
    ("respiratory rate", "Respiratory rate 24 breaths/min.", 24, "breaths per minute", "/min"),
    ("Body Mass Index (BMI)", "BMI 31 kg/m².", 31, "kg/m^2", "bmi"),
    ("weight", "Weight 70 kilograms.", 70, "kg", "kg"),
    ("height", "Height 170 centimeters.", 170, "cm", "cm"),
]


@pytest.mark.parametrize(("key", "note", "value", "label", "unit"), SPELLED)
def test_a_table_spelling_is_read_by_extractor_and_verifier(
    key: str, note: str, value: float, label: str, unit: str
) -> None:
    found = extract_entity(key, note)
    assert found is not None and found.entity() == [value, label]
    read = [(q.value, q.unit) for q in quantities(note)]
    assert (value, unit) in read


def test_millimolar_is_case_sensitive_for_both() -> None:
    assert extract_entity("Glucose", "Plasma glucose 7.2 mm on arrival.") is None
    assert [q.unit for q in quantities("a lesion of 7 mm")] == ["mm"]
