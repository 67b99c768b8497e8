"""Other risk scores: Glasgow-Blatchford, Charlson, Caprini (2005), CURB-65."""

from __future__ import annotations

from clinreason.errors import InputError
from clinreason.tools.calculators._common import (
    AGE,
    BMI,
    BUN,
    DBP,
    HR,
    RR,
    SBP,
    SEX,
    Ctx,
    FormulaCalculator,
    choice,
    flag,
    fmt,
    measure,
    optional,
)

# -- Glasgow-Blatchford --


def _gbs(c: Ctx) -> float:
    bun = c.num(BUN.name)
    c.step(f"BUN {fmt(bun)} mg/dL = urea {fmt(bun / 2.8)} mmol/L")
    if bun >= 70:
        p = 6
    elif bun >= 28:
        p = 4
    elif bun >= 22.4:
        p = 3
    elif bun >= 18.2:
        p = 2
    else:
        p = 0
    total = c.points(
        "BUN (urea 6.5-8 / 8-10 / 10-25 / >= 25 mmol/L: 2/3/4/6)", p, f"{fmt(bun)} mg/dL"
    )
    hb, sex = c.num("Hemoglobin"), c.choice("sex")
    if sex == "Male":
        p = 6 if hb < 10 else 3 if hb < 12 else 1 if hb < 13 else 0
        rule = "men: 12-13 -> 1, 10-12 -> 3, < 10 -> 6"
    else:
        p = 6 if hb < 10 else 1 if hb < 12 else 0
        rule = "women: 10-12 -> 1, < 10 -> 6"
    total += c.points(f"Hemoglobin ({rule})", p, f"{fmt(hb)} g/dL")
    sbp = c.num(SBP.name)
    p = 3 if sbp < 90 else 2 if sbp < 100 else 1 if sbp < 110 else 0
    total += c.points("Systolic BP (100-109 / 90-99 / < 90: 1/2/3)", p, f"{fmt(sbp)} mmHg")
    hr = c.opt(HR.name)
    if hr is None:
        total += c.points("Pulse >= 100", 0, "not given -> assumed normal")
    else:
        total += c.points("Pulse >= 100", 1 if hr >= 100 else 0, f"{fmt(hr)} /min")
    total += c.item("Melena present", 1, "Melena")
    total += c.item("Recent syncope", 2, "Syncope")
    total += c.item("Hepatic disease history", 2, "Hepatic disease")
    total += c.item("Cardiac failure present", 2, "Cardiac failure")
    return total


# -- Charlson --

_CCI_FLAGS = (
    ("Myocardial infarction", 1),
    ("Congestive Heart Faliure", 1),
    ("Peripheral vascular disease", 1),
    ("Dementia", 1),
    ("Chronic Obstructive Pulmonary Disease", 1),
    ("Connective tissue disease", 1),
    ("Peptic ulcer disease", 1),
    ("Hemiplegia", 2),
    ("Leukemia", 2),
    ("Lymphoma", 2),
    ("AIDS", 6),
)
_LIVER = ("none", "Mild", "Moderate to Severe")
_DIABETES = ("None or diet-controlled", "Uncomplicated", "End-organ damage")
_TUMOR = ("none", "Localized", "Metastatic")
_CKD = ("none", "Moderate", "Severe")


def _graded(
    c: Ctx, name: str, options: tuple[str, ...], points: tuple[int, ...], yes: int
) -> float:
    value = c.choice(name)
    if value is None or value is False:
        idx = 0
    elif value is True:
        idx = yes
        c.assume(f"{name}: 'yes' read as '{options[idx]}'")
    else:
        idx = options.index(value)
    return c.points(name, points[idx], options[idx])


def _cci(c: Ctx) -> float:
    age = c.num("age")
    p = 4 if age >= 80 else 3 if age >= 70 else 2 if age >= 60 else 1 if age >= 50 else 0
    total = c.points("Age (50-59 / 60-69 / 70-79 / >= 80: 1/2/3/4)", p, f"{fmt(age)} years")
    for name, pts in _CCI_FLAGS[:3]:
        total += c.item(name, pts)
    cva = c.flag("Cerebrovascular Accident") | c.flag("Transient Ischemic Attacks History")
    total += c.points("Cerebrovascular accident or TIA", 1 if cva else 0, "yes" if cva else "no")
    for name, pts in _CCI_FLAGS[3:]:
        total += c.item(name, pts)
    total += _graded(c, "Liver disease severity", _LIVER, (0, 1, 3), 1)
    total += _graded(c, "Diabetes mellitus criteria for CCI rule", _DIABETES, (0, 1, 2), 1)
    total += _graded(c, "Moderate to severe Chronic Kidney Disease", _CKD, (0, 2, 2), 2)
    total += _graded(c, "Solid tumor", _TUMOR, (0, 2, 6), 1)
    return total


# -- Caprini 2005 --

_CAPRINI_FLAGS = (
    ("Major Surgery in the last month", 1),
    ("Congestive Heart Failure in the last month", 1),
    ("Sepsis in the last month", 1),
    ("Pneumonia in the last month", 1),
    ("Immobilizing plaster cast in the last month", 2),
    ("Hip, pelvis, or leg fracture in the last month", 5),
    ("Stroke in the last month", 5),
    ("Multiple trauma in the last month", 5),
    ("Acute spinal cord injury causing paralysis in the last month", 5),
    ("Varicose veins", 1),
    ("Current swollen legs", 1),
    ("Current central venous access", 2),
    ("Family history of thrombosis", 3),
    ("Positive Factor V Leiden", 3),
    ("Positive prothrombin 20210A", 3),
    ("Elevated serum homocysteine", 3),
    ("Positive lupus anticoagulant", 3),
    ("Elevated anticardiolipin antibody", 3),
    ("Heparin-induced thrombocytopenia", 3),
    ("Other congenital or acquired thrombophilia", 3),
    ("History of inflammatory bowel disease", 1),
    ("Acute Myocardial infarction", 1),
    ("Chronic Obstructive Pulmonary Disease", 1),
    ("Present or previous malignancy", 2),
)
_SURGERY = (
    ("None", 0),
    ("Minor", 1),
    ("Major >45 min", 2),
    ("Laparoscopic >45 min", 2),
    ("Arthroscopic", 2),
    ("Elective major lower extremity arthroplasty", 5),
)
_MOBILITY = (("Normal", 0), ("On bed rest", 1), ("Confined to bed >72 hours", 2))


def _surgery_points(value: str | bool | None) -> tuple[str, int]:
    if value in (None, False):
        return "none", 0
    text = str(value).strip().lower()
    if "arthroplasty" in text:
        return str(value), 5
    if "arthroscop" in text or "laparoscop" in text or "major" in text:
        return str(value), 2
    if "minor" in text:
        return str(value), 1
    if text in {"none", "nonoperative", "no surgery"}:
        return str(value), 0
    raise InputError(f"Surgery Type: {value!r} is not one of {[s for s, _ in _SURGERY]}")


def _caprini(c: Ctx) -> float:
    age = c.num("age")
    p = 3 if age >= 75 else 2 if age >= 61 else 1 if age >= 41 else 0
    total = c.points("Age (41-60 / 61-74 / >= 75: 1/2/3)", p, f"{fmt(age)} years")
    c.choice("sex")
    shown, p = _surgery_points(c.text("Surgery Type"))
    total += c.points("Type of surgery", p, shown)
    for name, pts in _CAPRINI_FLAGS:
        total += c.item(name, pts)
    prior = c.flag("Previously documented Deep Vein Thrombosis")
    prior |= c.flag("Previously Documented Pulmonary Embolism")
    total += c.points("History of DVT/PE", 3 if prior else 0, "yes" if prior else "no")
    mob = c.choice("Mobility")
    mob_pts = dict((m.lower(), p) for m, p in _MOBILITY)
    key = "normal" if mob in (None, False) else str(mob).lower()
    total += c.points("Mobility", mob_pts[key], key)
    bmi = c.opt(BMI.name)
    if bmi is None:
        total += c.points("BMI > 25", 0, "not given -> assumed <= 25")
    else:
        total += c.points("BMI > 25", 1 if bmi > 25 else 0, f"{fmt(bmi)} kg/m^2")
    return total


# -- CURB-65 --


def _curb65(c: Ctx) -> float:
    total = c.item("Confusion", 1)
    bun = c.opt(BUN.name)
    if bun is None:
        total += c.points("BUN > 19 mg/dL (urea > 7 mmol/L)", 0, "not given -> assumed normal")
    else:
        total += c.points(
            "BUN > 19 mg/dL (urea > 7 mmol/L)", 1 if bun > 19 else 0, f"{fmt(bun)} mg/dL"
        )
    rr = c.opt(RR.name)
    rr_hit = rr is not None and rr >= 30
    total += c.points(
        "Respiratory rate >= 30",
        1 if rr_hit else 0,
        "not given -> assumed normal" if rr is None else f"{fmt(rr)} /min",
    )
    sbp, dbp = c.opt(SBP.name), c.opt(DBP.name)
    low = (sbp is not None and sbp < 90) or (dbp is not None and dbp <= 60)
    total += c.points(
        "SBP < 90 or DBP <= 60 mmHg",
        1 if low else 0,
        f"{fmt(sbp) if sbp is not None else '?'}/{fmt(dbp) if dbp is not None else '?'}",
    )
    age = c.num("age")
    total += c.points("Age >= 65", 1 if age >= 65 else 0, f"{fmt(age)} years")
    return total


CALCULATORS = (
    FormulaCalculator(
        27,
        "glasgow_blatchford",
        "Glasgow-Blatchford Bleeding Score (GBS)",
        ("Glasgow-Blatchford", "Glasgow Blatchford bleeding score", "Blatchford score", "GBS"),
        "risk",
        "integer",
        (
            BUN,
            measure("Hemoglobin", "g/dL", (1, 25), analyte="hemoglobin"),
            SEX,
            SBP,
            optional(HR),
            flag("Melena present", aliases=("Melena Present",)),
            flag("Recent syncope", aliases=("Recent Syncope",)),
            flag("Hepatic disease history"),
            flag("Cardiac failure present", aliases=("Cardiac Failure Present",)),
        ),
        "Blatchford O et al. Lancet 2000;356:1318-21",
        _gbs,
    ),
    FormulaCalculator(
        32,
        "charlson_comorbidity_index",
        "Charlson Comorbidity Index (CCI)",
        ("Charlson Comorbidity Index", "Charlson index", "CCI", "Charlson score"),
        "risk",
        "integer",
        (
            AGE,
            *(
                flag(n, aliases=(("Congestive Heart Failure",) if "Faliure" in n else ()))
                for n, _ in _CCI_FLAGS
            ),
            flag("Cerebrovascular Accident"),
            flag("Transient Ischemic Attacks History"),
            choice(
                "Liver disease severity",
                _LIVER,
                default="none",
                description="mild: chronic hepatitis or cirrhosis without portal hypertension; "
                "moderate to severe: cirrhosis with portal hypertension",
            ),
            choice(
                "Diabetes mellitus criteria for CCI rule",
                _DIABETES,
                default=_DIABETES[0],
                aliases=("Diabetes mellitus",),
            ),
            choice(
                "Moderate to severe Chronic Kidney Disease",
                _CKD,
                default="none",
                description="creatinine > 3 mg/dL, dialysis, transplantation or uremia",
            ),
            choice(
                "Solid tumor",
                _TUMOR,
                default="none",
                description="solid tumour (not skin) within 5 years: localized or metastatic",
            ),
        ),
        "Charlson ME et al. J Chronic Dis 1987;40:373-83 (age-adjusted, as in MDCalc)",
        _cci,
    ),
    FormulaCalculator(
        36,
        "caprini_vte",
        "Caprini Score for Venous Thromboembolism (2005)",
        ("Caprini score", "Caprini", "Caprini risk assessment", "Caprini VTE"),
        "risk",
        "integer",
        (
            AGE,
            SEX,
            choice(
                "Surgery Type",
                tuple(s for s, _ in _SURGERY),
                default="None",
                description="type of the current or planned surgery",
            ),
            *(flag(n) for n, _ in _CAPRINI_FLAGS),
            flag("Previously documented Deep Vein Thrombosis"),
            flag("Previously Documented Pulmonary Embolism"),
            choice(
                "Mobility",
                tuple(m for m, _ in _MOBILITY),
                default="Normal",
                description="normal/ambulatory, on bed rest, or confined to bed > 72 hours",
            ),
            optional(BMI),
        ),
        "Caprini JA. Dis Mon 2005;51:70-8",
        _caprini,
        notes="BMI > 25 scores 1 point and a history of DVT and/or PE scores 3 once, as in "
        "Caprini 2005; v1.0 labels ignore BMI.",
    ),
    FormulaCalculator(
        45,
        "curb_65",
        "CURB-65 Score for Pneumonia Severity",
        ("CURB-65", "CURB 65", "CURB65"),
        "risk",
        "integer",
        (flag("Confusion"), optional(BUN), optional(RR), optional(SBP), optional(DBP), AGE),
        "Lim WS et al. Thorax 2003;58:377-82",
        _curb65,
    ),
)
