"""Cardiovascular and thromboembolic risk scores: CHA2DS2-VASc, Wells PE/DVT, RCRI, HEART,
HAS-BLED.

Benchmark convention, kept here: a finding that the note does not mention counts as absent, and
an optional vital sign that is not given counts as normal; both are recorded as assumptions.
"""

from __future__ import annotations

from clinreason.tools.calculators._common import (
    AGE,
    HR,
    SEX,
    Ctx,
    FormulaCalculator,
    choice,
    flag,
    fmt,
    measure,
    number,
    optional,
)

# -- CHA2DS2-VASc --


def _cha2ds2vasc(c: Ctx) -> float:
    age = c.num("age")
    total = c.points("Age", 2 if age >= 75 else 1 if age >= 65 else 0, f"{fmt(age)} years")
    sex = c.choice("sex")
    total += c.points("Sex category", 1 if sex == "Female" else 0, str(sex))
    total += c.item("Congestive Heart Faliure", 1, "Congestive heart failure")
    total += c.item("Hypertension history", 1, "Hypertension")
    stroke = c.flag("Stroke") | c.flag("Transient Ischemic Attacks History")
    stroke |= c.flag("Thromboembolism history")
    total += c.points(
        "Stroke / TIA / thromboembolism", 2 if stroke else 0, "yes" if stroke else "no"
    )
    total += c.item(
        "Vascular disease history", 1, "Vascular disease (prior MI, PAD, aortic plaque)"
    )
    total += c.item("Diabetes history", 1, "Diabetes mellitus")
    return total


# -- Wells PE / DVT --


def _wells_pe(c: Ctx) -> float:
    total = c.item("Clinical signs and symptoms of Deep Vein Thrombosis", 3)
    total += c.item("Pulmonary Embolism is #1 diagnosis OR equally likely", 3)
    hr = c.opt(HR.name)
    if hr is None:
        total += c.points("Heart rate > 100", 0, "not given -> assumed normal")
    else:
        total += c.points("Heart rate > 100", 1.5 if hr > 100 else 0, f"{fmt(hr)} /min")
    immob = c.flag("Immobilization for at least 3 days") | c.flag("Surgery in the previous 4 weeks")
    total += c.points(
        "Immobilization >= 3 days or surgery in the previous 4 weeks",
        1.5 if immob else 0,
        "yes" if immob else "no",
    )
    prior = c.flag("Previously Documented Pulmonary Embolism")
    prior |= c.flag("Previously documented Deep Vein Thrombosis")
    total += c.points(
        "Previously diagnosed PE or DVT", 1.5 if prior else 0, "yes" if prior else "no"
    )
    total += c.item("Hemoptysis", 1)
    total += c.item("Malignancy with treatment within 6 months or palliative", 1)
    return total


_DVT_ITEMS = (
    "Active cancer",
    "Calf swelling >3 centimeters compared to the other leg",
    "Collateral (nonvaricose) superficial veins present",
    "Entire Leg Swollen",
    "Localized tenderness along the deep venous system",
    "Pitting edema, confined to symptomatic leg",
    "Paralysis, paresis, or recent plaster immobilization of the lower extremity",
    "Previously documented Deep Vein Thrombosis",
)
_DVT_BED = "Bedridden recently >3 days or major surgery within 12 weeks"
_DVT_SURG = "Major surgery within 12 weeks"
_DVT_ALT = "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely"


def _wells_dvt(c: Ctx) -> float:
    total = sum(c.item(name, 1) for name in _DVT_ITEMS)
    bed = c.flag(_DVT_BED) | c.flag(_DVT_SURG)
    total += c.points(
        "Bedridden > 3 days or major surgery within 12 weeks",
        1 if bed else 0,
        "yes" if bed else "no",
    )
    total += c.item(_DVT_ALT, -2)
    return total


# -- RCRI --


def _rcri(c: Ctx) -> float:
    total = c.item(
        "Elevated-risk surgery",
        1,
        "High-risk surgery (intraperitoneal, intrathoracic, suprainguinal vascular)",
    )
    total += c.item("History of ischemic heart disease", 1)
    total += c.item(
        "Congestive Heart Failure criteria for the Cardiac Risk Index rule",
        1,
        "History of congestive heart failure",
    )
    cvd = c.flag("Cerebrovascular disease history") | c.flag("History of cerebrovascular disease")
    total += c.points(
        "History of cerebrovascular disease (stroke or TIA)",
        1 if cvd else 0,
        "yes" if cvd else "no",
    )
    total += c.item("Pre-operative treatment with insulin", 1)
    scr = c.opt("Pre-operative creatinine")
    if scr is None:
        total += c.points("Pre-operative creatinine > 2 mg/dL", 0, "not given -> assumed normal")
    else:
        total += c.points(
            "Pre-operative creatinine > 2 mg/dL", 1 if scr > 2 else 0, f"{fmt(scr)} mg/dL"
        )
    return total


# -- HEART --

_HISTORY = ("Slightly suspicious", "Moderately suspicious", "Highly suspicious")
_ECG = ("Normal", "Non-specific repolarization disturbance", "Significant ST deviation")
_TROPONIN = (
    "less than or equal to normal limit",
    "between the normal limit or up to three times the normal limit",
    "more than three times normal limit",
)
_RISK_FACTORS = (
    ("Hypertension history", "hypertension"),
    ("hypercholesterolemia", "hypercholesterolemia"),
    ("Diabetes mellitus criteria for CCI rule", "diabetes mellitus"),
    ("obesity", "obesity (BMI > 30)"),
    ("smoking", "smoking (current or quit <= 3 months)"),
    ("parent or sibling with Cardiovascular disease before age 65", "family history"),
)


def _level(c: Ctx, name: str, options: tuple[str, ...], label: str) -> float:
    value = c.choice(name)
    if value in (None, False):
        value = options[0]
    if value is True or value not in options:
        from clinreason.errors import InputError

        raise InputError(f"{name}: {value!r} is not one of {list(options)}")
    return c.points(label, options.index(value), value)


def _heart(c: Ctx) -> float:
    total = _level(c, "Suspicion History", _HISTORY, "History")
    total += _level(c, "Electrocardiogram Test", _ECG, "EKG")
    age = c.num("age")
    total += c.points("Age", 2 if age >= 65 else 1 if age >= 45 else 0, f"{fmt(age)} years")
    present = [label for name, label in _RISK_FACTORS if c.choice(name) not in (None, False)]
    athero = c.flag("atherosclerotic disease") | c.flag("Transient Ischemic Attacks History")
    n = len(present) + (1 if athero else 0)
    why = (
        ", ".join(
            present
            + (["atherosclerotic disease (prior MI, PCI/CABG, CVA/TIA, PAD)"] if athero else [])
        )
        or "none"
    )
    pts = 2 if (n >= 3 or athero) else 1 if n >= 1 else 0
    total += c.points(
        "Risk factors (>= 3 or atherosclerotic disease: 2; 1-2: 1)", pts, f"{n} present: {why}"
    )
    total += _level(c, "Initial troponin", _TROPONIN, "Initial troponin")
    return total


# -- HAS-BLED --


def _has_bled(c: Ctx) -> float:
    total = c.item("Hypertension history", 1, "Hypertension (uncontrolled, SBP > 160)")
    total += c.item("Renal disease criteria for the HAS-BLED rule", 1, "Abnormal renal function")
    total += c.item("Liver disease criteria for the HAS-BLED rule", 1, "Abnormal liver function")
    total += c.item("Stroke", 1, "Stroke history")
    total += c.item("Prior major bleeding or predisposition to bleeding", 1, "Bleeding")
    total += c.item("Labile international normalized ratio", 1, "Labile INR")
    age = c.num("age")
    total += c.points("Elderly (age > 65)", 1 if age > 65 else 0, f"{fmt(age)} years")
    total += c.item(
        "Medication usage predisposing to bleeding", 1, "Drugs (antiplatelet agents, NSAIDs)"
    )
    drinks = c.opt("Number of Alcoholic Drinks Per Week")
    drinks = 0 if drinks is None else drinks
    total += c.points("Alcohol (>= 8 drinks/week)", 1 if drinks >= 8 else 0, f"{fmt(drinks)}/week")
    return total


_CHF = flag(
    "Congestive Heart Faliure", "congestive heart failure", aliases=("Congestive Heart Failure",)
)

CALCULATORS = (
    FormulaCalculator(
        4,
        "cha2ds2_vasc",
        "CHA2DS2-VASc Score for Atrial Fibrillation Stroke Risk",
        ("CHA2DS2-VASc", "CHA2DS2 VASc", "CHADS2-VASc", "CHA2DS2VASc", "CHA₂DS₂-VASc"),
        "risk",
        "integer",
        (
            AGE,
            SEX,
            _CHF,
            flag("Hypertension history", aliases=("Hypertension",)),
            flag("Stroke"),
            flag("Transient Ischemic Attacks History"),
            flag("Thromboembolism history"),
            flag("Vascular disease history"),
            flag("Diabetes history"),
        ),
        "Lip GY et al. Chest 2010;137:263-72",
        _cha2ds2vasc,
    ),
    FormulaCalculator(
        8,
        "wells_pe",
        "Wells' Criteria for Pulmonary Embolism",
        (
            "Wells criteria for pulmonary embolism",
            "Wells criteria for PE",
            "Wells PE",
            "Wells score for PE",
            "Wells score for pulmonary embolism",
        ),
        "risk",
        "decimal",
        (
            flag("Clinical signs and symptoms of Deep Vein Thrombosis"),
            flag(
                "Pulmonary Embolism is #1 diagnosis OR equally likely",
                "pulmonary embolism is the leading diagnosis or as likely as any other",
            ),
            optional(HR),
            flag("Immobilization for at least 3 days"),
            flag("Surgery in the previous 4 weeks"),
            flag("Previously Documented Pulmonary Embolism"),
            flag("Previously documented Deep Vein Thrombosis"),
            flag("Hemoptysis"),
            flag("Malignancy with treatment within 6 months or palliative"),
        ),
        "Wells PS et al. Thromb Haemost 2000;83:416-20",
        _wells_pe,
    ),
    FormulaCalculator(
        16,
        "wells_dvt",
        "Wells' Criteria for DVT",
        (
            "Wells criteria for DVT",
            "Wells criteria for deep vein thrombosis",
            "Wells DVT",
            "Wells score for DVT",
            "Wells criteria score for deep vein thrombosis",
        ),
        "risk",
        "integer",
        (
            *(flag(n) for n in _DVT_ITEMS),
            flag(_DVT_BED, aliases=("Bedridden recently >3 days",)),
            flag(_DVT_SURG),
            flag(
                _DVT_ALT,
                "another diagnosis (cellulitis, Baker cyst, ...) is at least as likely; assumed "
                "when the note raises no sign or suspicion of DVT",
                default=True,
            ),
        ),
        "Wells PS et al. N Engl J Med 2003;349:1227-35",
        _wells_dvt,
    ),
    FormulaCalculator(
        17,
        "revised_cardiac_risk_index",
        "Revised Cardiac Risk Index for Pre-Operative Risk",
        (
            "Revised Cardiac Risk Index",
            "RCRI",
            "cardiac risk index",
            "Lee index",
            "Lee revised cardiac risk index",
        ),
        "risk",
        "integer",
        (
            flag("Elevated-risk surgery"),
            flag("History of ischemic heart disease"),
            flag("Congestive Heart Failure criteria for the Cardiac Risk Index rule"),
            flag("Cerebrovascular disease history"),
            flag("History of cerebrovascular disease"),
            flag("Pre-operative treatment with insulin"),
            measure(
                "Pre-operative creatinine",
                "mg/dL",
                (0.05, 40),
                analyte="creatinine",
                required=False,
            ),
        ),
        "Lee TH et al. Circulation 1999;100:1043-9",
        _rcri,
        notes="Either cerebrovascular key counts; v1.0 labels ignore cerebrovascular history.",
    ),
    FormulaCalculator(
        18,
        "heart_score",
        "HEART Score for Major Cardiac Events",
        ("HEART score", "HEART score for major cardiac events", "HEART pathway"),
        "risk",
        "integer",
        (
            choice(
                "Suspicion History",
                _HISTORY,
                default=_HISTORY[0],
                description="how suspicious the history is for acute coronary syndrome "
                "(typical chest pain, radiation, exertional, relieved by nitrates)",
            ),
            choice(
                "Electrocardiogram Test",
                _ECG,
                default=_ECG[0],
                description="ECG: normal; non-specific repolarization (bundle branch block, LVH, "
                "pacing, repolarization changes); significant ST depression or elevation",
            ),
            AGE,
            flag("Hypertension history", aliases=("Hypertension",)),
            flag("hypercholesterolemia"),
            choice(
                "Diabetes mellitus criteria for CCI rule",
                ("Uncomplicated", "End-organ damage", "None or diet-controlled"),
                aliases=("Diabetes mellitus",),
            ),
            flag("obesity"),
            flag("smoking"),
            flag("parent or sibling with Cardiovascular disease before age 65"),
            flag("atherosclerotic disease"),
            flag("Transient Ischemic Attacks History"),
            choice(
                "Initial troponin",
                _TROPONIN,
                default=_TROPONIN[0],
                description="first troponin relative to the upper reference limit",
            ),
        ),
        "Six AJ et al. Neth Heart J 2008;16:191-6; Backus BE et al. Int J Cardiol 2013;168:2153-8",
        _heart,
        notes="Atherosclerotic disease (incl. prior CVA/TIA) scores 2 for risk factors regardless "
        "of their count, as published; the package gives 1 when fewer than 3 are present.",
    ),
    FormulaCalculator(
        25,
        "has_bled",
        "HAS-BLED Score for Major Bleeding Risk",
        ("HAS-BLED", "HAS BLED", "HASBLED"),
        "risk",
        "integer",
        (
            flag("Hypertension history", aliases=("Hypertension",)),
            flag("Renal disease criteria for the HAS-BLED rule"),
            flag("Liver disease criteria for the HAS-BLED rule"),
            flag("Stroke"),
            flag("Prior major bleeding or predisposition to bleeding"),
            flag("Labile international normalized ratio"),
            AGE,
            flag("Medication usage predisposing to bleeding"),
            number("Number of Alcoholic Drinks Per Week", (0, 500), required=False),
        ),
        "Pisters R et al. Chest 2010;138:1093-100",
        _has_bled,
    ),
)
