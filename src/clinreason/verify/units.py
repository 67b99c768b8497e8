"""Clinical units and analytes: recognising them in text and converting between them. Pure.

Units are grouped by dimension (mass, length, temperature, mass or molar concentration, cell
count, ...). Conversions inside a dimension use fixed factors; conversions between mass and molar
concentration need the analyte's molar mass (creatinine, glucose, urea nitrogen, calcium, ...).

>>> convert(1.4, "mg/dL", "umol/L", analyte="creatinine")
123.76...
>>> round(convert(100.4, "degF", "degC"), 3)
38.0
>>> convert(1.0, "kg", "mmHg") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinreason.tools.unit_spellings import SPELLINGS


@dataclass(frozen=True)
class Unit:
    """A unit: its dimension and the way to its base unit (`base = v * factor + offset`)."""

    key: str
    dimension: str
    factor: float
    offset: float = 0.0


_U = [
    Unit("kg", "mass", 1.0),
    Unit("g", "mass", 1e-3),
    Unit("mg", "mass", 1e-6),
    Unit("ug", "mass", 1e-9),
    Unit("lb", "mass", 0.45359237),
    Unit("oz", "mass", 0.028349523125),
    Unit("m2", "area", 1.0),
    Unit("m", "length", 1.0),
    Unit("cm", "length", 0.01),
    Unit("mm", "length", 0.001),
    Unit("in", "length", 0.0254),
    Unit("ft", "length", 0.3048),
    Unit("degC", "temperature", 1.0),
    Unit("degF", "temperature", 5 / 9, -32 * 5 / 9),
    Unit("year", "time", 1.0),
    Unit("month", "time", 1 / 12),
    Unit("week", "time", 7 / 365.25),
    Unit("day", "time", 1 / 365.25),
    Unit("hour", "time", 1 / 8766),
    Unit("/min", "rate", 1.0),
    Unit("mmHg", "pressure", 1.0),
    Unit("kPa", "pressure", 7.50062),
    Unit("cmH2O", "pressure", 0.735559),
    Unit("%", "percent", 1.0),
    Unit("g/L", "mass_conc", 1.0),
    Unit("g/dL", "mass_conc", 10.0),
    Unit("mg/dL", "mass_conc", 0.01),
    Unit("mg/L", "mass_conc", 1e-3),
    Unit("ug/mL", "mass_conc", 1e-3),
    Unit("ug/dL", "mass_conc", 1e-5),
    Unit("ug/L", "mass_conc", 1e-6),
    Unit("ng/mL", "mass_conc", 1e-6),
    Unit("ng/dL", "mass_conc", 1e-8),
    Unit("ng/L", "mass_conc", 1e-9),
    Unit("pg/mL", "mass_conc", 1e-9),
    Unit("mol/L", "molar_conc", 1.0),
    Unit("mmol/L", "molar_conc", 1e-3),
    Unit("umol/L", "molar_conc", 1e-6),
    Unit("nmol/L", "molar_conc", 1e-9),
    Unit("mEq/L", "molar_conc", 1e-3),
    Unit("/L", "count", 1.0),
    Unit("x10^9/L", "count", 1e9),
    Unit("x10^12/L", "count", 1e12),
    Unit("/uL", "count", 1e6),
    Unit("x10^3/uL", "count", 1e9),
    Unit("x10^6/uL", "count", 1e12),
    Unit("U/L", "enzyme", 1.0),
    Unit("mL/min", "flow", 1.0),
    Unit("mL/min/1.73m2", "gfr", 1.0),
    Unit("mL", "volume", 1e-3),
    Unit("L", "volume", 1.0),
    Unit("points", "score", 1.0),
    Unit("s", "seconds", 1.0),
    Unit("bmi", "bmi", 1.0),
]
UNITS: dict[str, Unit] = {u.key: u for u in _U}
"""Unit key -> unit."""

_MU = "[uµμ]"
_TEN = r"(?:[x×*]\s*10\s*(?:\^|\*\*|e)?\s*"
# (regex, unit key); tried in order at the position right after a number, longest first.
_UNIT_PATTERNS: list[tuple[str, str]] = [
    (r"mL\s*/\s*min\s*/\s*1[.,]73\s*m(?:2|\^2|²)?", "mL/min/1.73m2"),
    (r"mL\s*/\s*min", "mL/min"),
    (SPELLINGS["x10^9/L"], "x10^9/L"),
    (_TEN + r"12\)?\s*/\s*L)", "x10^12/L"),
    (SPELLINGS["x10^3/uL"], "x10^3/uL"),
    (_TEN + r"6\)?\s*/\s*(?:" + _MU + r"L|mm3|mm\^3))", "x10^6/uL"),
    (SPELLINGS["/uL"], "/uL"),
    (SPELLINGS["mmol/L"], "mmol/L"),
    (SPELLINGS["umol/L"], "umol/L"),
    (r"nmol\s*/\s*L", "nmol/L"),
    (SPELLINGS["mEq/L"], "mEq/L"),
    (SPELLINGS["mg/dL"], "mg/dL"),
    (SPELLINGS["g/dL"], "g/dL"),
    (r"mg\s*/\s*[Ll]", "mg/L"),
    (SPELLINGS["g/L"], "g/L"),
    (r"(?:" + _MU + r"g|mcg)\s*/\s*m[Ll]", "ug/mL"),
    (r"(?:" + _MU + r"g|mcg)\s*/\s*d[Ll]", "ug/dL"),
    (r"(?:" + _MU + r"g|mcg)\s*/\s*[Ll]", "ug/L"),
    (r"ng\s*/\s*m[Ll]", "ng/mL"),
    (r"ng\s*/\s*d[Ll]", "ng/dL"),
    (r"ng\s*/\s*[Ll]", "ng/L"),
    (r"pg\s*/\s*m[Ll]", "pg/mL"),
    (SPELLINGS["U/L"], "U/L"),
    (SPELLINGS["bmi"], "bmi"),
    (SPELLINGS["mmHg"], "mmHg"),
    (SPELLINGS["kPa"], "kPa"),
    (r"cm\s*H2O", "cmH2O"),
    (SPELLINGS["beats/min"] + "|" + SPELLINGS["breaths/min"] + "|" + SPELLINGS["/min"], "/min"),
    (r"beats|breaths", "/min"),
    (SPELLINGS["degC"], "degC"),
    (SPELLINGS["degF"], "degF"),
    (SPELLINGS["%"], "%"),
    (SPELLINGS["kg"], "kg"),
    (SPELLINGS["lb"], "lb"),
    (r"(?:" + _MU + r"g|mcg|micrograms?)", "ug"),
    (r"mg|milligrams?", "mg"),
    (SPELLINGS["g"], "g"),
    (r"oz|ounces?", "oz"),
    (SPELLINGS["cm"], "cm"),
    (r"mm|millimet(?:er|re)s?", "mm"),
    (r"m(?:\^2|²)|m2|(?:square|sq\.?)\s+met(?:er|re)s?", "m2"),
    (SPELLINGS["m"], "m"),
    (SPELLINGS["in"], "in"),
    (r"(?:ft|feet|foot)", "ft"),
    (r"m[Ll]|milliliters?", "mL"),
    (r"L|liters?|litres?", "L"),
    (r"(?:-|\s)?(?:years?|yrs?|y)(?:[-\s]old|\s+of\s+age)?|yo\b|y/o|y\.o\.", "year"),
    (r"(?:-|\s)?months?(?:[-\s]old)?|mo\b", "month"),
    (r"(?:-|\s)?weeks?(?:[-\s]old)?|wks?", "week"),
    (r"(?:-|\s)?days?(?:[-\s]old)?", "day"),
    (r"(?:-|\s)?(?:hours?|hrs?|h)", "hour"),
    (r"(?:seconds?|secs?)", "s"),
    (r"points?|pts?", "points"),
    (r"(?:cells)?\s*/\s*L", "/L"),
]
# 'mg·dL−1', 'mmol L-1': the same units written with a negative exponent (tried first)
_EXPONENT_FORMS = [
    (p.replace(r"\s*/\s*", r"\s*[·⋅.]?\s*", 1) + r"\s*[-−]\s*1", k)
    for p, k in _UNIT_PATTERNS
    if p.count(r"\s*/\s*") == 1 and p[0].isalpha()
]
_UNIT_RES = [
    (re.compile(r"\s?(?:" + p + r")(?![A-Za-z0-9])"), k)
    for p, k in _EXPONENT_FORMS + _UNIT_PATTERNS
]
_AGE_SUFFIX = re.compile(r"(?:[-\s]old|\s+of\s+age|yo|y/o|y\.o\.)\s*$")


def match_unit(text: str, pos: int) -> tuple[str, int, bool] | None:
    """The unit starting at `pos` in `text`: (unit key, end offset, is_age), or None.

    >>> match_unit("1.4 mg/dL", 3)
    ('mg/dL', 9, False)
    >>> match_unit("67-year-old", 2)
    ('year', 11, True)
    """
    for regex, key in _UNIT_RES:
        m = regex.match(text, pos)
        if m:
            return key, m.end(), bool(key == "year" and _AGE_SUFFIX.search(m.group(0)))
    return None


@dataclass(frozen=True)
class Analyte:
    """A patient quantity (lab, vital sign, body measure) and how to recognise it in text."""

    name: str
    words: tuple[str, ...]
    """Case-insensitive names (regex fragments)."""
    abbrevs: tuple[str, ...] = ()
    """Case-sensitive abbreviations ('K', 'Na', 'HR')."""
    molar_mass: float | None = None
    """g/mol, for mass <-> molar concentration."""
    valence: int = 1
    """For mEq/L <-> mmol/L."""


ANALYTES: tuple[Analyte, ...] = (
    Analyte("age", (r"age[ds]?",), ()),
    Analyte("weight", (r"weigh(?:s|t|ing|ed)?", r"body\s+mass(?!\s+index)"), ("Wt", "wt")),
    Analyte("height", (r"height", r"tall", r"stature"), ("Ht", "ht")),
    Analyte("bmi", (r"body\s+mass\s+index", r"bmi"), ("BMI",)),
    Analyte("temperature", (r"temp(?:erature)?", r"febrile\s+to", r"fever\s+(?:of|to)"), ("T",)),
    Analyte("heart_rate", (r"heart\s+rate", r"pulse(?:\s+rate)?", r"h\.?r\.?"), ("HR",)),
    Analyte("respiratory_rate", (r"respiratory\s+rate", r"resp(?:iratory)?\s+rate"), ("RR",)),
    Analyte("sbp", (r"systolic(?:\s+blood\s+pressure|\s+bp)?",), ("SBP",)),
    Analyte("dbp", (r"diastolic(?:\s+blood\s+pressure|\s+bp)?",), ("DBP",)),
    Analyte("bp", (r"blood\s+pressure",), ("BP",)),
    Analyte("map", (r"mean\s+arterial\s+pressure",), ("MAP",)),
    Analyte(
        "spo2",
        (r"o2\s+sat(?:uration)?", r"oxygen\s+saturation", r"sat(?:uration|s)?"),
        ("SpO2", "SaO2"),
    ),
    Analyte("fio2", (r"fio2", r"fraction\s+of\s+inspired\s+oxygen"), ("FiO2",)),
    Analyte("pao2", (r"pao2", r"partial\s+pressure\s+of\s+oxygen"), ("PaO2", "pO2")),
    Analyte("paco2", (r"paco2",), ("PaCO2", "pCO2")),
    Analyte("ph", (r"ph",), ("pH",)),
    Analyte("sodium", (r"sodium",), ("Na", "Na+"), 22.99),
    Analyte("potassium", (r"potassium",), ("K", "K+"), 39.10),
    Analyte("chloride", (r"chloride",), ("Cl", "Cl-"), 35.45),
    Analyte("bicarbonate", (r"bicarb(?:onate)?", r"hco3-?", r"total\s+co2"), ("HCO3", "CO2")),
    Analyte("bun", (r"blood\s+urea\s+nitrogen", r"urea\s+nitrogen", r"bun"), ("BUN",), 28.014),
    Analyte("creatinine", (r"creatinine", r"creat"), ("Cr", "SCr", "sCr"), 113.12),
    Analyte("glucose", (r"glucose", r"blood\s+sugar"), ("BG", "Glu"), 180.16),
    Analyte("calcium", (r"calcium",), ("Ca", "Ca2+"), 40.08, 2),
    Analyte("magnesium", (r"magnesium",), ("Mg",), 24.305, 2),
    Analyte("phosphate", (r"phosph(?:ate|orus)",), ("Phos",), 30.97),
    Analyte("albumin", (r"albumin",), ("Alb",)),
    Analyte("bilirubin", (r"(?:total\s+)?bilirubin",), ("Tbili", "TBil"), 584.66),
    Analyte("hemoglobin", (r"ha?emoglobin", r"hgb", r"hb"), ("Hb", "Hgb")),
    Analyte("hematocrit", (r"ha?ematocrit", r"hct"), ("Hct",)),
    Analyte(
        "wbc",
        (r"white\s+(?:blood\s+)?(?:cell|count)s?(?:\s+count)?", r"leukocytes?", r"wbc"),
        ("WBC",),
    ),
    Analyte("platelets", (r"platelets?(?:\s+count)?", r"plt"), ("PLT",)),
    Analyte("inr", (r"inr", r"international\s+normali[sz]ed\s+ratio"), ("INR",)),
    Analyte("lactate", (r"lactate", r"lactic\s+acid"), (), 90.08),
    Analyte("troponin", (r"troponin",), ("TnI", "TnT")),
    Analyte("ast", (r"aspartate\s+aminotransferase", r"ast"), ("AST",)),
    Analyte("alt", (r"alanine\s+aminotransferase", r"alt"), ("ALT",)),
    Analyte("cholesterol", (r"total\s+cholesterol", r"cholesterol"), ("TC",), 386.65),
    Analyte("hdl", (r"hdl(?:\s+cholesterol)?",), ("HDL",), 386.65),
    Analyte("ldl", (r"ldl(?:\s+cholesterol)?",), ("LDL",), 386.65),
    Analyte("triglycerides", (r"triglycerides?",), ("TG",), 885.7),
    Analyte("hba1c", (r"hba1c", r"a1c", r"glycated\s+ha?emoglobin"), ("HbA1c",)),
    Analyte("gcs", (r"glasgow\s+coma\s+(?:scale|score)(?:\s+score)?", r"gcs"), ("GCS",)),
    Analyte("crp", (r"c-reactive\s+protein", r"crp"), ("CRP",)),
    Analyte("tsh", (r"thyroid[-\s]stimulating\s+hormone", r"tsh"), ("TSH",)),
    Analyte("egfr", (r"e?gfr", r"glomerular\s+filtration\s+rate"), ("eGFR", "GFR")),
    Analyte("qt", (r"qtc?(?:\s+interval)?",), ("QT", "QTc")),
)
ANALYTE_BY_NAME = {a.name: a for a in ANALYTES}


def _analyte_regex() -> re.Pattern[str]:
    parts = []
    for a in ANALYTES:
        words = "|".join(f"(?i:{w})" for w in a.words)
        abbr = "|".join(re.escape(x) for x in a.abbrevs)
        body = "|".join(p for p in (words, abbr) if p)
        parts.append(f"(?P<{a.name}>(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9]))")
    return re.compile("|".join(parts))


ANALYTE_RE = _analyte_regex()


def analytes_in(text: str) -> list[tuple[str, int, int]]:
    """Analyte mentions in `text`: (name, start, end), in order.

    >>> [a[0] for a in analytes_in("Na 128, K 5.9 and serum creatinine")]
    ['sodium', 'potassium', 'creatinine']
    """
    out = []
    for m in ANALYTE_RE.finditer(text):
        name = m.lastgroup
        if name:
            out.append((name, m.start(), m.end()))
    return out


def convert(value: float, src: str, dst: str, *, analyte: str | None = None) -> float | None:
    """`value` in unit `src` expressed in unit `dst`; None when they cannot be converted.

    Mass <-> molar concentration needs the analyte's molar mass; mEq/L <-> mmol/L divides by
    the analyte's valence.
    """
    if src == dst:
        return value
    a, b = UNITS.get(src), UNITS.get(dst)
    if a is None or b is None:
        return None
    info = ANALYTE_BY_NAME.get(analyte or "")
    base = value * a.factor + a.offset
    if a.dimension == "molar_conc" and src == "mEq/L" and info:
        base /= info.valence
    if a.dimension != b.dimension:
        if info is None or info.molar_mass is None:
            return None
        if a.dimension == "mass_conc" and b.dimension == "molar_conc":
            base = base / info.molar_mass
        elif a.dimension == "molar_conc" and b.dimension == "mass_conc":
            base = base * info.molar_mass
        else:
            return None
    if dst == "mEq/L" and info:
        base *= info.valence
    return (base - b.offset) / b.factor
