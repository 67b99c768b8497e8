"""Unit normalization and conversion for clinical quantities.

Every conversion is explicit: an unknown unit, a conversion that needs an analyte's molar mass
when none is known, or an absurd value raises `clinreason.errors.InputError` with a message
that names the quantity, the value and the unit. Nothing is guessed silently.

Supported:

- concentrations `<amount>/<volume>`: amounts g, mg, µg, ng, kg; mol, mmol, µmol, nmol, pmol;
  Eq, mEq; IU, mIU, µIU; U. Volumes L, dL, mL, µL (also mm^3, cm^3). Mass <-> molar
  conversions use the analyte's molar mass (`ANALYTES`), mmol <-> mEq its valence, e.g.
  creatinine mg/dL <-> µmol/L (x 88.4), bilirubin (x 17.1), glucose mg/dL <-> mmol/L (/ 18),
  BUN mg/dL <-> mmol/L urea (/ 2.8), cholesterol (/ 38.67), calcium (mg/dL <-> mmol/L <-> mEq/L),
  albumin / hemoglobin g/dL <-> g/L.
- simple dimensions: mass (kg, g, mg, µg, lb, oz), length (m, cm, mm, in, ft), time (ms, s),
  pressure (mmHg, kPa, cmH2O), age (years, months, weeks, days), temperature (°C, °F, K),
  cell counts (/µL, /mm^3, 10^9/L, 10^3/µL), urine output (mL/day, L/day, mL/h), percent.

Micro is written with the micro sign `µ` (U+00B5) after normalization; the Greek small letter
mu `μ` (U+03BC), a plain `u` (`umol/L`, `ug`) and `mc` (`mcg`, `mcL`) are accepted spellings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from clinreason.errors import InputError

MICRO = "\u00b5"


@dataclass(frozen=True)
class Analyte:
    """Chemical facts needed to convert between mass and molar concentrations."""

    molar_mass: float | None
    """g/mol."""
    valence: int | None = None
    """Charge magnitude, for mmol <-> mEq."""


ANALYTES: dict[str, Analyte] = {
    "creatinine": Analyte(113.12),
    "bilirubin": Analyte(584.66),
    "glucose": Analyte(180.16),
    # BUN is reported as urea nitrogen: 1 mmol urea carries 2 N = 28.02 mg nitrogen.
    "bun": Analyte(28.02),
    "urea": Analyte(60.06),
    "cholesterol": Analyte(386.65),
    "triglycerides": Analyte(885.7),
    "calcium": Analyte(40.08, 2),
    "magnesium": Analyte(24.305, 2),
    "sodium": Analyte(22.99, 1),
    "potassium": Analyte(39.098, 1),
    "chloride": Analyte(35.45, 1),
    "bicarbonate": Analyte(61.02, 1),
    "phosphate": Analyte(30.97),
    "albumin": Analyte(66500.0),
    "hemoglobin": Analyte(16000.0),
    "insulin": Analyte(None),
    "lactate": Analyte(90.08, 1),
}
"""Molar masses (g/mol) and valences. BUN uses 28.02 (mg nitrogen per mmol urea)."""

# -- unit spelling ------------------------------------------------------------------------

_SIMPLE_ALIASES: dict[str, str] = {
    # temperature
    "c": "°C",
    "°c": "°C",
    "degc": "°C",
    "celsius": "°C",
    "f": "°F",
    "°f": "°F",
    "degf": "°F",
    "fahrenheit": "°F",
    "k": "K",
    "kelvin": "K",
    # pressure
    "mmhg": "mmHg",
    "torr": "mmHg",
    "kpa": "kPa",
    "cmh2o": "cmH2O",
    # time
    "ms": "ms",
    "msec": "ms",
    "msecs": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    # rates
    "bpm": "/min",
    "beats/min": "/min",
    "beatsperminute": "/min",
    "beats/minute": "/min",
    "breaths/minute": "/min",
    "breaths/min": "/min",
    "breathsperminute": "/min",
    "/min": "/min",
    "permin": "/min",
    "perminute": "/min",
    "min-1": "/min",
    # age
    "year": "years",
    "years": "years",
    "yr": "years",
    "yrs": "years",
    "y": "years",
    "yearsold": "years",
    "month": "months",
    "months": "months",
    "mo": "months",
    "week": "weeks",
    "weeks": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "day": "days",
    "days": "days",
    # mass
    "kg": "kg",
    "kgs": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "µg": "µg",
    "ng": "ng",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "oz": "oz",
    "ounce": "oz",
    "ounces": "oz",
    # length
    "m": "m",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "cm": "cm",
    "centimeter": "cm",
    "centimeters": "cm",
    "mm": "mm",
    "in": "in",
    "inch": "in",
    "inches": "in",
    '"': "in",
    "ft": "ft",
    "foot": "ft",
    "feet": "ft",
    "'": "ft",
    # percent and plain numbers
    "%": "%",
    "percent": "%",
    "fraction": "fraction",
    # areas / bmi
    "kg/m^2": "kg/m^2",
    "kg/m2": "kg/m^2",
    "m^2": "m^2",
    "m2": "m^2",
    # counts (cells per volume)
    "/µl": "/µL",
    "µl": "/µL",
    "cells/µl": "/µL",
    "/mm^3": "/µL",
    "/mm3": "/µL",
    "mm^3": "/µL",
    "mm3": "/µL",
    "cells/mm^3": "/µL",
    "cells/mm3": "/µL",
    "x10^9/l": "10^9/L",
    "×10^9/l": "10^9/L",
    "10^9/l": "10^9/L",
    "x109/l": "10^9/L",
    "g/l_count": "10^9/L",
    "x10^3/µl": "10^3/µL",
    "×10^3/µl": "10^3/µL",
    "10^3/µl": "10^3/µL",
    "k/µl": "10^3/µL",
    "x10^3/mm^3": "10^3/µL",
    "10^3/mm^3": "10^3/µL",
    "/l": "/L",
    # urine output
    "ml/day": "mL/day",
    "ml/d": "mL/day",
    "ml/24h": "mL/day",
    "ml/24hr": "mL/day",
    "ml/24hours": "mL/day",
    "l/day": "L/day",
    "l/d": "L/day",
    "l/24h": "L/day",
    "ml/h": "mL/h",
    "ml/hr": "mL/h",
    "ml/hour": "mL/h",
    # vasopressor dose
    "µg/kg/min": "µg/kg/min",
    # enzyme activity
    "u/l": "U/L",
    "iu/l": "U/L",
    "units/l": "U/L",
    # dose frequency
    "perday": "/day",
    "/day": "/day",
    "timesperday": "/day",
    "dosesperday": "/day",
}


def normalize_unit(unit: str) -> str:
    """Return the canonical spelling of a unit (e.g. 'umol/l' -> 'µmol/L', 'mm hg' -> 'mmHg').

    Raises:
        InputError: the unit is empty or not a string.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise InputError(f"empty or non-text unit: {unit!r}")
    text = unicodedata.normalize("NFKC", unit).strip()
    text = text.replace("\u03bc", MICRO).replace("\u00b5", MICRO)  # Greek mu -> micro sign
    text = text.replace("³", "^3").replace("²", "^2").replace("⁹", "^9")
    text = re.sub(r"\s+per\s+", "/", text, flags=re.IGNORECASE)
    low = re.sub(r"\s+", "", text.lower())
    low = low.replace("degrees", "deg").replace("degree", "deg")
    # temperature typos seen in data ('degrees celsisus', 'degrees fahreinheit')
    if "cels" in low or low in {"degc", "°c", "ºc"}:
        return "°C"
    if "fahr" in low or low in {"degf", "°f", "ºf"}:
        return "°F"
    if low.startswith("deg") and low[3:] in _SIMPLE_ALIASES:
        low = low[3:]
    low = re.sub(r"(?<![a-z])(mc|u)(?=(g|l|mol|iu|eq)\b|(g|l|mol|iu|eq)/)", MICRO, low)
    if low in _SIMPLE_ALIASES:
        return _SIMPLE_ALIASES[low]
    if low in {"mcg/kg/min", "ug/kg/min"}:
        return "µg/kg/min"
    conc = _parse_concentration(low)
    if conc is not None:
        return conc[3]
    raise InputError(f"unknown unit {unit!r}")


_AMOUNT_PREFIX = {"k": 1e3, "": 1.0, "d": 1e-1, "m": 1e-3, MICRO: 1e-6, "n": 1e-9, "p": 1e-12}
_VOLUME = {"l": 1.0, "dl": 0.1, "ml": 1e-3, MICRO + "l": 1e-6, "mm^3": 1e-6, "cm^3": 1e-3}
_VOLUME_SPELLING = {
    "l": "L",
    "dl": "dL",
    "ml": "mL",
    MICRO + "l": "µL",
    "mm^3": "mm^3",
    "cm^3": "cm^3",
}
_BASE_SPELLING = {"g": "g", "mol": "mol", "eq": "Eq", "iu": "IU", "u": "U"}


def _parse_concentration(low: str) -> tuple[float, str, float, str] | None:
    """Parse lower-case '<prefix><base>/<volume>' into (amount factor, base, litres, name)."""
    m = re.fullmatch(r"(k|d|m|µ|n|p)?(g|mol|eq|iu|u)/(l|dl|ml|µl|mm\^3|cm\^3)", low)
    if not m:
        return None
    prefix, base, vol = m.group(1) or "", m.group(2), m.group(3)
    if base == "u" and prefix:  # 'mu/l' is ambiguous; only U/L is supported for activities
        return None
    name = f"{prefix}{_BASE_SPELLING[base]}/{_VOLUME_SPELLING[vol]}"
    return _AMOUNT_PREFIX[prefix], base, _VOLUME[vol], name


# -- conversion ---------------------------------------------------------------------------

_LINEAR: dict[str, dict[str, float]] = {
    "mass": {
        "kg": 1.0,
        "g": 1e-3,
        "mg": 1e-6,
        "µg": 1e-9,
        "ng": 1e-12,
        "lb": 0.45359237,
        "oz": 0.028349523125,
    },
    "length": {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "ft": 0.3048},
    "time": {"ms": 1.0, "s": 1000.0},
    "pressure": {"mmHg": 1.0, "kPa": 7.50062, "cmH2O": 0.735559},
    "age": {"years": 1.0, "months": 1 / 12, "weeks": 7 / 365.25, "days": 1 / 365.25},
    "count": {"/µL": 1.0, "/L": 1e-6, "10^9/L": 1e3, "10^3/µL": 1e3},
    "urine": {"mL/day": 1.0, "L/day": 1000.0, "mL/h": 24.0},
    "percent": {"%": 1.0, "fraction": 100.0},
    "rate": {"/min": 1.0},
    "activity": {"U/L": 1.0},
    "bmi": {"kg/m^2": 1.0},
    "area": {"m^2": 1.0},
    "pressor": {"µg/kg/min": 1.0},
    "frequency": {"/day": 1.0},
}
_DIMENSION = {u: dim for dim, table in _LINEAR.items() for u in table}
_TEMPERATURE = {"°C", "°F", "K"}


def dimension(unit: str) -> str:
    """The dimension of a (normalized or raw) unit: 'mass', 'length', 'concentration', ..."""
    u = normalize_unit(unit)
    if u in _TEMPERATURE:
        return "temperature"
    if u in _DIMENSION:
        return _DIMENSION[u]
    return "concentration"


def convert(value: float, unit: str, to: str, *, analyte: str | None = None) -> float:
    """Convert `value` from `unit` to `to`.

    Args:
        value: the number.
        unit: its unit (any accepted spelling).
        to: the target unit.
        analyte: key of `ANALYTES`, required for mass <-> molar <-> mEq conversions.

    Raises:
        InputError: unknown unit, incompatible dimensions, or missing analyte facts.
    """
    src, dst = normalize_unit(unit), normalize_unit(to)
    if src == dst:
        return float(value)
    if src in _TEMPERATURE or dst in _TEMPERATURE:
        if not (src in _TEMPERATURE and dst in _TEMPERATURE):
            raise InputError(f"cannot convert {unit!r} to {to!r}")
        return _from_celsius(_to_celsius(float(value), src), dst)
    if src in _DIMENSION or dst in _DIMENSION:
        if _DIMENSION.get(src) != _DIMENSION.get(dst):
            raise InputError(f"cannot convert {unit!r} to {to!r} (different dimensions)")
        table = _LINEAR[_DIMENSION[src]]
        return float(value) * table[src] / table[dst]
    return _convert_concentration(float(value), src, dst, analyte, unit, to)


def _to_celsius(v: float, unit: str) -> float:
    if unit == "°F":
        return (v - 32.0) * 5.0 / 9.0
    if unit == "K":
        return v - 273.15
    return v


def _from_celsius(v: float, unit: str) -> float:
    if unit == "°F":
        return v * 9.0 / 5.0 + 32.0
    if unit == "K":
        return v + 273.15
    return v


def _convert_concentration(
    value: float, src: str, dst: str, analyte: str | None, raw_src: str, raw_dst: str
) -> float:
    s = _parse_concentration(src.lower())
    d = _parse_concentration(dst.lower())
    if s is None or d is None:
        raise InputError(f"cannot convert {raw_src!r} to {raw_dst!r}")
    s_amount, s_base, s_vol, _ = s
    d_amount, d_base, d_vol, _ = d
    per_litre = value * s_amount / s_vol  # base units per litre
    if s_base != d_base:
        if analyte == "insulin" and {s_base, d_base} == {"iu", "mol"}:
            # 1 µIU/mL = 6.0 pmol/L (Heinemann, Diabetes Care 2010).
            factor = 6.0e-9  # mol per IU: 1 µIU/mL = 1e-3 IU/L = 6e-12 mol/L
            per_litre = per_litre * factor if s_base == "iu" else per_litre / factor
        else:
            per_litre = _change_base(per_litre, s_base, d_base, analyte, raw_src, raw_dst)
    return per_litre * d_vol / d_amount


def _change_base(
    x: float, src: str, dst: str, analyte: str | None, raw_src: str, raw_dst: str
) -> float:
    """Convert an amount per litre between g, mol and Eq using the analyte's facts."""
    facts = ANALYTES.get(analyte or "")
    if facts is None:
        raise InputError(
            f"converting {raw_src!r} to {raw_dst!r} needs a known analyte (got {analyte!r})"
        )
    if "iu" in (src, dst) or "u" in (src, dst):
        raise InputError(f"cannot convert {raw_src!r} to {raw_dst!r} for {analyte}")
    # to mol
    if src == "g":
        if facts.molar_mass is None:
            raise InputError(f"no molar mass known for {analyte}")
        mol = x / facts.molar_mass
    elif src == "eq":
        if facts.valence is None:
            raise InputError(f"{analyte} has no valence: cannot convert {raw_src!r}")
        mol = x / facts.valence
    else:
        mol = x
    if dst == "g":
        if facts.molar_mass is None:
            raise InputError(f"no molar mass known for {analyte}")
        return mol * facts.molar_mass
    if dst == "eq":
        if facts.valence is None:
            raise InputError(f"{analyte} has no valence: cannot convert to {raw_dst!r}")
        return mol * facts.valence
    return mol


def check_range(name: str, value: float, unit: str, low: float | None, high: float | None) -> None:
    """Raise InputError if `value` (in `unit`) lies outside the physiologically possible range.

    The bounds are inclusive; `low` is usually exclusive of zero for quantities such as weight
    or creatinine (pass a small positive number).
    """
    if value != value:  # NaN
        raise InputError(f"{name}: value is not a number")
    if low is not None and value < low:
        raise InputError(
            f"{name} = {value:g} {unit} is implausible (must be at least {low:g} {unit})"
        )
    if high is not None and value > high:
        raise InputError(
            f"{name} = {value:g} {unit} is implausible (must be at most {high:g} {unit})"
        )
