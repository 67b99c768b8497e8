"""Intensive-care scores: APACHE II and SOFA."""

from __future__ import annotations

from collections.abc import Callable

from clinreason.tools.calculators._common import (
    AGE,
    CREATININE,
    DBP,
    HR,
    RR,
    SBP,
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
from clinreason.tools.calculators.severity import HCT, PAO2, PH

FIO2 = measure("FiO₂", "%", (0.21, 100), required=False, aliases=("FiO2",))
GCS = number("Glasgow Coma Score", (3, 15), required=False, aliases=("GCS",))
WBC = measure("White blood cell count", "/µL", (1, 1_000_000), analyte="wbc", required=False)
PLATELETS = measure("Platelet count", "/µL", (100, 3_000_000), analyte="platelets", required=False)


def _fio2(c: Ctx) -> float | None:
    """FiO2 in percent; a value <= 1 is read as a fraction."""
    f = c.opt(FIO2.name)
    if f is not None and f <= 1:
        c.assume(f"FiO2 {fmt(f)} read as a fraction = {fmt(f * 100)} %")
        f *= 100
    return f


def _map(c: Ctx) -> float | None:
    sbp, dbp = c.opt(SBP.name), c.opt(DBP.name)
    if sbp is None or dbp is None:
        return None
    value = (sbp + 2 * dbp) / 3
    c.step(f"MAP = (SBP + 2 x DBP) / 3 = ({fmt(sbp)} + 2 x {fmt(dbp)}) / 3 = {fmt(value)} mmHg")
    return value


def _band(value: float, bands: tuple[tuple[float, int], ...], below: int) -> int:
    """Points for the first band whose lower bound `value` reaches, else `below`."""
    for low, pts in bands:
        if value >= low:
            return pts
    return below


def _scored(
    c: Ctx, label: str, value: float | None, fn: Callable[[float], float], unit: str
) -> float:
    if value is None:
        return c.points(label, 0, "not given -> assumed normal")
    return c.points(label, fn(value), f"{fmt(value)} {unit}".strip())


# -- APACHE II --


def _temp_pts(t: float) -> int:
    if t >= 41:
        return 4
    if t >= 39:
        return 3
    if t >= 38.5:
        return 1
    if t >= 36:
        return 0
    return 1 if t >= 34 else 2 if t >= 32 else 3 if t >= 30 else 4


def _apache(c: Ctx) -> float:
    age = c.num("age")
    total = c.points(
        "Age (<= 44 / 45-54 / 55-64 / 65-74 / >= 75: 0/2/3/5/6)",
        _band(age, ((75, 6), (65, 5), (55, 3), (45, 2)), 0),
        f"{fmt(age)} years",
    )
    total += _scored(c, "Temperature", c.opt(TEMP.name), _temp_pts, "°C")
    total += _scored(
        c,
        "Mean arterial pressure",
        _map(c),
        lambda m: _band(m, ((160, 4), (130, 3), (110, 2), (70, 0), (50, 2)), 4),
        "mmHg",
    )
    total += _scored(
        c,
        "Heart rate",
        c.opt(HR.name),
        lambda v: _band(v, ((180, 4), (140, 3), (110, 2), (70, 0), (55, 2), (40, 3)), 4),
        "/min",
    )
    total += _scored(
        c,
        "Respiratory rate",
        c.opt(RR.name),
        lambda v: _band(v, ((50, 4), (35, 3), (25, 1), (12, 0), (10, 1), (6, 2)), 4),
        "/min",
    )
    fio2 = _fio2(c)
    if fio2 is not None and fio2 >= 50:
        aa = c.opt("A-a gradient")
        total += _scored(
            c,
            "FiO2 >= 50 %: A-a gradient",
            aa,
            lambda v: _band(v, ((500, 4), (350, 3), (200, 2)), 0),
            "mmHg",
        )
    else:
        total += _scored(
            c,
            "FiO2 < 50 %: PaO2",
            c.opt(PAO2.name),
            lambda v: _band(v, ((70.0001, 0), (61, 1), (55, 3)), 4),
            "mmHg",
        )
    total += _scored(
        c,
        "Arterial pH",
        c.opt("pH"),
        lambda v: _band(v, ((7.7, 4), (7.6, 3), (7.5, 1), (7.33, 0), (7.25, 2), (7.15, 3)), 4),
        "",
    )
    total += _scored(
        c,
        "Sodium",
        c.opt("Sodium"),
        lambda v: _band(
            v, ((180, 4), (160, 3), (155, 2), (150, 1), (130, 0), (120, 2), (111, 3)), 4
        ),
        "mmol/L",
    )
    total += _scored(
        c,
        "Potassium",
        c.opt("Potassium"),
        lambda v: _band(v, ((7, 4), (6, 3), (5.5, 1), (3.5, 0), (3, 1), (2.5, 2)), 4),
        "mmol/L",
    )
    arf = c.flag("Acute renal failure")
    c.flag("Chronic Renal Failure")
    scr = c.opt("creatinine")
    mult = 2 if arf else 1
    total += _scored(
        c,
        f"Creatinine{' (x2, acute renal failure)' if arf else ''}",
        scr,
        lambda v: mult * _band(v, ((3.5, 4), (2, 3), (1.5, 2), (0.6, 0)), 2),
        "mg/dL",
    )
    total += _scored(
        c,
        "Hematocrit",
        c.opt("Hematocrit"),
        lambda v: _band(v, ((60, 4), (50, 2), (46, 1), (30, 0), (20, 2)), 4),
        "%",
    )
    wbc = c.opt(WBC.name)
    total += _scored(
        c,
        "White cell count (x 10^3/µL)",
        None if wbc is None else wbc / 1000,
        lambda v: _band(v, ((40, 4), (20, 2), (15, 1), (3, 0), (1, 2)), 4),
        "x 10^3/µL",
    )
    gcs = c.opt("Glasgow Coma Score")
    total += _scored(c, "15 - GCS", gcs, lambda v: 15 - v, "GCS")
    if c.flag("History of severe organ failure or immunocompromise"):
        surgery = c.text("Surgery Type")
        text = str(surgery or "").lower()
        if "elective" in text and "non" not in text:
            pts, why = 2, "elective postoperative"
        else:
            pts, why = 5, "nonoperative or emergency postoperative"
            if surgery in (None, False):
                c.assume("surgery type not given: treated as nonoperative")
        total += c.points(
            "Chronic health (severe organ insufficiency / immunocompromise)", pts, why
        )
    else:
        total += c.points("Chronic health", 0, "no severe organ insufficiency or immunocompromise")
    return total


# -- SOFA --


def _sofa(c: Ctx) -> float:
    pao2, fio2 = c.opt(PAO2.name), _fio2(c)
    vent = c.flag("On mechanical ventilation") | c.flag("Continous positive airway pressure")
    if pao2 is None or fio2 is None:
        total = c.points("Respiration (PaO2/FiO2)", 0, "not given -> assumed normal")
    else:
        ratio = pao2 / (fio2 / 100)
        c.step(f"PaO2/FiO2 = {fmt(pao2)} / {fmt(fio2 / 100)} = {fmt(ratio)} mmHg")
        if ratio < 100 and vent:
            p = 4
        elif ratio < 200 and vent:
            p = 3
        else:
            p = 2 if ratio < 300 else 1 if ratio < 400 else 0
        total = c.points(
            "Respiration (< 400 / < 300 / < 200 + support / < 100 + support)",
            p,
            f"{fmt(ratio)}, {'on' if vent else 'no'} ventilatory support",
        )
    plt = c.opt(PLATELETS.name)
    total += _scored(
        c,
        "Platelets (x 10^3/µL)",
        None if plt is None else plt / 1000,
        lambda v: _band(v, ((150, 0), (100, 1), (50, 2), (20, 3)), 4),
        "x 10^3/µL",
    )
    gcs = c.opt("Glasgow Coma Score")
    total += _scored(c, "GCS", gcs, lambda v: _band(v, ((15, 0), (13, 1), (10, 2), (6, 3)), 4), "")
    total += _scored(
        c,
        "Bilirubin",
        c.opt("Bilirubin"),
        lambda v: _band(v, ((12, 4), (6, 3), (2, 2), (1.2, 1)), 0),
        "mg/dL",
    )
    dopa = c.opt("DOPamine") or 0.0
    dobu = c.opt("DOBUTamine") or 0.0
    epi = c.opt("EPINEPHrine") or 0.0
    norepi = c.opt("norEPINEPHrine") or 0.0
    if dopa > 15 or epi > 0.1 or norepi > 0.1:
        p, why = 4, "dopamine > 15 or epinephrine > 0.1 or norepinephrine > 0.1 µg/kg/min"
    elif dopa > 5 or epi > 0 or norepi > 0:
        p, why = 3, "dopamine > 5 or epinephrine <= 0.1 or norepinephrine <= 0.1 µg/kg/min"
    elif dopa > 0 or dobu > 0:
        p, why = 2, "dopamine <= 5 or any dobutamine"
    else:
        m = _map(c)
        hypo = c.flag("Hypotension")
        low = (m is not None and m < 70) or (m is None and hypo)
        p, why = (1, "MAP < 70 mmHg") if low else (0, "MAP >= 70 mmHg, no vasopressors")
    total += c.points("Cardiovascular", p, why)
    scr, uo = c.opt("creatinine"), c.opt("Urine Output")
    renal = 0
    if scr is not None:
        renal = _band(scr, ((5, 4), (3.5, 3), (2, 2), (1.2, 1)), 0)
    if uo is not None:
        renal = max(renal, 4 if uo < 200 else 3 if uo < 500 else 0)
    shown = (
        ", ".join(
            x
            for x in (
                f"creatinine {fmt(scr)} mg/dL" if scr is not None else "",
                f"urine output {fmt(uo)} mL/day" if uo is not None else "",
            )
            if x
        )
        or "not given -> assumed normal"
    )
    total += c.points("Renal (creatinine or urine output; the worse counts)", renal, shown)
    return total


_PRESSOR_UNIT = "µg/kg/min"

CALCULATORS = (
    FormulaCalculator(
        28,
        "apache_ii",
        "APACHE II Score",
        ("APACHE II", "APACHE 2", "APACHE-II", "acute physiology and chronic health evaluation"),
        "risk",
        "integer",
        (
            AGE,
            optional(TEMP),
            optional(SBP),
            optional(DBP),
            optional(HR),
            optional(RR),
            FIO2,
            number("A-a gradient", (0, 800), required=False),
            PAO2,
            PH,
            optional(SODIUM),
            measure("Potassium", "mmol/L", (0.5, 15), analyte="potassium", required=False),
            optional(CREATININE),
            flag("Acute renal failure"),
            flag("Chronic Renal Failure"),
            HCT,
            WBC,
            GCS,
            flag("History of severe organ failure or immunocompromise"),
            choice(
                "Surgery Type",
                ("Nonoperative", "Emergency postoperative", "Elective postoperative"),
                default="Nonoperative",
            ),
        ),
        "Knaus WA et al. Crit Care Med 1985;13:818-29",
        _apache,
        notes="GCS contributes 15 - GCS (the package adds GCS itself); temperatures in Celsius "
        "are not converted from Fahrenheit.",
    ),
    FormulaCalculator(
        43,
        "sofa",
        "Sequential Organ Failure Assessment (SOFA) Score",
        ("Sequential Organ Failure Assessment", "SOFA", "SOFA score"),
        "risk",
        "integer",
        (
            PAO2,
            FIO2,
            flag("On mechanical ventilation"),
            flag(
                "Continous positive airway pressure",
                aliases=("Continuous positive airway pressure",),
            ),
            PLATELETS,
            GCS,
            measure("Bilirubin", "mg/dL", (0.05, 80), analyte="bilirubin", required=False),
            *(
                measure(n, _PRESSOR_UNIT, (0, 100), required=False)
                for n in ("DOPamine", "DOBUTamine", "EPINEPHrine", "norEPINEPHrine")
            ),
            optional(SBP),
            optional(DBP),
            flag("Hypotension"),
            optional(CREATININE),
            measure("Urine Output", "mL/day", (0, 20000), required=False),
        ),
        "Vincent JL et al. Intensive Care Med 1996;22:707-10",
        _sofa,
        notes="PaO2/FiO2 uses FiO2 as a fraction; the package divides by FiO2 in percent.",
    ),
)
