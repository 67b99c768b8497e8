"""Laboratory calculators: FIB-4, MELD-Na, calcium and sodium corrections, osmolality, HOMA-IR,
LDL, Framingham hard CHD risk."""

from __future__ import annotations

import math

from clinreason.tools.calculators._common import (
    AGE,
    ALBUMIN,
    BUN,
    CREATININE,
    GLUCOSE,
    SBP,
    SEX,
    SODIUM,
    Ctx,
    FormulaCalculator,
    flag,
    fmt,
    measure,
    number,
)

# -- liver --


def _fib4(c: Ctx) -> float:
    age = c.num("age")
    ast, alt = c.num("Aspartate aminotransferase"), c.num("Alanine aminotransferase")
    plt = c.num("Platelet count") / 1000
    c.step(f"platelets = {fmt(plt)} x 10^9/L")
    c.step("FIB-4 = age x AST / (platelets (10^9/L) x sqrt(ALT))")
    value = age * ast / (plt * math.sqrt(alt))
    c.step(f"FIB-4 = {fmt(age)} x {fmt(ast)} / ({fmt(plt)} x sqrt({fmt(alt)})) = {fmt(value)}")
    return value


def _meld_na(c: Ctx) -> float:
    scr, bili = c.num("creatinine"), c.num("Bilirubin")
    inr, na = c.num("international normalized ratio"), c.num("Sodium")
    dialysis = c.flag("Dialysis at least twice in the past week")
    cvvhd = c.flag("Continuous veno-venous hemodialysis for ≥24 hours in the past week")
    if dialysis or cvvhd:
        scr = 4.0
        c.step("dialysis >= 2x or CVVHD >= 24 h in the past week: creatinine set to 4.0 mg/dL")
    scr_b, bili_b, inr_b = min(max(scr, 1.0), 4.0), max(bili, 1.0), max(inr, 1.0)
    na_b = min(max(na, 125.0), 137.0)
    c.step(
        f"bounded values: creatinine {fmt(scr_b)} (1.0-4.0), bilirubin {fmt(bili_b)} (>= 1.0), "
        f"INR {fmt(inr_b)} (>= 1.0), sodium {fmt(na_b)} (125-137)"
    )
    c.step("MELD(i) = 0.957 x ln(Cr) + 0.378 x ln(bilirubin) + 1.120 x ln(INR) + 0.643")
    raw = 0.957 * math.log(scr_b) + 0.378 * math.log(bili_b) + 1.120 * math.log(inr_b) + 0.643
    meld = round(raw * 10, 1)
    c.step(f"MELD(i) = {fmt(raw)}; x 10 and rounded to the tenth = {fmt(meld)}")
    if meld > 11:
        c.step("MELD(i) > 11: MELD = MELD(i) + 1.32 x (137 - Na) - 0.033 x MELD(i) x (137 - Na)")
        meld = meld + 1.32 * (137 - na_b) - 0.033 * meld * (137 - na_b)
        c.step(f"MELD = {fmt(meld)}")
    value = float(min(round(meld), 40))
    c.step(f"rounded to the nearest whole number (maximum 40): {fmt(value)}")
    return value


# -- electrolytes, glucose, lipids ------------------------------------------------------------


def _calcium(c: Ctx) -> float:
    ca, alb = c.num("Calcium"), c.num("Albumin")
    c.step("corrected Ca = measured Ca + 0.8 x (4 - albumin (g/dL))")
    value = ca + 0.8 * (4 - alb)
    c.step(f"corrected Ca = {fmt(ca)} + 0.8 x (4 - {fmt(alb)}) = {fmt(value)} mg/dL")
    return value


def _sodium_correction(c: Ctx) -> float:
    na, glu = c.num("Sodium"), c.num("Glucose")
    c.step("corrected Na = measured Na + 0.024 x (glucose (mg/dL) - 100)  (Hillier 1999)")
    value = na + 0.024 * (glu - 100)
    c.step(f"corrected Na = {fmt(na)} + 0.024 x ({fmt(glu)} - 100) = {fmt(value)} mmol/L")
    return value


def _osmolality(c: Ctx) -> float:
    na, bun, glu = c.num("Sodium"), c.num(BUN.name), c.num("Glucose")
    c.step("serum osmolality = 2 x Na + BUN (mg/dL) / 2.8 + glucose (mg/dL) / 18")
    value = 2 * na + bun / 2.8 + glu / 18
    c.step(f"= 2 x {fmt(na)} + {fmt(bun)} / 2.8 + {fmt(glu)} / 18 = {fmt(value)} mOsm/kg")
    return value


def _homa(c: Ctx) -> float:
    ins, glu = c.num("Insulin"), c.num("Glucose")
    c.step("HOMA-IR = fasting insulin (µIU/mL) x fasting glucose (mg/dL) / 405")
    value = ins * glu / 405
    c.step(f"HOMA-IR = {fmt(ins)} x {fmt(glu)} / 405 = {fmt(value)}")
    return value


def _ldl(c: Ctx) -> float:
    tc = c.num("Total cholesterol")
    hdl = c.num("high-density lipoprotein cholesterol")
    tg = c.num("Triglycerides")
    if tg > 400:
        c.assume("triglycerides > 400 mg/dL: the Friedewald estimate is unreliable")
    c.step("LDL = total cholesterol - HDL - triglycerides / 5  (Friedewald, mg/dL)")
    value = tc - hdl - tg / 5
    c.step(f"LDL = {fmt(tc)} - {fmt(hdl)} - {fmt(tg)} / 5 = {fmt(value)} mg/dL")
    return value


def _framingham(c: Ctx) -> float:
    age, sex = c.num("age"), c.choice("sex")
    tc = c.num("Total cholesterol")
    hdl = c.num("high-density lipoprotein cholesterol")
    sbp = c.num(SBP.name)
    treated = c.flag("Blood pressure being treated with medicines")
    smoker = c.flag("Smoker")
    if not 30 <= age <= 79:
        c.assume(f"age {fmt(age)} is outside the validated range 30-79 years")
    la, ltc, lhdl, lsbp = math.log(age), math.log(tc), math.log(hdl), math.log(sbp)
    s, t = float(smoker), float(treated)
    if sex == "Male":
        la_smoke = math.log(min(age, 70))
        c.step(
            "L = 52.00961 ln(age) + 20.014077 ln(TC) - 0.905964 ln(HDL) + 1.305784 ln(SBP) "
            "+ 0.241549 BPtreated + 12.096316 smoker - 4.605038 ln(age) ln(TC) "
            "- 2.84367 ln(min(age, 70)) smoker - 2.93323 ln(age)^2 - 172.300168; "
            "risk = 1 - 0.9402^exp(L)  (TC, HDL in mg/dL)"
        )
        score = (
            52.00961 * la
            + 20.014077 * ltc
            - 0.905964 * lhdl
            + 1.305784 * lsbp
            + 0.241549 * t
            + 12.096316 * s
            - 4.605038 * la * ltc
            - 2.84367 * la_smoke * s
            - 2.93323 * la * la
            - 172.300168
        )
        risk = 1 - 0.9402 ** math.exp(score)
    else:
        la_smoke = math.log(min(age, 78))
        c.step(
            "L = 31.764001 ln(age) + 22.465206 ln(TC) - 1.187731 ln(HDL) + 2.552905 ln(SBP) "
            "+ 0.420251 BPtreated + 13.07543 smoker - 5.060998 ln(age) ln(TC) "
            "- 2.996945 ln(min(age, 78)) smoker - 146.5933061; risk = 1 - 0.98767^exp(L)"
            "  (TC, HDL in mg/dL)"
        )
        score = (
            31.764001 * la
            + 22.465206 * ltc
            - 1.187731 * lhdl
            + 2.552905 * lsbp
            + 0.420251 * t
            + 13.07543 * s
            - 5.060998 * la * ltc
            - 2.996945 * la_smoke * s
            - 146.5933061
        )
        risk = 1 - 0.98767 ** math.exp(score)
    c.step(f"L = {fmt(score)}; 10-year risk = {fmt(risk)} = {fmt(risk * 100)} %")
    return float(risk * 100)


_MELD_DIALYSIS = "Dialysis at least twice in the past week"
_MELD_CVVHD = "Continuous veno-venous hemodialysis for ≥24 hours in the past week"

CALCULATORS = (
    FormulaCalculator(
        7,
        "calcium_correction",
        "Calcium Correction for Hypoalbuminemia",
        (
            "calcium correction",
            "corrected calcium",
            "calcium correction for hypoalbuminemia",
            "albumin corrected calcium",
        ),
        "lab",
        "decimal",
        (
            measure("Calcium", "mg/dL", (1, 25), analyte="calcium", description="serum calcium"),
            ALBUMIN,
        ),
        "Payne RB et al. Br Med J 1973;4:643-6 (Ca + 0.8 x (4 - albumin))",
        _calcium,
        "mg/dL",
    ),
    FormulaCalculator(
        19,
        "fib4",
        "Fibrosis-4 (FIB-4) Index for Liver Fibrosis",
        ("FIB-4", "FIB 4", "fibrosis-4", "fibrosis 4 index", "FIB-4 index"),
        "lab",
        "decimal",
        (
            AGE,
            measure("Aspartate aminotransferase", "U/L", (1, 50000)),
            measure("Alanine aminotransferase", "U/L", (1, 50000)),
            measure("Platelet count", "/µL", (1000, 3_000_000), analyte="platelets"),
        ),
        "Sterling RK et al. Hepatology 2006;43:1317-25",
        _fib4,
    ),
    FormulaCalculator(
        23,
        "meld_na",
        "MELD Na (UNOS/OPTN)",
        ("MELD Na", "MELD-Na", "MELDNa", "MELD sodium", "MELDA Na", "MELD"),
        "lab",
        "decimal",
        (
            CREATININE,
            measure("Bilirubin", "mg/dL", (0.05, 80), analyte="bilirubin"),
            number("international normalized ratio", (0.5, 20), aliases=("INR",)),
            SODIUM,
            flag(_MELD_DIALYSIS),
            flag(
                _MELD_CVVHD,
                aliases=("Continuous veno-venous hemodialysis for ≥4 hours in the past week",),
            ),
        ),
        "OPTN/UNOS policy 9.1 (2016) MELD-Na; Kim WR et al. N Engl J Med 2008;359:1018-26",
        _meld_na,
        notes="MELD(i) is multiplied by 10 and rounded to the tenth as OPTN specifies; v1.0 labels "
        "round MELD(i) to a whole number first.",
    ),
    FormulaCalculator(
        26,
        "sodium_correction_hyperglycemia",
        "Sodium Correction for Hyperglycemia",
        ("sodium correction", "corrected sodium", "sodium correction for hyperglycemia"),
        "lab",
        "decimal",
        (SODIUM, GLUCOSE),
        "Hillier TA et al. Am J Med 1999;106:399-403 (2.4 mEq/L per 100 mg/dL)",
        _sodium_correction,
        "mmol/L",
    ),
    FormulaCalculator(
        30,
        "serum_osmolality",
        "Serum Osmolality",
        ("serum osmolality", "calculated osmolality", "plasma osmolality", "osmolality"),
        "lab",
        "decimal",
        (SODIUM, BUN, GLUCOSE),
        "Dorwart WV, Chalmers L. Clin Chem 1975;21:190-4",
        _osmolality,
        "mOsm/kg",
    ),
    FormulaCalculator(
        31,
        "homa_ir",
        "HOMA-IR (Homeostatic Model Assessment for Insulin Resistance)",
        ("HOMA-IR", "HOMA IR", "homeostatic model assessment", "HOMA"),
        "lab",
        "decimal",
        (measure("Insulin", "µIU/mL", (0.1, 3000), analyte="insulin"), GLUCOSE),
        "Matthews DR et al. Diabetologia 1985;28:412-9",
        _homa,
    ),
    FormulaCalculator(
        44,
        "ldl_calculated",
        "LDL Calculated",
        (
            "LDL calculated",
            "calculated LDL",
            "LDL cholesterol",
            "LDL cholestrol",
            "LDL",
            "Friedewald",
        ),
        "lab",
        "decimal",
        (
            measure("Total cholesterol", "mg/dL", (20, 2000), analyte="cholesterol"),
            measure(
                "high-density lipoprotein cholesterol", "mg/dL", (1, 300), analyte="cholesterol"
            ),
            measure("Triglycerides", "mg/dL", (5, 20000), analyte="triglycerides"),
        ),
        "Friedewald WT et al. Clin Chem 1972;18:499-502",
        _ldl,
        "mg/dL",
    ),
    FormulaCalculator(
        46,
        "framingham_hard_chd",
        "Framingham Risk Score for Hard Coronary Heart Disease",
        (
            "Framingham risk score",
            "Framingham risk",
            "hard coronary heart disease",
            "Framingham hard CHD",
        ),
        "lab",
        "decimal",
        (
            AGE,
            SEX,
            measure("Total cholesterol", "mg/dL", (20, 2000), analyte="cholesterol"),
            measure(
                "high-density lipoprotein cholesterol", "mg/dL", (1, 300), analyte="cholesterol"
            ),
            SBP,
            flag("Blood pressure being treated with medicines"),
            flag("Smoker"),
        ),
        "NCEP ATP III (JAMA 2001;285:2486-97) Framingham hard CHD equations, as in MDCalc; "
        "cholesterol in mg/dL",
        _framingham,
        "%",
        notes="The package converts cholesterol to mmol/L before the logs, rounds the linear "
        "predictor and the risk to 0.1 and multiplies by 100 again; the equation is in mg/dL "
        "and returns a percentage.",
    ),
)
