"""Kidney and water calculators: Cockcroft-Gault, CKD-EPI 2021, MDRD, FENa, free water deficit."""

from __future__ import annotations

from clinreason.tools.calculators._common import (
    AGE,
    CREATININE,
    HEIGHT,
    SEX,
    SODIUM,
    WEIGHT,
    Ctx,
    FormulaCalculator,
    choice,
    fmt,
    measure,
    optional,
)
from clinreason.tools.calculators.physical import ibw_kg

# -- kidney --


def _cockcroft_gault(c: Ctx) -> float:
    age, scr = c.num("age"), c.num("creatinine")
    w = c.num("weight")
    sex = c.choice("sex")
    if c.has("height"):
        h = c.num("height") / 100
        bmi = w / (h * h)
        c.step(f"BMI = {fmt(w)} / {fmt(h)}^2 = {fmt(bmi)} kg/m^2")
        if bmi < 18.5:
            used = w
            c.step("BMI < 18.5 (underweight): use actual body weight")
        elif bmi < 25:
            ibw = ibw_kg(c)
            used = min(ibw, w)
            c.step(f"BMI 18.5-24.9 (normal): use min(IBW, actual weight) = {fmt(used)} kg")
        else:
            ibw = ibw_kg(c)
            used = ibw + 0.4 * (w - ibw)
            c.step(
                f"BMI >= 25 (overweight/obese): adjusted body weight = IBW + 0.4 x (weight - IBW)"
                f" = {fmt(ibw)} + 0.4 x ({fmt(w)} - {fmt(ibw)}) = {fmt(used)} kg"
            )
    else:
        used = w
        c.assume("height not given, so BMI cannot be judged: actual body weight used")
    factor = 0.85 if sex == "Female" else 1.0
    c.step("CrCl = (140 - age) x weight x (0.85 if female) / (72 x serum creatinine)")
    value = (140 - age) * used * factor / (72 * scr)
    c.step(
        f"CrCl = (140 - {fmt(age)}) x {fmt(used)} x {fmt(factor)} / (72 x {fmt(scr)})"
        f" = {fmt(value)} mL/min"
    )
    return value


def _ckd_epi(c: Ctx) -> float:
    age, scr, sex = c.num("age"), c.num("creatinine"), c.choice("sex")
    kappa, alpha, sex_factor = (0.7, -0.241, 1.012) if sex == "Female" else (0.9, -0.302, 1.0)
    c.step(
        "eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 (if female); "
        f"k = {kappa}, a = {alpha} for {str(sex).lower()}s"
    )
    ratio = scr / kappa
    value = float(142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.2 * 0.9938**age * sex_factor)
    c.step(
        f"eGFR = 142 x min({fmt(ratio)}, 1)^{alpha} x max({fmt(ratio)}, 1)^-1.2 x 0.9938^{fmt(age)}"
        f" x {sex_factor} = {fmt(value)} mL/min/1.73 m^2"
    )
    return value


def _mdrd(c: Ctx) -> float:
    age, scr, sex = c.num("age"), c.num("creatinine"), c.choice("sex")
    race = c.choice("Race")
    black = isinstance(race, str) and race.lower().startswith("black")
    sex_factor = 0.742 if sex == "Female" else 1.0
    race_factor = 1.212 if black else 1.0
    c.step("GFR = 175 x Scr^-1.154 x age^-0.203 x 0.742 (if female) x 1.212 (if Black)")
    value = float(175 * scr**-1.154 * age**-0.203 * sex_factor * race_factor)
    c.step(
        f"GFR = 175 x {fmt(scr)}^-1.154 x {fmt(age)}^-0.203 x {sex_factor} x {race_factor}"
        f" = {fmt(value)} mL/min/1.73 m^2"
    )
    return value


def _fena(c: Ctx) -> float:
    na, scr = c.num("Sodium"), c.num("creatinine")
    una, ucr = c.num("Urine sodium"), c.num("Urine creatinine")
    c.step("FENa = (urine Na x serum creatinine) / (serum Na x urine creatinine) x 100")
    value = una * scr / (na * ucr) * 100
    c.step(f"FENa = ({fmt(una)} x {fmt(scr)}) / ({fmt(na)} x {fmt(ucr)}) x 100 = {fmt(value)} %")
    return value


def _free_water(c: Ctx) -> float:
    age, sex, w, na = c.num("age"), c.choice("sex"), c.num("weight"), c.num("Sodium")
    if age < 18:
        frac, who = 0.6, "child"
    elif age < 65:
        frac, who = (0.6, "adult male") if sex == "Male" else (0.5, "adult female")
    else:
        frac, who = (0.5, "elderly male") if sex == "Male" else (0.45, "elderly female")
    c.step(f"total body water fraction for an {who}: {frac}")
    c.step("free water deficit = TBW fraction x weight x (Na / 140 - 1)")
    value = frac * w * (na / 140 - 1)
    c.step(f"FWD = {frac} x {fmt(w)} x ({fmt(na)} / 140 - 1) = {fmt(value)} L")
    return value


CALCULATORS = (
    FormulaCalculator(
        2,
        "creatinine_clearance_cockcroft_gault",
        "Creatinine Clearance (Cockcroft-Gault Equation)",
        (
            "creatinine clearance",
            "Cockcroft-Gault",
            "Cockcroft Gault equation",
            "Cockroft-Gault",
            "Cockroft Gault equation",
            "CrCl",
        ),
        "lab",
        "decimal",
        (AGE, WEIGHT, SEX, CREATININE, optional(HEIGHT)),
        "Cockcroft DW, Gault MH. Nephron 1976;16:31-41; weight per the question: actual if BMI < "
        "18.5, min(IBW, actual) if 18.5-24.9, adjusted (IBW + 0.4 x excess) if >= 25",
        _cockcroft_gault,
        "mL/min",
    ),
    FormulaCalculator(
        3,
        "egfr_ckd_epi_2021",
        "CKD-EPI Equations for Glomerular Filtration Rate",
        ("CKD-EPI", "CKD EPI", "2021 CKD-EPI", "CKD-EPI creatinine equation", "CKD-EPI 2021"),
        "lab",
        "decimal",
        (AGE, SEX, CREATININE),
        "Inker LA et al. N Engl J Med 2021;385:1737-49 (race-free CKD-EPI creatinine 2021)",
        _ckd_epi,
        "mL/min/1.73 m^2",
        notes="The package's explanation function uses kappa 0.7 for men with Scr <= 0.9; the "
        "published equation uses kappa 0.9 for men.",
    ),
    FormulaCalculator(
        9,
        "egfr_mdrd",
        "MDRD GFR Equation",
        ("MDRD", "MDRD GFR", "MDRD GFR equation", "modification of diet in renal disease"),
        "lab",
        "decimal",
        (
            AGE,
            SEX,
            CREATININE,
            choice(
                "Race",
                ("Black", "White", "Other"),
                default="Other",
                description="race (the equation has a Black coefficient)",
            ),
        ),
        "Levey AS et al. Ann Intern Med 2006;145:247-54 (IDMS-traceable 175 version)",
        _mdrd,
        "mL/min/1.73 m^2",
    ),
    FormulaCalculator(
        38,
        "free_water_deficit",
        "Free Water Deficit",
        ("free water deficit", "water deficit", "FWD"),
        "lab",
        "decimal",
        (AGE, SEX, WEIGHT, SODIUM),
        "Adrogue HJ, Madias NE. N Engl J Med 2000;342:1493-9 (TBW fractions 0.6/0.5/0.45)",
        _free_water,
        "L",
    ),
    FormulaCalculator(
        40,
        "fena",
        "Fractional Excretion of Sodium (FENa)",
        ("fractional excretion of sodium", "FENa", "FE Na"),
        "lab",
        "decimal",
        (
            SODIUM,
            CREATININE,
            measure("Urine sodium", "mmol/L", (0.5, 400), analyte="sodium"),
            measure("Urine creatinine", "mg/dL", (0.5, 1000), analyte="creatinine"),
        ),
        "Espinel CH. JAMA 1976;236:579-81",
        _fena,
        "%",
    ),
)
