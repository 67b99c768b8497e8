"""Unit normalization and conversion (clinreason.tools.units)."""

from __future__ import annotations

import pytest

from clinreason.errors import InputError
from clinreason.tools.units import convert, dimension, normalize_unit


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("umol/L", "µmol/L"),
        ("μmol/L", "µmol/L"),  # Greek small letter mu
        ("µmol/L", "µmol/L"),  # micro sign
        ("mg/dl", "mg/dL"),
        ("MG/DL", "mg/dL"),
        ("meq/l", "mEq/L"),
        ("mm hg", "mmHg"),
        ("mmHg", "mmHg"),
        ("beats per minute", "/min"),
        ("breaths per minute", "/min"),
        ("degrees celsius", "°C"),
        ("degrees celsisus", "°C"),
        ("degrees fahreinheit", "°F"),
        ("°F", "°F"),
        ("lbs", "lb"),
        ("mcg", "µg"),
        ("mcg/kg/min", "µg/kg/min"),
        ("µL", "/µL"),
        ("cells/mm3", "/µL"),
        ("x10^9/L", "10^9/L"),
        ("msec", "ms"),
        ("per day", "/day"),
        ("uIU/mL", "µIU/mL"),
    ],
)
def test_normalize_unit(raw: str, canonical: str) -> None:
    assert normalize_unit(raw) == canonical


@pytest.mark.parametrize(
    ("value", "unit", "to", "analyte", "expected"),
    [
        (1.0, "mg/dL", "µmol/L", "creatinine", 88.40),  # 10000 / 113.12
        (88.4, "umol/L", "mg/dL", "creatinine", 1.0),
        (1.0, "mg/dL", "μmol/L", "bilirubin", 17.10),  # 10000 / 584.66
        (180.16, "mg/dL", "mmol/L", "glucose", 10.0),
        (28.02, "mg/dL", "mmol/L", "bun", 10.0),  # BUN mg/dL -> urea mmol/L (/2.8)
        (386.65, "mg/dL", "mmol/L", "cholesterol", 10.0),
        (10.0, "mg/dL", "mmol/L", "calcium", 2.495),
        (2.5, "mmol/L", "mEq/L", "calcium", 5.0),
        (140, "mEq/L", "mmol/L", "sodium", 140.0),
        (35, "g/L", "g/dL", None, 3.5),
        (150, "lbs", "kg", None, 68.0389),
        (70, "in", "cm", None, 177.8),
        (6, "ft", "m", None, 1.8288),
        (98.6, "°F", "°C", None, 37.0),
        (37, "degrees celsius", "degrees fahrenheit", None, 98.6),
        (10, "kPa", "mmHg", None, 75.0062),
        (0.4, "s", "ms", None, 400),
        (7.5, "x10^9/L", "/µL", None, 7500),
        (24, "months", "years", None, 2.0),
        (60, "pmol/L", "µIU/mL", "insulin", 10.0),
        (1.5, "L/day", "mL/day", None, 1500),
    ],
)
def test_convert(value: float, unit: str, to: str, analyte: str | None, expected: float) -> None:
    assert convert(value, unit, to, analyte=analyte) == pytest.approx(expected, rel=1e-3)


def test_unknown_unit_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unknown unit 'furlongs'"):
        convert(1, "furlongs", "m")


def test_incompatible_dimensions_raise() -> None:
    with pytest.raises(InputError, match="cannot convert"):
        convert(1, "kg", "cm")
    with pytest.raises(InputError, match="cannot convert"):
        convert(1, "°C", "mg/dL")


def test_mass_to_molar_needs_an_analyte() -> None:
    with pytest.raises(InputError, match="needs a known analyte"):
        convert(1, "mg/dL", "µmol/L")
    with pytest.raises(InputError, match="no valence"):
        convert(1, "mg/dL", "mEq/L", analyte="creatinine")


def test_dimension() -> None:
    assert dimension("lbs") == "mass"
    assert dimension("degrees fahrenheit") == "temperature"
    assert dimension("mg/dL") == "concentration"
