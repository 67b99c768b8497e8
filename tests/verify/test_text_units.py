"""Number, unit and analyte reading; unit conversion; rounding-aware comparison."""

from __future__ import annotations

import math

import pytest

from clinreason.verify.text import normalize, quantities, same_value, unit_key
from clinreason.verify.units import convert


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain analyte + unit
        ("Creatinine 1.4 mg/dL", [(1.4, "mg/dL", "creatinine")]),
        # age from '-year-old'
        ("a 67-year-old man", [(67.0, "year", "age")]),
        # blood pressure pair
        ("BP 150/95 mmHg", [(150.0, "mmHg", "sbp"), (95.0, "mmHg", "dbp")]),
        # unit implies analyte
        ("38.5 °C and 110 bpm", [(38.5, "degC", "temperature"), (110.0, "/min", "heart_rate")]),
        # micro sign, Greek mu and plain u are one unit
        ("Cr 124 µmol/L, Cr 124 μmol/L", [(124.0, "umol/L", "creatinine")] * 2),
        # superscript exponent in a count unit
        ("WBC 12×10⁹/L", [(12.0, "x10^9/L", "wbc")]),
        # unicode minus sign and full-width digits
        ("base excess −4, K ５.１", [(-4.0, None, None), (5.1, None, "potassium")]),
        # spelled-out concentration units, millimolar (the extractor reads them too)
        (
            "cholesterol of 182 milligrams per deciliter, albumin 3.1 grams per dL",
            [(182.0, "mg/dL", "cholesterol"), (3.1, "g/dL", "albumin")],
        ),
        ("sodium 140 mM", [(140.0, "mmol/L", "sodium")]),
        # thousands separator
        ("platelets 1,250 x10^9/L", [(1250.0, "x10^9/L", "platelets")]),
        # identifiers, dates and times are not numbers about the patient
        ("COVID-19 on 03/14/2024 at 10:30, SpO2 92%", [(92.0, "%", "spo2")]),
        # operand after an operator is not labelled by the name before it
        ("(SBP + 2 × DBP) / 3", [(2.0, None, None), (3.0, None, None)]),
        # empty text
        ("", []),
    ],
)
def test_quantities(text, expected):
    got = [(q.value, q.unit, q.analyte) for q in quantities(text)]
    assert got == expected


def test_enormous_numbers_are_not_finite_and_do_not_hang():
    qs = quantities("value " + "9" * 5000 + " mg/dL and 1e400")
    assert [q.finite for q in qs] == [False, False]


@pytest.mark.parametrize(
    ("value", "src", "dst", "analyte", "expected"),
    [
        (1.4, "mg/dL", "umol/L", "creatinine", 123.76),  # x 88.4
        (90, "mg/dL", "mmol/L", "glucose", 4.995),  # / 18.016
        (100.4, "degF", "degC", None, 38.0),  # offset unit
        (-40, "degC", "degF", None, -40.0),  # the crossing point
        (154, "lb", "kg", None, 69.853),
        (10, "g/dL", "g/L", None, 100.0),
        (2, "mEq/L", "mmol/L", "calcium", 1.0),  # divalent
        (1, "x10^9/L", "/uL", None, 1000.0),
        (5, "kg", "mmHg", None, None),  # different dimensions
        (1, "mg/dL", "mmol/L", None, None),  # molar mass unknown
        (1, "furlong", "m", None, None),  # unknown unit
    ],
)
def test_convert(value, src, dst, analyte, expected):
    got = convert(value, src, dst, analyte=analyte)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1.4, 1, "mg/dL", 1.43, 2, "mg/dL"), True),  # rounding
        ((2.1, 1, "mg/dL", 1.4, 1, "mg/dL"), False),
        ((124, 0, "umol/L", 1.4, 1, "mg/dL"), True),  # conversion with rounding on both sides
        ((155, 0, "lb", 70, 0, "kg"), True),  # 70 kg means 69.5-70.5 kg
        ((160, 0, "lb", 70, 0, "kg"), False),
        ((0.4, 1, None, 40, 0, "%"), True),  # fraction vs percent
        ((math.inf, 0, None, math.inf, 0, None), False),  # never match non-finite values
        ((38.5, 1, "degF", 38.5, 1, "degC"), False),  # swapped unit
    ],
)
def test_same_value(args, expected):
    assert same_value(*args, analyte="creatinine") is expected


@pytest.mark.parametrize(
    ("unit", "key"),
    [
        ("mg/dL", "mg/dL"),
        ("µmol/L", "umol/L"),
        ("beats per minute", "/min"),
        ("mm Hg", "mmHg"),
        ("°F", "degF"),
        ("kg/m^2", "bmi"),
        ("", None),
        (None, None),
        ("parsecs", None),
    ],
)
def test_unit_key(unit, key):
    assert unit_key(unit) == key


def test_normalize_keeps_ascii_text():
    assert normalize("Na 140") == "Na 140"
