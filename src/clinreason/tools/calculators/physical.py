"""Physical calculators: blood pressure, body size, QTc corrections, maintenance fluids."""

from __future__ import annotations

import math

from clinreason.tools.calculators._common import (
    BMI,
    DBP,
    HEIGHT,
    HR,
    QT,
    SBP,
    SEX,
    WEIGHT,
    Ctx,
    FormulaCalculator,
    fmt,
)


def _map(c: Ctx) -> float:
    sbp, dbp = c.num(SBP.name), c.num(DBP.name)
    c.step("MAP = 2/3 x DBP + 1/3 x SBP")
    value = 2 * dbp / 3 + sbp / 3
    c.step(f"MAP = 2/3 x {fmt(dbp)} + 1/3 x {fmt(sbp)} = {fmt(value)} mmHg")
    return value


def _bmi(c: Ctx) -> float:
    w, h = c.num("weight"), c.num("height")
    m = h / 100
    c.step("BMI = weight (kg) / height (m)^2")
    value = w / (m * m)
    c.step(f"BMI = {fmt(w)} / {fmt(m)}^2 = {fmt(value)} kg/m^2")
    return value


def ibw_kg(c: Ctx) -> float:
    """Devine ideal body weight from the context's height and sex (shared with ABW, CrCl)."""
    h_cm = c.num("height")
    sex = c.choice("sex")
    inches = h_cm / 2.54
    base = 50.0 if sex == "Male" else 45.5
    c.step(f"height = {fmt(h_cm)} cm = {fmt(inches)} in")
    c.step(f"IBW (Devine) = {fmt(base)} kg ({sex}) + 2.3 kg x (height in inches - 60)")
    ibw = base + 2.3 * (inches - 60)
    c.step(f"IBW = {fmt(base)} + 2.3 x ({fmt(inches)} - 60) = {fmt(ibw)} kg")
    return ibw


def _abw(c: Ctx) -> float:
    ibw = ibw_kg(c)
    w = c.num("weight")
    c.step("ABW = IBW + 0.4 x (actual weight - IBW)")
    value = ibw + 0.4 * (w - ibw)
    c.step(f"ABW = {fmt(ibw)} + 0.4 x ({fmt(w)} - {fmt(ibw)}) = {fmt(value)} kg")
    return value


def _maintenance(c: Ctx) -> float:
    w = c.num("weight")
    c.step(
        "Holliday-Segar 4-2-1 rule: 4 mL/kg/h for the first 10 kg, 2 mL/kg/h for the "
        "next 10 kg, 1 mL/kg/h above 20 kg"
    )
    if w < 10:
        value = 4 * w
        c.step(f"weight < 10 kg: 4 x {fmt(w)} = {fmt(value)} mL/h")
    elif w <= 20:
        value = 40 + 2 * (w - 10)
        c.step(f"10-20 kg: 40 + 2 x ({fmt(w)} - 10) = {fmt(value)} mL/h")
    else:
        value = 60 + (w - 20)
        c.step(f"weight > 20 kg: 60 + 1 x ({fmt(w)} - 20) = {fmt(value)} mL/h")
    return value


def _bsa(c: Ctx) -> float:
    w, h = c.num("weight"), c.num("height")
    c.step("BSA (Mosteller) = sqrt(height (cm) x weight (kg) / 3600)")
    value = math.sqrt(h * w / 3600)
    c.step(f"BSA = sqrt({fmt(h)} x {fmt(w)} / 3600) = {fmt(value)} m^2")
    return value


def _target_weight(c: Ctx) -> float:
    bmi = c.num(BMI.name)
    h = c.num("height") / 100
    c.step("target weight = target BMI x height (m)^2")
    value = bmi * h * h
    c.step(f"target weight = {fmt(bmi)} x {fmt(h)}^2 = {fmt(value)} kg")
    return value


def _rr(c: Ctx) -> tuple[float, float, float]:
    hr = c.num(HR.name)
    qt = c.num(QT.name)
    if hr <= 0:
        from clinreason.errors import InputError

        raise InputError("QTc: heart rate must be positive")
    rr = 60 / hr
    c.step(f"RR interval = 60 / heart rate = 60 / {fmt(hr)} = {fmt(rr)} s")
    return hr, qt, rr


def _bazett(c: Ctx) -> float:
    _, qt, rr = _rr(c)
    c.step("QTc (Bazett) = QT / sqrt(RR)")
    value = qt / math.sqrt(rr)
    c.step(f"QTc = {fmt(qt)} / sqrt({fmt(rr)}) = {fmt(value)} ms")
    return value


def _fridericia(c: Ctx) -> float:
    _, qt, rr = _rr(c)
    c.step("QTc (Fridericia) = QT / RR^(1/3)")
    value = float(qt / rr ** (1 / 3))
    c.step(f"QTc = {fmt(qt)} / {fmt(rr)}^(1/3) = {fmt(value)} ms")
    return value


def _framingham_qt(c: Ctx) -> float:
    _, qt, rr = _rr(c)
    c.step("QTc (Framingham) = QT + 154 x (1 - RR)")
    value = qt + 154 * (1 - rr)
    c.step(f"QTc = {fmt(qt)} + 154 x (1 - {fmt(rr)}) = {fmt(value)} ms")
    return value


def _hodges(c: Ctx) -> float:
    hr, qt, _ = _rr(c)
    c.step("QTc (Hodges) = QT + 1.75 x (heart rate - 60)")
    value = qt + 1.75 * (hr - 60)
    c.step(f"QTc = {fmt(qt)} + 1.75 x ({fmt(hr)} - 60) = {fmt(value)} ms")
    return value


def _rautaharju(c: Ctx) -> float:
    hr, qt, _ = _rr(c)
    c.step("QTc (Rautaharju) = QT x (120 + heart rate) / 180")
    value = qt * (120 + hr) / 180
    c.step(f"QTc = {fmt(qt)} x (120 + {fmt(hr)}) / 180 = {fmt(value)} ms")
    return value


_QT_PARAMS = (HR, QT)

CALCULATORS = (
    FormulaCalculator(
        5,
        "mean_arterial_pressure",
        "Mean Arterial Pressure (MAP)",
        ("mean arterial pressure", "MAP", "mean blood pressure"),
        "physical",
        "decimal",
        (SBP, DBP),
        "Sesso HD et al. Hypertension 2000;36:801-7 (MAP = DBP + 1/3 pulse pressure)",
        _map,
        "mmHg",
    ),
    FormulaCalculator(
        6,
        "bmi",
        "Body Mass Index (BMI)",
        ("body mass index", "BMI", "body mass mass index", "quetelet index"),
        "physical",
        "decimal",
        (WEIGHT, HEIGHT),
        "WHO. Obesity: preventing and managing the global epidemic. 2000",
        _bmi,
        "kg/m^2",
    ),
    FormulaCalculator(
        10,
        "ideal_body_weight",
        "Ideal Body Weight",
        ("ideal body weight", "IBW", "Devine formula", "ideal body weight formula"),
        "physical",
        "decimal",
        (HEIGHT, SEX),
        "Devine BJ. Drug Intell Clin Pharm 1974;8:650-5",
        ibw_kg,
        "kg",
    ),
    FormulaCalculator(
        11,
        "qtc_bazett",
        "QTc Bazett Calculator",
        ("QTc Bazett", "Bazett formula", "Bazett", "corrected QT Bazett"),
        "physical",
        "decimal",
        _QT_PARAMS,
        "Bazett HC. Heart 1920;7:353-70",
        _bazett,
        "ms",
    ),
    FormulaCalculator(
        22,
        "maintenance_fluids",
        "Maintenance Fluids Calculations",
        (
            "maintenance fluids",
            "maintenance fluid",
            "Holliday-Segar",
            "4-2-1 rule",
            "maintenance IV fluids",
        ),
        "physical",
        "decimal",
        (WEIGHT,),
        "Holliday MA, Segar WE. Pediatrics 1957;19:823-32",
        _maintenance,
        "mL/h",
    ),
    FormulaCalculator(
        56,
        "qtc_fridericia",
        "QTc Fridericia Calculator",
        ("QTc Fridericia", "Fridericia formula", "Fridericia", "Fredericia", "Fredericia formula"),
        "physical",
        "decimal",
        _QT_PARAMS,
        "Fridericia LS. Acta Med Scand 1920;53:469-86",
        _fridericia,
        "ms",
    ),
    FormulaCalculator(
        57,
        "qtc_framingham",
        "QTc Framingham Calculator",
        ("QTc Framingham", "Framingham formula for corrected QT"),
        "physical",
        "decimal",
        _QT_PARAMS,
        "Sagie A et al. Am J Cardiol 1992;70:797-801",
        _framingham_qt,
        "ms",
    ),
    FormulaCalculator(
        58,
        "qtc_hodges",
        "QTc Hodges Calculator",
        ("QTc Hodges", "Hodges formula", "Hodges"),
        "physical",
        "decimal",
        _QT_PARAMS,
        "Hodges M et al. J Am Coll Cardiol 1983;1:694",
        _hodges,
        "ms",
    ),
    FormulaCalculator(
        59,
        "qtc_rautaharju",
        "QTc Rautaharju Calculator",
        ("QTc Rautaharju", "Rautaharju formula", "Rautaharju"),
        "physical",
        "decimal",
        _QT_PARAMS,
        "Rautaharju PM et al. J Electrocardiol 2014;47:914-21 (QTc = QT x (120 + HR) / 180)",
        _rautaharju,
        "ms",
    ),
    FormulaCalculator(
        60,
        "body_surface_area",
        "Body Surface Area Calculator",
        ("body surface area", "BSA", "Mosteller formula", "Mosteller"),
        "physical",
        "decimal",
        (WEIGHT, HEIGHT),
        "Mosteller RD. N Engl J Med 1987;317:1098",
        _bsa,
        "m^2",
    ),
    FormulaCalculator(
        61,
        "target_weight",
        "Target weight",
        ("target weight", "target body weight", "weight for target BMI", "target BMI"),
        "physical",
        "decimal",
        (BMI, HEIGHT),
        "Definition of BMI (weight = BMI x height^2)",
        _target_weight,
        "kg",
    ),
    FormulaCalculator(
        62,
        "adjusted_body_weight",
        "Adjusted Body Weight",
        ("adjusted body weight", "ABW", "AjBW", "adjBW"),
        "physical",
        "decimal",
        (WEIGHT, HEIGHT, SEX),
        "Bauer LA. Applied Clinical Pharmacokinetics (ABW = IBW + 0.4 x (TBW - IBW)); "
        "IBW by Devine 1974",
        _abw,
        "kg",
    ),
)
