"""Numeric extraction on hand-written case-report sentences: spellings, units, formats.

Each case names a MedCalc-Bench entity, a short synthetic sentence, the value expected in the
calculator's own unit (converted the way the calculators convert entities, through `Ctx`) and the
text the evidence span must contain. Absurd or ambiguous input must give no value, a value the
calculator rejects, or a value whose `Found.note` states the assumption made; never a silently
wrong number.

None of these sentences comes from a dataset; they imitate the style of published case reports.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from clinreason.errors import InputError
from clinreason.tools.calculators import CALCULATORS
from clinreason.tools.calculators._common import Ctx
from clinreason.tools.extract import Found, extract_entity

_PARAMS = {p.name: p for c in CALCULATORS.values() for p in c.params}


def _canonical(key: str, found: Found) -> Any:
    """The found value as the calculators read it (their canonical unit, their bounds)."""
    param = _PARAMS[key]
    ctx = Ctx("test", (param,), {key: found.entity()})
    if param.kind in ("measurement", "number"):
        return ctx.num(key)
    return found.value


def _xfail(reason: str, *values: Any) -> Any:
    return pytest.param(*values, marks=pytest.mark.xfail(strict=True, reason=reason))


_LABS = "Laboratory studies revealed a serum creatinine of 1.8 mg/dl, BUN 42 mg/dl and "
_LABS += "potassium 5.1 mEq/L."
_PANEL = "Labs: Na 128, K 5.9, Cl 97, HCO3 14."
_SLASH = "Na/K/Cl: 134/4.1/101 mmol/L."
_ABG = "Arterial blood gas on admission: pH 7.21, PaCO2 48 mm Hg, PaO2 62 mmHg."
_VITALS = (
    "On arrival, temperature 101.3°F, BP 92/54 mmHg, heart rate of 118 beats/min, "
    "respiratory rate 28 breaths/min and SpO2 88% on room air."
)
_TREATED = (
    "Serum sodium was 118 mmol/L on admission and 131 mmol/L after 48 hours of hypertonic saline."
)

VALUES = [
    # -- renal ----------------------------------------------------------------------------
    ("creatinine", _LABS, 1.8, "1.8 mg/dl"),
    ("Blood Urea Nitrogen (BUN)", _LABS, 42, "42 mg/dl"),
    ("Potassium", _LABS, 5.1, "5.1 mEq/L"),
    ("creatinine", "Cr 156 umol/L.", 156 / 88.4, "156 umol/L"),
    ("creatinine", "Her creatinine was 156 µmol/l.", 156 / 88.4, "156 µmol/l"),
    ("creatinine", "creatinine 156 μmol/L (Greek mu)", 156 / 88.4, "156 μmol/L"),
    ("creatinine", "Creatinine: 1.3 MG/DL.", 1.3, "1.3 MG/DL"),
    ("creatinine", "creatinine of 2.2 mg per deciliter", 2.2, "2.2 mg per deciliter"),
    ("creatinine", "creatinine of 2.2 milligrams per deciliter", 2.2, "2.2 milligrams"),
    ("creatinine", "SCr 1.8 (ref 0.6-1.2)", 1.8, "SCr 1.8"),
    ("creatinine", "Creatinine rose from 1.1 mg/dL at baseline to 3.4 mg/dL.", 1.1, "1.1 mg/dL"),
    (
        "creatinine",
        "Creatinine was 2.4 mg/dL on admission and 1.1 mg/dL after hydration.",
        2.4,
        "2.4 mg/dL",
    ),
    ("Pre-operative creatinine", "Preoperative creatinine was 1.4 mg/dL.", 1.4, "1.4 mg/dL"),
    ("Blood Urea Nitrogen (BUN)", "blood urea nitrogen 15 mmol/L", 15 * 2.802, "15 mmol/L"),
    ("Blood Urea Nitrogen (BUN)", "Serum urea 7.5 mmol/L.", 7.5 * 2.802, "7.5 mmol/L"),
    ("Blood Urea Nitrogen (BUN)", "BUN of 42.", 42, "BUN of 42"),
    ("Blood Urea Nitrogen (BUN)", "BUN/Cr 42/1.8.", 42, "42/1.8"),
    ("creatinine", "BUN/Cr 42/1.8.", 1.8, "42/1.8"),
    ("Urine sodium", "Urine sodium was 25 mmol/L.", 25, "25 mmol/L"),
    ("Urine creatinine", "urine creatinine of 80 mg/dL", 80, "80 mg/dL"),
    ("Urine Output", "urine output of 400 mL/day", 400, "400 mL/day"),
    ("Urine Output", "urine output was 20 mL/h", 480, "20 mL/h"),
    ("Urine Output", "urine output 0.4 L/day", 400, "0.4 L/day"),
    # -- electrolytes ---------------------------------------------------------------------
    ("Sodium", _PANEL, 128, "Na 128"),
    ("Potassium", _PANEL, 5.9, "K 5.9"),
    ("Chloride", _PANEL, 97, "Cl 97"),
    ("Bicarbonate", _PANEL, 14, "HCO3 14"),
    ("Sodium", _SLASH, 134, "134/4.1/101"),
    ("Potassium", _SLASH, 4.1, "134/4.1/101"),
    ("Chloride", _SLASH, 101, "134/4.1/101"),
    ("Sodium", _TREATED, 118, "118 mmol/L"),
    ("Sodium", "sodium 128 mEq/L", 128, "128 mEq/L"),
    ("Sodium", "Na+ 131 meq/l", 131, "131 meq/l"),
    ("Sodium", "serum sodium of 128 mmol/l", 128, "128 mmol/l"),
    ("Sodium", "SODIUM 128 MMOL/L", 128, "128 MMOL/L"),
    ("Potassium", "K+ 5.9 mmol/L", 5.9, "5.9 mmol/L"),
    ("Potassium", "potassium level was 2.8 mEq/l", 2.8, "2.8 mEq/l"),
    ("Chloride", "chloride 97 mEq/L", 97, "97 mEq/L"),
    ("Bicarbonate", "bicarbonate 14 mEq/L", 14, "14 mEq/L"),
    ("Bicarbonate", "HCO3- 14 mmol/L", 14, "14 mmol/L"),
    ("Bicarbonate", "total CO2 of 18", 18, "total CO2 of 18"),
    ("Bicarbonate", "serum bicarbonate was 12 mmol/L", 12, "12 mmol/L"),
    ("Calcium", "calcium 2.1 mmol/L", 2.1 * 4.008, "2.1 mmol/L"),
    ("Calcium", "Ca 8.4 mg/dL", 8.4, "8.4 mg/dL"),
    # -- glucose, liver, proteins ---------------------------------------------------------
    ("Glucose", "glucose 320 mg/dL", 320, "320 mg/dL"),
    ("Glucose", "glucose 17.8 mmol/L", 17.8 * 18.016, "17.8 mmol/L"),
    ("Glucose", "blood sugar of 450 mg/dl", 450, "450 mg/dl"),
    ("Glucose", "serum glucose 17.8 mmol/l", 17.8 * 18.016, "17.8 mmol/l"),
    ("Glucose", "Random glucose 320.", 320, "320"),
    ("Albumin", "albumin 2.9 g/dL", 2.9, "2.9 g/dL"),
    ("Albumin", "albumin 29 g/L", 2.9, "29 g/L"),
    ("Albumin", "serum albumin 2.9 gm/dl", 2.9, "2.9 gm/dl"),
    ("Albumin", "albumin 29 g/l", 2.9, "29 g/l"),
    ("Bilirubin", "bilirubin 3.2 mg/dL", 3.2, "3.2 mg/dL"),
    ("Bilirubin", "total bilirubin of 51 µmol/L", 51 / 17.1, "51 µmol/L"),
    ("Bilirubin", "bilirubin 51 umol/L", 51 / 17.1, "51 umol/L"),
    ("Bilirubin", "T. bili 3.2", 3.2, "3.2"),
    ("international normalized ratio", "INR 2.1", 2.1, "INR 2.1"),
    ("international normalized ratio", "an INR of 2.1", 2.1, "INR of 2.1"),
    ("international normalized ratio", "prothrombin time 24 s (INR 2.1)", 2.1, "INR 2.1"),
    ("Alanine aminotransferase", "AST 250 U/L, ALT 180 IU/L", 180, "180 IU/L"),
    ("Aspartate aminotransferase", "AST 250 U/L, ALT 180 IU/L", 250, "250 U/L"),
    ("Total cholesterol", "total cholesterol 5.2 mmol/L", 5.2 * 38.67, "5.2 mmol/L"),
    ("high-density lipoprotein cholesterol", "HDL 1.1 mmol/L", 1.1 * 38.67, "1.1 mmol/L"),
    ("Triglycerides", "triglycerides 1.7 mmol/L", 1.7 * 88.57, "1.7 mmol/L"),
    ("Triglycerides", "TG 150 mg/dL", 150, "150 mg/dL"),
    ("Insulin", "fasting insulin 12 µU/mL", 12, "12 µU/mL"),
    ("Insulin", "fasting insulin 72 pmol/L", 12, "72 pmol/L"),
    # -- blood counts ---------------------------------------------------------------------
    ("Platelet count", "platelets 95 x 10^9/L", 95000, "95 x 10^9/L"),
    ("Platelet count", "platelets 95,000/µL", 95000, "95,000/µL"),
    ("Platelet count", "platelets 95 K/uL", 95000, "95 K/uL"),
    ("Platelet count", "platelet count of 95 × 10⁹/L", 95000, "95 × 10⁹/L"),
    ("Platelet count", "PLT 95x10^3/mm3", 95000, "95x10^3/mm3"),
    ("Platelet count", "platelets 95,000/mm3", 95000, "95,000/mm3"),
    ("Platelet count", "platelet count 95 × 10^9/l", 95000, "95 × 10^9/l"),
    ("White blood cell count", "WBC 14.2 x 10^9/L", 14200, "14.2 x 10^9/L"),
    ("White blood cell count", "white blood cell count of 14,200/mm3", 14200, "14,200/mm3"),
    ("White blood cell count", "leukocytes 14.2 × 10³/µL", 14200, "14.2 × 10³/µL"),
    ("White blood cell count", "WBC 14.2 K/uL", 14200, "14.2 K/uL"),
    ("White blood cell count", "white cell count 14.2", 14200, "14.2"),
    ("Hemoglobin", "hemoglobin 9.1 g/dL", 9.1, "9.1 g/dL"),
    ("Hemoglobin", "Hb 91 g/L", 9.1, "91 g/L"),
    ("Hemoglobin", "haemoglobin 9.1 g/dl", 9.1, "9.1 g/dl"),
    ("Hemoglobin", "Hgb 9.1", 9.1, "Hgb 9.1"),
    ("Hematocrit", "hematocrit 27%", 27, "27%"),
    ("Hematocrit", "Hct 0.27", 27, "Hct 0.27"),
    ("Hematocrit", "haematocrit of 27.3 %", 27.3, "27.3 %"),
    ("Band form percentage", "bands 12%", 12, "12%"),
    # -- blood gases ----------------------------------------------------------------------
    ("pH", _ABG, 7.21, "pH 7.21"),
    ("PaCO₂", _ABG, 48, "48 mm Hg"),
    ("Partial pressure of oxygen (PaO₂) for Apache II", _ABG, 62, "62 mmHg"),
    ("Partial pressure of oxygen (PaO₂) for Apache II", "PaO2 of 62 mmHg", 62, "62 mmHg"),
    ("Partial pressure of oxygen (PaO₂) for Apache II", "PaO2 8.3 kPa", 8.3 * 7.50062, "8.3 kPa"),
    ("FiO₂", "FiO2 0.4", 40, "FiO2 0.4"),
    ("FiO₂", "FiO2 40%", 40, "40%"),
    ("FiO₂", "FiO2 of 40 percent", 40, "40 percent"),
    ("FiO₂", "ventilated with an FiO2 of 60%", 60, "60%"),
    # -- vital signs ----------------------------------------------------------------------
    ("Temperature", _VITALS, 38.5, "101.3°F"),
    ("Systolic Blood Pressure", _VITALS, 92, "92/54 mmHg"),
    ("Diastolic Blood Pressure", _VITALS, 54, "92/54 mmHg"),
    ("Heart Rate or Pulse", _VITALS, 118, "118 beats/min"),
    ("respiratory rate", _VITALS, 28, "28 breaths/min"),
    ("O₂ saturation percentage", _VITALS, 88, "88%"),
    ("Temperature", "T 38.9 C", 38.9, "38.9 C"),
    ("Temperature", "temp 38.9 °C", 38.9, "38.9 °C"),
    ("Temperature", "temperature of 38.9 degrees Celsius", 38.9, "38.9 degrees Celsius"),
    ("Temperature", "febrile to 39.2ºC", 39.2, "39.2ºC"),
    ("Temperature", "T 102 F", (102 - 32) * 5 / 9, "102 F"),
    ("Temperature", "temperature 38.9℃", 38.9, "38.9℃"),
    ("Systolic Blood Pressure", "blood pressure of 92/54 mm Hg", 92, "92/54 mm Hg"),
    ("Diastolic Blood Pressure", "BP: 92/54", 54, "92/54"),
    ("Systolic Blood Pressure", "systolic blood pressure 85 mmHg", 85, "85 mmHg"),
    ("Heart Rate or Pulse", "pulse 118 bpm", 118, "118 bpm"),
    ("Heart Rate or Pulse", "HR 118/min", 118, "118/min"),
    ("Heart Rate or Pulse", "pulse rate of 118 beats per minute", 118, "118 beats per minute"),
    ("Heart Rate or Pulse", "She was tachycardic (118 bpm).", 118, "118 bpm"),
    ("respiratory rate", "RR 28/min", 28, "28/min"),
    ("respiratory rate", "respirations 28", 28, "respirations 28"),
    ("O₂ saturation percentage", "oxygen saturation of 88% on room air", 88, "88%"),
    ("O₂ saturation percentage", "saturating 88% on RA", 88, "88%"),
    ("O₂ saturation percentage", "O2 sat 88 %", 88, "88 %"),
    ("QT interval", "QT interval 440 ms", 440, "440 ms"),
    ("QT interval", "QT 0.44 s", 440, "0.44 s"),
    # -- body measurements ----------------------------------------------------------------
    ("weight", "weight 154 lb", 154 * 0.45359237, "154 lb"),
    ("weight", "weighing 154 pounds", 154 * 0.45359237, "154 pounds"),
    ("weight", "weight: 70.5 kg", 70.5, "70.5 kg"),
    ("weight", "body weight 70 kgs", 70, "70 kgs"),
    ("weight", "He weighed 70 kilograms.", 70, "70 kilograms"),
    ("height", "height 5 ft 6 in", 66 * 2.54, "5 ft 6 in"),
    ("height", "height 5'6\"", 66 * 2.54, "5'6\""),
    ("height", "He is 5'6\" tall.", 66 * 2.54, "5'6\""),
    ("height", "height 168 cm", 168, "168 cm"),
    ("height", "She is 1.68 m tall.", 168, "1.68 m"),
    ("height", "height of 66 inches", 66 * 2.54, "66 inches"),
    ("Body Mass Index (BMI)", "BMI 31.2 kg/m2", 31.2, "31.2 kg/m2"),
    ("Body Mass Index (BMI)", "body mass index of 31.2 kg/m²", 31.2, "31.2 kg/m²"),
    # -- drugs, scores --------------------------------------------------------------------
    ("norEPINEPHrine", "norepinephrine at 0.1 mcg/kg/min", 0.1, "0.1 mcg/kg/min"),
    ("DOPamine", "dopamine 5 µg/kg/min", 5, "5 µg/kg/min"),
    ("Glasgow Coma Score", "GCS 9", 9, "9"),
    ("Glasgow Coma Score", "Glasgow Coma Scale of 9", 9, "9"),
    # -- demographics ---------------------------------------------------------------------
    ("age", "a 67-year-old man", 67, "67-year-old"),
    ("age", "a woman aged 67 years", 67, "aged 67 years"),
    ("age", "Patient is 67 yo.", 67, "67 yo"),
    ("age", "67 y/o male", 67, "67 y/o"),
    ("age", "a 3-month-old infant", 0.25, "3-month-old"),
    ("age", "a 67-yr-old woman", 67, "67-yr-old"),
    # -- spacing, punctuation and wording variants ---------------------------------------
    ("creatinine", "creatinine 1.8mg/dL", 1.8, "1.8mg/dL"),
    _xfail(
        "a period after a name ends a sentence as often as it marks an abbreviation "
        "('... creatinine. 2 days later'); reading across it would invent values",
        "creatinine",
        "Cr. 1.8 mg/dL",
        1.8,
        "1.8 mg/dL",
    ),
    ("creatinine", "an elevated creatinine (1.8 mg/dL)", 1.8, "1.8 mg/dL"),
    ("creatinine", "creatinine was elevated, at 1.8 mg/dL", 1.8, "1.8 mg/dL"),
    ("creatinine", "creatinine 1.8 mg/dL (159 µmol/L)", 1.8, "1.8 mg/dL"),
    ("Sodium", "Sodium 128 mmol/L [135-145]", 128, "128 mmol/L"),
    ("Sodium", "plasma sodium 128 mM", 128, "128 mM"),
    ("Glucose", "glucose 17.8 mM", 17.8 * 18.016, "17.8 mM"),
    ("Glucose", "glucose 320 mg/dL (17.8 mmol/L)", 320, "320 mg/dL"),
    ("Platelet count", "platelets 95 G/L", 95000, "95 G/L"),
    ("Platelet count", "platelets 95 × 10^9 /L", 95000, "95 × 10^9 /L"),
    ("Platelet count", "platelets 95 × 109/L", 95000, "95 × 109/L"),
    ("Platelet count", "platelet count 95 000/µL", 95000, "95 000/µL"),
    ("White blood cell count", "WBC 14 200/mm3", 14200, "14 200/mm3"),
    ("Albumin", "albumin 2.9 g/100 mL", 2.9, "2.9 g/100 mL"),
    ("Albumin", "Alb 2.9", 2.9, "Alb 2.9"),
    ("Alanine aminotransferase", "SGPT 180 IU/l", 180, "180 IU/l"),
    ("high-density lipoprotein cholesterol", "HDL-C 42 mg/dL", 42, "42 mg/dL"),
    ("Calcium", "corrected calcium 11.2 mg/dL", 11.2, "11.2 mg/dL"),
    ("international normalized ratio", "INR: 2.10", 2.1, "INR: 2.10"),
    ("Partial pressure of oxygen (PaO₂) for Apache II", "pO2 62 torr", 62, "62 torr"),
    ("FiO₂", "FiO2 = 40 %", 40, "40 %"),
    ("FiO₂", "FiO2 of 0.40", 40, "0.40"),
    ("FiO₂", "PaO2 62 mmHg on 40% FiO2", 40, "40% FiO2"),
    ("O₂ saturation percentage", "SaO2 88%", 88, "88%"),
    ("O₂ saturation percentage", "O2 saturation was 88% while breathing room air", 88, "88%"),
    ("Systolic Blood Pressure", "BP was 92 / 54 mmHg", 92, "92 / 54 mmHg"),
    ("Systolic Blood Pressure", "arterial pressure of 92/54", 92, "92/54"),
    ("Heart Rate or Pulse", "heart rate was 118 beats per min", 118, "118 beats per min"),
    ("Heart Rate or Pulse", "HR 118 b/min", 118, "118 b/min"),
    ("Heart Rate or Pulse", "HR 118", 118, "HR 118"),
    ("respiratory rate", "respiratory rate of 28/minute", 28, "28/minute"),
    ("Temperature", "She had a fever (38.9°C).", 38.9, "38.9°C"),
    ("Temperature", "Temp: 101.3 F (38.5 C)", 38.5, "101.3 F"),
    ("Temperature", "Tmax 39.4", 39.4, "Tmax 39.4"),
    ("Temperature", "body temperature 38,9 °C", 38.9, "38,9 °C"),
    ("weight", "weight 70 kg (154 lb)", 70, "70 kg"),
    ("weight", "Wt: 154 lbs", 154 * 0.45359237, "154 lbs"),
    ("weight", "weight 70.5kg", 70.5, "70.5kg"),
    ("height", "height 5 feet, 6 inches", 66 * 2.54, "5 feet, 6 inches"),
    ("height", "height: 1.68 m", 168, "1.68 m"),
    ("height", "height 168 cm and weight 70 kg", 168, "168 cm"),
    ("age", "a 67 years old man", 67, "67 years old"),
    ("age", "a sixty-seven-year-old woman", 67, "sixty-seven-year-old"),
    ("age", "a 10-day-old neonate", 10 / 365, "10-day-old"),
    ("age", "The patient, aged 67, ...", 67, "aged 67"),
    # -- number formats: decimal comma, spaced thousands, Indian grouping, unit spellings -----
    ("Hemoglobin", "Hb 9,1 g/dl", 9.1, "9,1 g/dl"),
    ("weight", "weight 70,5 kg", 70.5, "70,5 kg"),
    ("Potassium", "Na 128 mmol/L, K 5,9 mmol/L", 5.9, "5,9 mmol/L"),
    ("Platelet count", "platelet count 1,50,000/cumm", 150000, "1,50,000/cumm"),
    # a weight written with only its unit, with a decimal comma: read whole, never as "1 kg"
    ("weight", "A 3-month-old 2,4 kg infant.", 2.4, "2,4 kg"),
    # the height beside the body weight, whatever the weight's unit or decimal mark
    ("height", "A 52-year-old, 143.3 lb, 162 cm woman", 162, "162 cm"),
    ("height", "(171,5 cm, 64 kg)", 171.5, "171,5 cm"),
    ("White blood cell count", "WBC 14.2 × 10^9/litre", 14200, "14.2 × 10^9/litre"),
]


@pytest.mark.parametrize(("key", "note", "expected", "evidence"), VALUES)
def test_value_and_evidence(key: str, note: str, expected: float, evidence: str) -> None:
    found = extract_entity(key, note)
    assert found is not None, "nothing extracted"
    s = found.span
    assert s.text == note[s.start : s.end] and s.text == s.text.strip()
    assert evidence in s.text, f"evidence {s.text!r}"
    assert len(s.text) <= len(evidence) + 40, f"evidence too wide: {s.text!r}"
    assert _canonical(key, found) == pytest.approx(expected, rel=5e-3, abs=1e-6)


SEXES = [
    ("a 67-year-old woman", "Female", "woman"),
    ("a 67-year-old gentleman", "Male", "gentleman"),
    ("A 28-year-old female presented.", "Female", "female"),
    ("The patient, a G2P1 at 30 weeks, ...", "Female", "G2P1"),
    ("A 5-year-old boy.", "Male", "boy"),
    ("a 67-year-old Caucasian male", "Male", "male"),
    ("Mrs. A, 67, was admitted.", "Female", "Mrs."),
    ("a 40-year-old lady", "Female", "lady"),
]


@pytest.mark.parametrize(("note", "sex", "evidence"), SEXES)
def test_sex(note: str, sex: str, evidence: str) -> None:
    found = extract_entity("sex", note)
    assert found is not None and found.value == sex
    assert found.span.text == evidence


DATES = [
    ("Last menstrual date", "Her last menstrual period was on 03/14/2021.", "03/14/2021"),
    ("Last menstrual date", "LMP: January 5, 2021.", "01/05/2021"),
    ("Current Date", "Today's date is 04/20/2021.", "04/20/2021"),
]


@pytest.mark.parametrize(("key", "note", "date"), DATES)
def test_dates(key: str, note: str, date: str) -> None:
    found = extract_entity(key, note)
    assert found is not None and found.value == date
    assert date[-4:] in found.span.text


UNSTATED_UNIT = [
    ("Potassium", "K 5.9", 5.9),
    ("creatinine", "creatinine 156", 156 / 88.4),
    ("Glucose", "glucose 17.8", 17.8 * 18.016),
    ("FiO₂", "FiO2 0.4", 40),
    ("Platelet count", "platelets 95", 95000),
]


@pytest.mark.parametrize(("key", "note", "expected"), UNSTATED_UNIT)
def test_an_inferred_unit_is_recorded(key: str, note: str, expected: float) -> None:
    found = extract_entity(key, note)
    assert found is not None and found.note, "the unit inference must be recorded"
    assert _canonical(key, found) == pytest.approx(expected, rel=5e-3)


ABSURD = [
    ("creatinine", "creatinine 0.0 mg/dL"),
    ("creatinine", "creatinine 1.8 mmHg"),
    ("weight", "weight -70 kg"),
    ("weight", "weight 70 stone"),
    ("weight", "weight 1540 lb"),
    ("Sodium", "sodium 128 mg"),
    ("Potassium", "potassium 59 mmol/L"),
    ("Temperature", "temperature 380 C"),
    ("Heart Rate or Pulse", "heart rate 0 bpm"),
    ("Platelet count", "platelets 95 x 10^12/L"),
    ("Glucose", "glucose 320 mg"),
    ("Hemoglobin", "Hb 9.1 mmHg"),
    ("age", "a 250-year-old tree"),
    ("creatinine", "creatinine 1,8 mg/dL"),  # a decimal comma must not be read as 1
    ("Sodium", "Na 1280 mmol/L"),
    ("Platelet count", "platelets 95.000/µL"),  # a European thousands point
    ("Temperature", "temperature 38,9 °C"),  # a decimal comma must not be read as 38
    ("Potassium", "K 5,9"),  # a decimal comma without a unit: not read
    ("weight", "a man (70,5 kg)"),  # not 5 kg from the decimals
]


@pytest.mark.parametrize(("key", "note"), ABSURD)
def test_absurd_input_is_never_a_silent_number(key: str, note: str) -> None:
    found = extract_entity(key, note)
    if found is None:
        return
    try:
        value = _canonical(key, found)
    except InputError:
        return
    assert found.note, f"silently read {value} from {found.span.text!r}"
    comma = re.search(r"\d+,\d+", note)
    assert comma is None or value == pytest.approx(float(comma.group().replace(",", ".")))
