"""Severity scores: Child-Pugh, Centor (McIsaac), Glasgow Coma Scale, Pneumonia Severity Index."""

from __future__ import annotations

from collections.abc import Callable

from clinreason.errors import InputError
from clinreason.tools.calculators._common import (
    AGE,
    ALBUMIN,
    BUN,
    GLUCOSE,
    HR,
    RR,
    SBP,
    SEX,
    SODIUM,
    TEMP,
    Ctx,
    FormulaCalculator,
    choice,
    flag,
    fmt,
    measure,
    number,
    optional,
)

# -- Child-Pugh --

_ASCITES = ("Absent", "Slight", "Moderate")
_ENCEPH = ("No Encephalopathy", "Grade 1-2", "Grade 3-4")


def _grade(c: Ctx, name: str, options: tuple[str, ...], extra: dict[str, int]) -> float:
    value = c.choice(name)
    if value in (None, False):
        idx = 0
    elif value is True:
        raise InputError(f"{name}: give a grade, one of {list(options)}")
    else:
        idx = options.index(value) if value in options else extra[str(value).lower()]
    return c.points(name, idx + 1, options[idx])


def _child_pugh(c: Ctx) -> float:
    bili = c.num("Bilirubin")
    total = c.points(
        "Bilirubin (< 2 / 2-3 / > 3 mg/dL: 1/2/3)",
        1 if bili < 2 else 2 if bili <= 3 else 3,
        f"{fmt(bili)} mg/dL",
    )
    alb = c.num("Albumin")
    total += c.points(
        "Albumin (> 3.5 / 2.8-3.5 / < 2.8 g/dL: 1/2/3)",
        1 if alb > 3.5 else 2 if alb >= 2.8 else 3,
        f"{fmt(alb)} g/dL",
    )
    inr = c.num("international normalized ratio")
    total += c.points(
        "INR (< 1.7 / 1.7-2.3 / > 2.3: 1/2/3)", 1 if inr < 1.7 else 2 if inr <= 2.3 else 3, fmt(inr)
    )
    total += _grade(
        c,
        "Ascites",
        _ASCITES,
        {"none": 0, "mild": 1, "severe": 2, "moderate-severe": 2, "moderate to severe": 2},
    )
    total += _grade(
        c,
        "Encephalopathy",
        _ENCEPH,
        {
            "none": 0,
            "grade 0": 0,
            "minimal": 1,
            "grade 1": 1,
            "grade 2": 1,
            "grade 3": 2,
            "grade 4": 2,
        },
    )
    return total


# -- Centor / McIsaac --


def _centor(c: Ctx) -> float:
    age = c.num("age")
    p = 1 if 3 <= age <= 14 else -1 if age >= 45 else 0
    total = c.points("Age (3-14: +1, 15-44: 0, >= 45: -1)", p, f"{fmt(age)} years")
    total += c.item("Exudate or swelling on tonsils", 1)
    total += c.item("Tender/swollen anterior cervical lymph nodes", 1)
    t = c.opt("Temperature")
    if t is None:
        total += c.points("Temperature > 38 °C", 0, "not given -> assumed normal")
    else:
        total += c.points("Temperature > 38 °C", 1 if t > 38 else 0, f"{fmt(t)} °C")
    total += c.item("Cough Absent", 1, "Cough absent")
    return total


# -- Glasgow Coma Scale --

_EYE = {
    "eyes open spontaneously": 4,
    "eye opening to verbal command": 3,
    "eye opening to pain": 2,
    "no eye opening": 1,
}
_VERBAL = {
    "oriented": 5,
    "confused": 4,
    "inappropriate words": 3,
    "incomprehensible sounds": 2,
    "no verbal response": 1,
}
_MOTOR = {
    "obeys commands": 6,
    "localizes pain": 5,
    "withdrawal from pain": 4,
    "flexion to pain": 3,
    "extension to pain": 2,
    "no motor response": 1,
}
_NT = "not testable"


def _gcs_part(c: Ctx, name: str, table: dict[str, int], label: str) -> float:
    value = c.choice(name)
    if value == _NT:
        best = max(table.values())
        c.assume(f"{name} not testable: scored as normal ({best}), the benchmark's convention")
        return c.points(label, best, _NT)
    if not isinstance(value, str):
        raise InputError(f"{name}: expected one of {list(table)}, got {value!r}")
    return c.points(label, table[value], value)


def _gcs(c: Ctx) -> float:
    c.step("GCS = eye (1-4) + verbal (1-5) + motor (1-6)")
    total = _gcs_part(c, "Best eye response", _EYE, "Eye")
    total += _gcs_part(c, "Best verbal response", _VERBAL, "Verbal")
    total += _gcs_part(c, "Best motor response", _MOTOR, "Motor")
    return total


# -- PSI / PORT --

PAO2 = measure(
    "Partial pressure of oxygen (PaO₂) for Apache II",
    "mmHg",
    (5, 800),
    required=False,
    aliases=("PaO2", "Partial pressure of oxygen"),
)
HCT = measure("Hematocrit", "%", (5, 80), required=False)
PH = number("pH", (6.5, 8.0), required=False)

_PSI_HISTORY = (
    ("Nursing home resident", 10),
    ("Neoplastic disease", 30),
    ("Liver disease severity", 20),
    ("Congestive Heart Faliure", 10),
    ("Cerebrovascular disease history", 10),
    ("Renal disease", 10),
    ("Altered mental status", 20),
    ("Pleural effusion on x-ray", 10),
)

_PSI_ALIASES = {
    "Congestive Heart Faliure": ("Congestive Heart Failure",),
    "Renal disease": ("Renal disease history",),
}


def _lab_item(
    c: Ctx, name: str, label: str, test: Callable[[float], bool], pts: int, unit: str
) -> float:
    value = c.opt(name)
    if value is None:
        return c.points(label, 0, "not given -> assumed normal")
    return c.points(label, pts if test(value) else 0, f"{fmt(value)} {unit}".strip())


def _psi(c: Ctx) -> float:
    age, sex = c.num("age"), c.choice("sex")
    total = c.points(
        "Age (years; women -10)", age - 10 if sex == "Female" else age, f"{fmt(age)} years, {sex}"
    )
    for name, pts in _PSI_HISTORY:
        present = c.choice(name) not in (None, False)
        total += c.points(name, pts if present else 0, "yes" if present else "no")
    total += _lab_item(c, RR.name, "Respiratory rate >= 30", lambda v: v >= 30, 20, "/min")
    total += _lab_item(c, SBP.name, "Systolic BP < 90", lambda v: v < 90, 20, "mmHg")
    total += _lab_item(
        c, TEMP.name, "Temperature < 35 or >= 40 °C", lambda v: v < 35 or v >= 40, 15, "°C"
    )
    total += _lab_item(c, HR.name, "Pulse >= 125", lambda v: v >= 125, 10, "/min")
    total += _lab_item(c, "pH", "Arterial pH < 7.35", lambda v: v < 7.35, 30, "")
    total += _lab_item(c, BUN.name, "BUN >= 30 mg/dL", lambda v: v >= 30, 20, "mg/dL")
    total += _lab_item(c, "Sodium", "Sodium < 130", lambda v: v < 130, 20, "mmol/L")
    total += _lab_item(c, "Glucose", "Glucose >= 250 mg/dL", lambda v: v >= 250, 10, "mg/dL")
    total += _lab_item(c, "Hematocrit", "Hematocrit < 30 %", lambda v: v < 30, 10, "%")
    total += _lab_item(c, PAO2.name, "PaO2 < 60 mmHg", lambda v: v < 60, 10, "mmHg")
    return total


CALCULATORS = (
    FormulaCalculator(
        15,
        "child_pugh",
        "Child-Pugh Score for Cirrhosis Mortality",
        ("Child-Pugh", "Child Pugh", "Child-Turcotte-Pugh", "Child-Pugh score"),
        "severity",
        "integer",
        (
            measure("Bilirubin", "mg/dL", (0.05, 80), analyte="bilirubin"),
            ALBUMIN,
            number("international normalized ratio", (0.5, 20), aliases=("INR",)),
            choice(
                "Ascites",
                _ASCITES,
                default="Absent",
                description="ascites: absent, slight, moderate",
            ),
            choice(
                "Encephalopathy",
                _ENCEPH,
                default="No Encephalopathy",
                description="hepatic encephalopathy grade (West Haven)",
            ),
        ),
        "Pugh RN et al. Br J Surg 1973;60:646-9",
        _child_pugh,
    ),
    FormulaCalculator(
        20,
        "centor_mcisaac",
        "Centor Score (Modified/McIsaac) for Strep Pharyngitis",
        ("Centor score", "Centor", "McIsaac", "modified Centor"),
        "severity",
        "integer",
        (
            AGE,
            flag("Exudate or swelling on tonsils"),
            flag("Tender/swollen anterior cervical lymph nodes"),
            optional(TEMP),
            flag("Cough Absent"),
        ),
        "McIsaac WJ et al. CMAJ 1998;158:75-83",
        _centor,
    ),
    FormulaCalculator(
        21,
        "glasgow_coma_scale",
        "Glasgow Coma Score (GCS)",
        ("Glasgow Coma Score", "Glasgow Coma Scale", "GCS", "Glasgow coma"),
        "severity",
        "integer",
        (
            choice("Best eye response", (*_EYE, _NT), required=True),
            choice("Best verbal response", (*_VERBAL, _NT), required=True),
            choice("Best motor response", tuple(_MOTOR), required=True),
        ),
        "Teasdale G, Jennett B. Lancet 1974;2:81-4",
        _gcs,
        notes="Each component is counted once; v1.0 labels add the verbal response twice.",
    ),
    FormulaCalculator(
        29,
        "psi_port",
        "PSI Score: Pneumonia Severity Index for CAP",
        ("Pneumonia Severity Index", "PSI", "PORT score", "PSI/PORT"),
        "severity",
        "integer",
        (
            AGE,
            SEX,
            *(
                flag(n, aliases=_PSI_ALIASES.get(n, ()))
                for n, _ in _PSI_HISTORY
                if n != "Liver disease severity"
            ),
            choice(
                "Liver disease severity",
                ("Mild", "Moderate to Severe"),
                aliases=("Liver disease history",),
            ),
            optional(RR),
            optional(SBP),
            optional(TEMP),
            optional(HR),
            PH,
            optional(BUN),
            optional(SODIUM),
            optional(GLUCOSE),
            HCT,
            PAO2,
        ),
        "Fine MJ et al. N Engl J Med 1997;336:243-50",
        _psi,
        notes="The package crashes on sodium given in mEq/L (no valence passed).",
    ),
)
