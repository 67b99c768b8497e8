"""Each calculator against hand-computed values (table-driven).

Expected values are written as the arithmetic of the published formula (or the item-by-item sum
of a score), independent of the library's code, so a wrong coefficient, threshold or unit
conversion in a calculator fails here.
"""

from __future__ import annotations

import math

import pytest

from clinreason.tools.calculators import CALCULATORS, compute_from_entities

MALE, FEMALE = "Male", "Female"

# (calculator id, entities, expected value, note)
DECIMAL_CASES = [
    # Cockcroft-Gault, BMI 24.1 (normal) -> min(IBW, weight); IBW = 50 + 2.3 x (168/2.54 - 60)
    (
        2,
        {
            "age": [66, "years"],
            "weight": [68.0, "kg"],
            "height": [168.0, "cm"],
            "creatinine": [5.09, "mg/dL"],
            "sex": MALE,
        },
        (140 - 66) * (50 + 2.3 * (168 / 2.54 - 60)) / (72 * 5.09),
        "CG normal BMI uses IBW",
    ),
    # BMI 31.2 (obese) -> adjusted weight; female 0.85
    (
        2,
        {
            "age": [50, "years"],
            "weight": [80.0, "kg"],
            "height": [160.0, "cm"],
            "creatinine": [88.4, "µmol/L"],
            "sex": FEMALE,
        },
        (140 - 50)
        * ((45.5 + 2.3 * (160 / 2.54 - 60)) + 0.4 * (80 - (45.5 + 2.3 * (160 / 2.54 - 60))))
        * 0.85
        / (72 * 88.4 * 113.12 / 10000),
        "CG obese uses adjusted weight, µmol/L converted",
    ),
    # BMI 17.3 (underweight) -> actual weight
    (
        2,
        {
            "age": [30, "years"],
            "weight": [50.0, "kg"],
            "height": [170.0, "cm"],
            "creatinine": [0.8, "mg/dL"],
            "sex": MALE,
        },
        (140 - 30) * 50 / (72 * 0.8),
        "CG underweight uses actual weight",
    ),
    (
        3,
        {"age": [50, "years"], "creatinine": [0.6, "mg/dL"], "sex": FEMALE},
        142 * (0.6 / 0.7) ** -0.241 * 0.9938**50 * 1.012,
        "CKD-EPI 2021 female below kappa",
    ),
    (
        3,
        {"age": [60, "years"], "creatinine": [1.2, "mg/dL"], "sex": MALE},
        142 * (1.2 / 0.9) ** -1.2 * 0.9938**60,
        "CKD-EPI 2021 male above kappa",
    ),
    (
        3,
        {"age": [74, "years"], "creatinine": [0.8, "mg/dL"], "sex": MALE},
        142 * (0.8 / 0.9) ** -0.302 * 0.9938**74,
        "CKD-EPI 2021 male below kappa (kappa 0.9)",
    ),
    (
        5,
        {"Systolic Blood Pressure": [120, "mm Hg"], "Diastolic Blood Pressure": [80, "mm Hg"]},
        80 + (120 - 80) / 3,
        "MAP",
    ),
    (
        6,
        {"weight": [150, "lbs"], "height": [5, "ft", 7, "in"]},
        150 * 0.45359237 / (67 * 0.0254) ** 2,
        "BMI from lb and ft/in",
    ),
    (7, {"Calcium": [8.0, "mg/dL"], "Albumin": [25, "g/L"]}, 8.0 + 0.8 * (4 - 2.5), "Ca corr"),
    (
        8,
        {
            "Heart Rate or Pulse": [110, "bpm"],
            "Hemoptysis": True,
            "Previously documented Deep Vein Thrombosis": True,
        },
        1.5 + 1 + 1.5,
        "Wells PE: HR>100, hemoptysis, prior DVT",
    ),
    (
        9,
        {"age": [60, "years"], "creatinine": [1.5, "mg/dL"], "sex": FEMALE, "Race": "Black"},
        175 * 1.5**-1.154 * 60**-0.203 * 0.742 * 1.212,
        "MDRD female Black",
    ),
    (10, {"height": [72, "in"], "sex": MALE}, 50 + 2.3 * 12, "IBW male 6 ft"),
    (10, {"height": [160, "cm"], "sex": FEMALE}, 45.5 + 2.3 * (160 / 2.54 - 60), "IBW female"),
    (
        11,
        {"Heart Rate or Pulse": [75, "bpm"], "QT interval": [400, "msec"]},
        400 / math.sqrt(0.8),
        "Bazett RR 0.8 s",
    ),
    (
        19,
        {
            "age": [50, "years"],
            "Aspartate aminotransferase": [40, "U/L"],
            "Alanine aminotransferase": [25, "U/L"],
            "Platelet count": [200000, "µL"],
        },
        50 * 40 / (200 * 5),
        "FIB-4",
    ),
    (22, {"weight": [8, "kg"]}, 32, "Holliday-Segar < 10 kg"),
    (22, {"weight": [15, "kg"]}, 50, "Holliday-Segar 10-20 kg"),
    (22, {"weight": [70, "kg"]}, 110, "Holliday-Segar > 20 kg"),
    # MELD-Na: Cr 2.0, bili 3.0, INR 1.5 -> MELD(i)=10*(0.957 ln2 + 0.378 ln3 + 1.12 ln1.5 + 0.643)
    # = 21.757 -> 21.8 (rounded to tenth); Na 130 -> 21.8 + 1.32*7 - 0.033*21.8*7 = 26.004 -> 26
    (
        23,
        {
            "creatinine": [2.0, "mg/dL"],
            "Bilirubin": [3.0, "mg/dL"],
            "international normalized ratio": 1.5,
            "Sodium": [130, "mmol/L"],
        },
        26,
        "MELD-Na",
    ),
    (
        24,
        {"input steroid": ["PredniSONE PO", 10, "mg"], "target steroid": "Dexamethasone IV"},
        10 * 0.75 / 5,
        "prednisone 10 mg = dexamethasone 1.5 mg",
    ),
    (
        24,
        {
            "input steroid": ["Hydrocortisone IV", 100, "mg"],
            "target steroid": "MethylPrednisoLONE IV",
        },
        100 * 4 / 20,
        "hydrocortisone 100 mg = methylprednisolone 20 mg",
    ),
    (26, {"Sodium": [130, "mEq/L"], "Glucose": [600, "mg/dL"]}, 130 + 0.024 * 500, "Na corr"),
    (
        30,
        {
            "Sodium": [140, "mmol/L"],
            "Blood Urea Nitrogen (BUN)": [28, "mg/dL"],
            "Glucose": [180, "mg/dL"],
        },
        280 + 10 + 10,
        "serum osmolality",
    ),
    (
        31,
        {"Insulin": [10, "µIU/mL"], "Glucose": [5.0, "mmol/L"]},
        10 * (5.0 * 180.16 / 10) / 405,
        "HOMA-IR with glucose in mmol/L",
    ),
    (
        38,
        {"age": [70, "years"], "sex": FEMALE, "weight": [60, "kg"], "Sodium": [154, "mmol/L"]},
        0.45 * 60 * (154 / 140 - 1),
        "FWD elderly woman",
    ),
    (
        38,
        {"age": [30, "years"], "sex": MALE, "weight": [70, "kg"], "Sodium": [150, "mmol/L"]},
        0.6 * 70 * (150 / 140 - 1),
        "FWD adult man",
    ),
    (
        39,
        {"Sodium": [140, "mEq/L"], "Chloride": [100, "mEq/L"], "Bicarbonate": [24, "mEq/L"]},
        16,
        "anion gap",
    ),
    (
        40,
        {
            "Sodium": [140, "mmol/L"],
            "creatinine": [2.0, "mg/dL"],
            "Urine sodium": [20, "mmol/L"],
            "Urine creatinine": [100, "mg/dL"],
        },
        20 * 2 / (140 * 100) * 100,
        "FENa",
    ),
    (
        44,
        {
            "Total cholesterol": [200, "mg/dL"],
            "high-density lipoprotein cholesterol": [50, "mg/dL"],
            "Triglycerides": [150, "mg/dL"],
        },
        200 - 50 - 30,
        "Friedewald LDL",
    ),
    (
        49,
        {
            "OxyCODONE Dose": [10, "mg"],
            "OxyCODONE Dose Per Day": [3, "per day"],
            "FentaNYL buccal Dose": [100, "µg"],
            "FentaNYL buccal Dose Per Day": [2, "per day"],
        },
        10 * 3 * 1.5 + 100 * 2 * 0.13,
        "MME oxycodone + buccal fentanyl",
    ),
    (
        56,
        {"Heart Rate or Pulse": [60, "bpm"], "QT interval": [400, "msec"]},
        400,
        "Fridericia RR 1",
    ),
    (
        56,
        {"Heart Rate or Pulse": [120, "bpm"], "QT interval": [300, "msec"]},
        300 / 0.5 ** (1 / 3),
        "Fridericia RR 0.5",
    ),
    (
        57,
        {"Heart Rate or Pulse": [120, "bpm"], "QT interval": [300, "msec"]},
        300 + 154 * 0.5,
        "Framingham QTc",
    ),
    (
        58,
        {"Heart Rate or Pulse": [100, "bpm"], "QT interval": [300, "msec"]},
        300 + 1.75 * 40,
        "Hodges",
    ),
    (
        59,
        {"Heart Rate or Pulse": [60, "bpm"], "QT interval": [400, "msec"]},
        400 * 180 / 180,
        "Rautaharju at 60 bpm",
    ),
    (60, {"weight": [64, "kg"], "height": [225, "cm"]}, 2.0, "Mosteller sqrt(225*64/3600)=2"),
    (61, {"Body Mass Index (BMI)": [22, "kg/m^2"], "height": [1.8, "m"]}, 22 * 1.8**2, "target wt"),
    (
        62,
        {"weight": [100, "kg"], "height": [72, "in"], "sex": MALE},
        (50 + 2.3 * 12) + 0.4 * (100 - (50 + 2.3 * 12)),
        "ABW",
    ),
    (
        63,
        {"Sodium": [140, "mEq/L"], "Chloride": [100, "mEq/L"], "Bicarbonate": [14, "mEq/L"]},
        26 - 12,
        "delta gap",
    ),
    (
        64,
        {"Sodium": [140, "mEq/L"], "Chloride": [100, "mEq/L"], "Bicarbonate": [14, "mEq/L"]},
        (26 - 12) / (24 - 14),
        "delta ratio",
    ),
    (
        65,
        {
            "Sodium": [140, "mEq/L"],
            "Chloride": [100, "mEq/L"],
            "Bicarbonate": [24, "mEq/L"],
            "Albumin": [2.0, "g/dL"],
        },
        16 + 2.5 * 2,
        "albumin-corrected AG",
    ),
    (
        66,
        {
            "Sodium": [140, "mEq/L"],
            "Chloride": [100, "mEq/L"],
            "Bicarbonate": [24, "mEq/L"],
            "Albumin": [2.0, "g/dL"],
        },
        21 - 12,
        "albumin-corrected delta gap",
    ),
    (
        67,
        {
            "Sodium": [140, "mEq/L"],
            "Chloride": [100, "mEq/L"],
            "Bicarbonate": [14, "mEq/L"],
            "Albumin": [3.0, "g/dL"],
        },
        (26 + 2.5 - 12) / 10,
        "albumin-corrected delta ratio",
    ),
]

INTEGER_CASES = [
    # CHA2DS2-VASc: age 76 (2) + female (1) + hypertension (1) + diabetes (1) = 5
    (
        4,
        {
            "age": [76, "years"],
            "sex": FEMALE,
            "Hypertension history": True,
            "Diabetes history": True,
        },
        5,
    ),
    # stroke/TIA/TE counts 2 once; CHF 1; male 60: 0
    (
        4,
        {
            "age": [60, "years"],
            "sex": MALE,
            "Stroke": True,
            "Transient Ischemic Attacks History": True,
            "Congestive Heart Faliure": True,
        },
        3,
    ),
    # Child-Pugh: bili 2.5 (2) + alb 3.0 (2) + INR 1.5 (1) + ascites slight (2) + none (1) = 8
    (
        15,
        {
            "Bilirubin": [2.5, "mg/dL"],
            "Albumin": [3.0, "g/dL"],
            "international normalized ratio": 1.5,
            "Ascites": "slight",
        },
        8,
    ),
    # Child-Pugh minimum: every item 1
    (
        15,
        {
            "Bilirubin": [1.0, "mg/dL"],
            "Albumin": [4.0, "g/dL"],
            "international normalized ratio": 1.0,
            "Ascites": "absent",
            "Encephalopathy": "No Encephalopathy",
        },
        5,
    ),
    # Wells DVT: cancer 1 + calf 1 + pitting 1 - alternative 2 = 1
    (
        16,
        {
            "Active cancer": True,
            "Calf swelling >3 centimeters compared to the other leg": True,
            "Pitting edema, confined to symptomatic leg": True,
            "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely": True,
        },
        1,
    ),
    # RCRI: high-risk surgery 1 + IHD 1 + creatinine 2.5 (1) + cerebrovascular 1 = 4
    (
        17,
        {
            "Elevated-risk surgery": True,
            "History of ischemic heart disease": True,
            "Pre-operative creatinine": [2.5, "mg/dL"],
            "History of cerebrovascular disease": True,
        },
        4,
    ),
    # HEART: history moderately 1 + ECG normal 0 + age 50 (1) + 2 risk factors (1) + trop 0 = 3
    (
        18,
        {
            "Suspicion History": "Moderately suspicious",
            "Electrocardiogram Test": "Normal",
            "age": [50, "years"],
            "Hypertension history": True,
            "smoking": True,
            "Initial troponin": "less than or equal to normal limit",
        },
        3,
    ),
    # HEART: atherosclerotic disease alone -> risk factors 2; age 70 -> 2
    (18, {"age": [70, "years"], "atherosclerotic disease": True}, 4),
    # Centor: age 10 (+1), exudate 1, nodes 1, temp 38.5 (1), cough absent 1 = 5
    (
        20,
        {
            "age": [10, "years"],
            "Exudate or swelling on tonsils": True,
            "Tender/swollen anterior cervical lymph nodes": True,
            "Temperature": [101.3, "degrees fahrenheit"],
            "Cough Absent": True,
        },
        5,
    ),
    # Centor: age 50 (-1), nothing else = -1
    (20, {"age": [50, "years"], "Temperature": [37, "degrees celsius"]}, -1),
    # GCS: eye to voice 3 + confused 4 + localizes 5 = 12
    (
        21,
        {
            "Best eye response": "eye opening to verbal command",
            "Best verbal response": "confused",
            "Best motor response": "localizes pain",
        },
        12,
    ),
    # HAS-BLED: HTN 1 + age 70 (1) + 8 drinks (1) + drugs 1 = 4
    (
        25,
        {
            "Hypertension history": True,
            "age": [70, "years"],
            "Number of Alcoholic Drinks Per Week": 8,
            "Medication usage predisposing to bleeding": True,
        },
        4,
    ),
    # GBS: BUN 30 mg/dL (4) + Hb 11 male (3) + SBP 95 (2) + HR 110 (1) + melena 1 + syncope 2 = 13
    (
        27,
        {
            "Blood Urea Nitrogen (BUN)": [30, "mg/dL"],
            "Hemoglobin": [11, "g/dL"],
            "sex": MALE,
            "Systolic Blood Pressure": [95, "mm Hg"],
            "Heart Rate or Pulse": [110, "bpm"],
            "Melena present": True,
            "Recent syncope": True,
        },
        13,
    ),
    # GBS: Hb 11 female (1), everything else normal
    (
        27,
        {
            "Blood Urea Nitrogen (BUN)": [10, "mg/dL"],
            "Hemoglobin": [11, "g/dL"],
            "sex": FEMALE,
            "Systolic Blood Pressure": [120, "mm Hg"],
        },
        1,
    ),
    # PSI: male 70 (70) + nursing home 10 + RR 32 (20) + BUN 40 (20) + Na 128 (20) = 140
    (
        29,
        {
            "age": [70, "years"],
            "sex": MALE,
            "Nursing home resident": True,
            "respiratory rate": [32, "breaths per minute"],
            "Blood Urea Nitrogen (BUN)": [40, "mg/dL"],
            "Sodium": [128, "mEq/L"],
        },
        140,
    ),
    # PSI: female 50 (40) + temperature 40.0 (15) + PaO2 55 (10) = 65
    (
        29,
        {
            "age": [50, "years"],
            "sex": FEMALE,
            "Temperature": [40.0, "degrees celsius"],
            "Partial pressure of oxygen (PaO₂) for Apache II": [55, "mm Hg"],
        },
        65,
    ),
    # CCI: age 65 (2) + MI 1 + DM end-organ 2 + metastatic tumor 6 + moderate CKD 2 = 13
    (
        32,
        {
            "age": [65, "years"],
            "Myocardial infarction": True,
            "Diabetes mellitus criteria for CCI rule": "End-organ damage",
            "Solid tumor": "Metastatic",
            "Moderate to severe Chronic Kidney Disease": True,
        },
        13,
    ),
    # FeverPAIN: fever 1 + purulence 1 + absence of cough 1 = 3
    (
        33,
        {
            "Fever in past 24 hours": True,
            "Purulent tonsils": True,
            "Absence of cough or coryza": True,
        },
        3,
    ),
    # Caprini: age 65 (2) + major surgery >45 min (2) + BMI 27 (1) + history of DVT and PE (3) = 8
    (
        36,
        {
            "age": [65, "years"],
            "sex": FEMALE,
            "Surgery Type": "major >45 min",
            "Body Mass Index (BMI)": [27, "kg/m^2"],
            "Previously documented Deep Vein Thrombosis": True,
            "Previously Documented Pulmonary Embolism": True,
        },
        8,
    ),
    # CURB-65: confusion 1 + BUN 25 (1) + RR 30 (1) + DBP 60 (1) + age 70 (1) = 5
    (
        45,
        {
            "Confusion": True,
            "Blood Urea Nitrogen (BUN)": [25, "mg/dL"],
            "respiratory rate": [30, "breaths per minute"],
            "Systolic Blood Pressure": [110, "mm Hg"],
            "Diastolic Blood Pressure": [60, "mm Hg"],
            "age": [70, "years"],
        },
        5,
    ),
    # PERC: age 55 (1) + HR 105 (1) + SpO2 93 (1) + hormone use 1 = 4
    (
        48,
        {
            "age": [55, "years"],
            "Heart Rate or Pulse": [105, "bpm"],
            "O₂ saturation percentage": [93, "%"],
            "Hormone use": True,
        },
        4,
    ),
    # SIRS: temp 38.5 (1) + HR 95 (1) + RR 18 with PaCO2 30 (1) + WBC 3,000 (1) = 4
    (
        51,
        {
            "Temperature": [38.5, "degrees celsius"],
            "Heart Rate or Pulse": [95, "bpm"],
            "respiratory rate": [18, "breaths per minute"],
            "PaCO₂": [30, "mm Hg"],
            "White blood cell count": [3000, "µL"],
        },
        4,
    ),
]


def _value(cid: int, entities: dict) -> object:
    return compute_from_entities(cid, entities).value


@pytest.mark.parametrize(("cid", "entities", "expected", "note"), DECIMAL_CASES)
def test_decimal_calculators(cid: int, entities: dict, expected: float, note: str) -> None:
    got = _value(cid, entities)
    assert got == pytest.approx(expected, abs=2e-3, rel=1e-3), note


@pytest.mark.parametrize(("cid", "entities", "expected"), INTEGER_CASES)
def test_score_calculators(cid: int, entities: dict, expected: int) -> None:
    assert _value(cid, entities) == expected


def test_apache_ii_hand_example() -> None:
    """APACHE II, Knaus 1985 point tables, summed by hand.

    age 70 (5) + temp 39.5 (3) + MAP (150 + 2 x 90)/3 = 110 (2) + HR 120 (2) + RR 30 (1)
    + FiO2 40 %, PaO2 58 (3) + pH 7.20 (3) + Na 125 (2) + K 3.2 (1) + creatinine 2.2 with ARF
    (3 x 2 = 6) + Hct 28 (2) + WBC 22,000/µL (2) + GCS 12 (3) + chronic health, nonoperative (5)
    = 40
    """
    entities = {
        "age": [70, "years"],
        "Temperature": [39.5, "degrees celsius"],
        "Systolic Blood Pressure": [150, "mm Hg"],
        "Diastolic Blood Pressure": [90, "mm Hg"],
        "Heart Rate or Pulse": [120, "bpm"],
        "respiratory rate": [30, "breaths per minute"],
        "FiO₂": [40, "%"],
        "Partial pressure of oxygen (PaO₂) for Apache II": [58, "mm Hg"],
        "pH": 7.20,
        "Sodium": [125, "mmol/L"],
        "Potassium": [3.2, "mmol/L"],
        "creatinine": [2.2, "mg/dL"],
        "Acute renal failure": True,
        "Hematocrit": [28, "%"],
        "White blood cell count": [22000, "µL"],
        "Glasgow Coma Score": 12,
        "History of severe organ failure or immunocompromise": True,
        "Surgery Type": "Nonoperative",
    }
    assert _value(28, entities) == 40


def test_apache_ii_uses_aa_gradient_when_fio2_high() -> None:
    """FiO2 >= 50 %: the A-a gradient (400 -> 3) is scored and PaO2 (50 -> 4) is not."""
    entities = {
        "age": [30, "years"],
        "FiO₂": [60, "%"],
        "A-a gradient": 400,
        "Partial pressure of oxygen (PaO₂) for Apache II": [50, "mm Hg"],
    }
    assert _value(28, entities) == 3
    as_fraction = compute_from_entities(28, {**entities, "FiO₂": 0.6})
    assert as_fraction.value == 3
    assert any("fraction" in a for a in as_fraction.assumptions)
    assert _value(28, {**entities, "FiO₂": [40, "%"]}) == 4


def test_sofa_hand_example() -> None:
    """SOFA (Vincent 1996): PaO2/FiO2 = 80/0.4 = 200 on ventilation -> 2 (not < 200);
    platelets 90,000 -> 2; GCS 13 -> 1; bilirubin 3.0 -> 2; norepinephrine 0.2 -> 4;
    creatinine 1.5 -> 1 but urine output 400 mL/day -> 3 (the worse counts) = 14."""
    entities = {
        "Partial pressure of oxygen (PaO₂) for Apache II": [80, "mm Hg"],
        "FiO₂": [40, "%"],
        "On mechanical ventilation": True,
        "Platelet count": [90000, "µL"],
        "Glasgow Coma Score": 13,
        "Bilirubin": [3.0, "mg/dL"],
        "norEPINEPHrine": [0.2, "mcg/kg/min"],
        "creatinine": [1.5, "mg/dL"],
        "Urine Output": [400, "mL/day"],
    }
    assert _value(43, entities) == 2 + 2 + 1 + 2 + 4 + 3


def test_framingham_hard_chd_hand_calculation() -> None:
    """Male 55, TC 213, HDL 50 mg/dL, SBP 120 untreated, non-smoker (mg/dL equation)."""
    la, ltc, lhdl, lsbp = math.log(55), math.log(213), math.log(50), math.log(120)
    s = (
        52.00961 * la
        + 20.014077 * ltc
        - 0.905964 * lhdl
        + 1.305784 * lsbp
        - 4.605038 * la * ltc
        - 2.93323 * la * la
        - 172.300168
    )
    expected = 100 * (1 - 0.9402 ** math.exp(s))
    got = _value(
        46,
        {
            "age": [55, "years"],
            "sex": MALE,
            "Total cholesterol": [213, "mg/dL"],
            "high-density lipoprotein cholesterol": [50, "mg/dL"],
            "Systolic Blood Pressure": [120, "mm Hg"],
        },
    )
    assert got == pytest.approx(expected, abs=1e-3)
    assert 1 < got < 20  # a plausible 10-year risk in percent, not a fraction x 100 again


@pytest.mark.parametrize(
    ("cid", "entities", "expected"),
    [
        (13, {"Last menstrual date": "01/01/2020", "cycle length": 28}, "10/07/2020"),
        (13, {"Last menstrual date": "01/01/2020", "cycle length": 32}, "10/11/2020"),
        (13, {"Last menstrual date": "01/01/2020", "cycle length": 25}, "10/04/2020"),
        (68, {"Last menstrual date": "01/01/2020", "cycle length": 28}, "01/15/2020"),
        (68, {"Last menstrual date": "01/01/2020", "cycle length": 35}, "01/22/2020"),
        (69, {"Last menstrual date": "01/01/2020", "Current Date": "03/05/2020"}, (9, 1)),
        (69, {"Last menstrual date": "12/23/2020", "Current Date": "08/21/2021"}, (34, 3)),
    ],
)
def test_dates(cid: int, entities: dict, expected: object) -> None:
    assert _value(cid, entities) == expected


def test_due_date_is_conception_plus_266_days() -> None:
    """Cycle-adjusted Naegele and luteal-phase conception agree: EDD = conception + 38 weeks."""
    import datetime as dt

    for cycle in (21, 25, 28, 30, 35):
        e = {"Last menstrual date": "03/10/2021", "cycle length": cycle}
        due = dt.datetime.strptime(_value(13, e), "%m/%d/%Y")  # noqa: DTZ007
        conc = dt.datetime.strptime(_value(68, e), "%m/%d/%Y")  # noqa: DTZ007
        assert (due - conc).days == 266


def test_every_calculator_has_a_case() -> None:
    covered = (
        {c[0] for c in DECIMAL_CASES} | {c[0] for c in INTEGER_CASES} | {13, 28, 43, 46, 68, 69}
    )
    assert covered == set(CALCULATORS)
