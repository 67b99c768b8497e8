"""The quantities a timeline knows: names, LOINC codes, canonical units and plausible ranges.

One entry per analyte. Its names are matched (case-insensitively, whole words) in table
headers, JSON keys, FHIR `code.text`/`display` and questions; its LOINC codes identify FHIR
Observations; values are checked against the plausible range after conversion to the canonical
unit with `clinreason.tools.units` (so "creatinine 45 mg/dL" is refused, "398 µmol/L" accepted).
The note-text reader finds values with the calculator extractors' `Quantity` of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinreason.errors import InputError
from clinreason.tools.extract.labs import (
    CREATININE,
    GLUCOSE,
    HEMOGLOBIN,
    POTASSIUM,
    SODIUM,
    WBC,
)
from clinreason.tools.extract.measure import Quantity
from clinreason.tools.extract.vitals import (
    DBP,
    HEART_RATE,
    RESPIRATORY_RATE,
    SBP,
    SPO2,
    TEMPERATURE,
)
from clinreason.tools.units import convert, normalize_unit


@dataclass(frozen=True)
class Analyte:
    """A quantity a timeline can hold."""

    name: str
    """Key used everywhere (e.g. 'creatinine', 'heart_rate')."""
    label: str
    """How answers and steps name it ('creatinine', 'heart rate')."""
    names: tuple[str, ...]
    """Spellings in headers, FHIR text and questions (matched as whole words, any case)."""
    loinc: tuple[str, ...]
    unit: str
    """Canonical unit (a `tools.units` spelling)."""
    low: float
    high: float
    """Plausible range in the canonical unit (inclusive)."""
    quantity: Quantity
    """The note-text extractor's definition of the same quantity."""
    chemical: str | None = None
    """`tools.units.ANALYTES` key for mass <-> molar conversions."""

    def to_canonical(self, value: float, unit: str, where: str) -> float:
        """`value` in the canonical unit.

        Raises:
            InputError: unknown or unconvertible unit, naming `where`.
        """
        try:
            return convert(value, unit, self.unit, analyte=self.chemical)
        except InputError as exc:
            raise InputError(f"{where}: {self.label} in {unit!r}: {exc}") from None

    def convert(self, value: float, unit: str, to: str) -> float:
        """`value` from `unit` to `to` (both units of this analyte)."""
        return convert(value, unit, to, analyte=self.chemical)


ANALYTES: dict[str, Analyte] = {
    a.name: a
    for a in (
        Analyte(
            "creatinine",
            "creatinine",
            ("creatinine", "serum creatinine", "creat", "cr", "scr"),
            ("2160-0", "38483-4", "14682-9"),
            "mg/dL",
            0.1,
            30.0,
            CREATININE,
            "creatinine",
        ),
        Analyte(
            "potassium",
            "potassium",
            ("potassium", "serum potassium", "k", "k+"),
            ("2823-3", "6298-4"),
            "mmol/L",
            1.0,
            10.0,
            POTASSIUM,
            "potassium",
        ),
        Analyte(
            "sodium",
            "sodium",
            ("sodium", "serum sodium", "na", "na+"),
            ("2951-2", "2947-0"),
            "mmol/L",
            100.0,
            200.0,
            SODIUM,
            "sodium",
        ),
        Analyte(
            "glucose",
            "glucose",
            ("glucose", "blood glucose", "blood sugar", "glu", "bg"),
            ("2345-7", "2339-0"),
            "mg/dL",
            10.0,
            2000.0,
            GLUCOSE,
            "glucose",
        ),
        Analyte(
            "hemoglobin",
            "hemoglobin",
            ("hemoglobin", "haemoglobin", "hb", "hgb"),
            ("718-7",),
            "g/dL",
            2.0,
            25.0,
            HEMOGLOBIN,
            "hemoglobin",
        ),
        Analyte(
            "wbc",
            "white cell count",
            (
                "wbc",
                "white cell count",
                "white blood cell count",
                "white blood cells",
                "leukocytes",
            ),
            ("6690-2", "26464-8"),
            "10^9/L",
            0.1,
            500.0,
            WBC,
        ),
        Analyte(
            "heart_rate",
            "heart rate",
            ("heart rate", "hr", "pulse", "pulse rate"),
            ("8867-4",),
            "/min",
            15.0,
            300.0,
            HEART_RATE,
        ),
        Analyte(
            "respiratory_rate",
            "respiratory rate",
            ("respiratory rate", "rr", "resp rate", "resp", "breathing rate"),
            ("9279-1",),
            "/min",
            3.0,
            90.0,
            RESPIRATORY_RATE,
        ),
        Analyte(
            "temperature",
            "temperature",
            ("temperature", "temp", "body temperature"),
            ("8310-5", "8331-1"),
            "°C",
            25.0,
            45.0,
            TEMPERATURE,
        ),
        Analyte(
            "spo2",
            "oxygen saturation",
            ("spo2", "oxygen saturation", "o2 sat", "o2 saturation", "sat", "sats", "saturation"),
            ("2708-6", "59408-5"),
            "%",
            40.0,
            100.0,
            SPO2,
        ),
        Analyte(
            "systolic_bp",
            "systolic blood pressure",
            ("systolic blood pressure", "systolic bp", "sbp", "systolic"),
            ("8480-6",),
            "mmHg",
            30.0,
            300.0,
            SBP,
        ),
        Analyte(
            "diastolic_bp",
            "diastolic blood pressure",
            ("diastolic blood pressure", "diastolic bp", "dbp", "diastolic"),
            ("8462-4",),
            "mmHg",
            10.0,
            200.0,
            DBP,
        ),
    )
}
"""Every analyte a timeline reads, by name."""

_BY_LOINC = {code: a for a in ANALYTES.values() for code in a.loinc}


def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-word names; those of three letters or fewer ('K', 'Cr', 'HR') only as written in
    capitals or capitalised, so that '48 hr' or 'k' in a word never names an analyte."""
    spelled = []
    for n in sorted(names, key=len, reverse=True):
        if len(n.rstrip("+")) <= 3:
            spelled += [re.escape(n.upper()), re.escape(n.capitalize())]
        else:
            spelled.append("(?i:" + re.escape(n) + ")")
    return re.compile(rf"(?<![\w+])(?:{'|'.join(spelled)})(?![\w+])")


_PATTERNS = {a.name: _name_pattern(a.names) for a in ANALYTES.values()}


def name_pattern(analyte: str) -> re.Pattern[str]:
    """The regex of an analyte's names in free text (short ones only as 'K', 'HR', 'Cr')."""
    return _PATTERNS[analyte]


def analyte_named(text: str) -> Analyte | None:
    """The analyte whose name `text` is (a header, a FHIR code text), ignoring a unit in
    brackets; None when it names none or several.

    >>> analyte_named("Creatinine (mg/dL)").name, analyte_named("K+").name
    ('creatinine', 'potassium')
    >>> analyte_named("urine output") is None
    True
    """
    plain = re.sub(r"[(\[].*?[)\]]", " ", text).strip().lower()
    hits = [a for a in ANALYTES.values() if plain in a.names]
    return hits[0] if len(hits) == 1 else None


def analytes_mentioned(text: str) -> list[tuple[Analyte, int]]:
    """Analytes named in free text (a question) with the offset of the first mention, in order.

    >>> [a.name for a, _ in analytes_mentioned("Was the highest K above 5 after the creatinine?")]
    ['potassium', 'creatinine']
    """
    found = []
    for a in ANALYTES.values():
        m = _PATTERNS[a.name].search(text)
        if m:
            found.append((a, m.start()))
    return sorted(found, key=lambda x: x[1])


def analyte_for_loinc(code: str) -> Analyte | None:
    """The analyte with this LOINC code, if known.

    >>> analyte_for_loinc("2160-0").name
    'creatinine'
    """
    return _BY_LOINC.get(code)


def canonical_unit(unit: str, where: str) -> str:
    """The `tools.units` spelling of a written unit.

    Raises:
        InputError: an unknown unit, naming `where`.
    """
    try:
        return normalize_unit(unit)
    except InputError:
        raise InputError(f"{where}: unknown unit {unit!r}") from None
