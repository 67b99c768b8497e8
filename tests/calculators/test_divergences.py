"""Where the medcalc-bench package or the v1.0 labels diverge from the published source, the
library follows the source. Each test names the source and the divergence."""

from __future__ import annotations

import pytest

from clinreason.tools.calculators import compute_from_entities


def test_gcs_counts_verbal_once() -> None:
    """Teasdale & Jennett, Lancet 1974: GCS = E + V + M (max 15). Labels add V twice."""
    e = {
        "Best eye response": "eyes open spontaneously",
        "Best verbal response": "oriented",
        "Best motor response": "obeys commands",
    }
    assert compute_from_entities(21, e).value == 15


def test_meld_na_rounds_to_the_tenth_not_whole_number() -> None:
    """OPTN policy: MELD(i) x 10 rounded to the tenth. Cr 1.0, bili 1.11, INR 0.9 (-> 1.0),
    Na 141 (-> 137): 10 x (0.378 ln 1.11 + 0.643) = 6.82 -> 6.8 -> 7. Labels give 10."""
    e = {
        "creatinine": [1.0, "mg/dL"],
        "Bilirubin": [1.11, "mg/dL"],
        "international normalized ratio": 0.9,
        "Sodium": [141.0, "mEq/L"],
    }
    assert compute_from_entities(23, e).value == 7


def test_rcri_counts_cerebrovascular_history() -> None:
    """Lee et al., Circulation 1999: history of cerebrovascular disease = 1 point, whichever of
    the two dataset keys carries it. Labels ignore it."""
    assert compute_from_entities(17, {"History of cerebrovascular disease": True}).value == 1
    assert compute_from_entities(17, {"Cerebrovascular disease history": True}).value == 1


def test_caprini_counts_bmi_over_25() -> None:
    """Caprini, Dis Mon 2005: BMI > 25 kg/m^2 = 1 point. Labels ignore BMI."""
    base = {"age": [30, "years"], "sex": "Female"}
    assert compute_from_entities(36, {**base, "Body Mass Index (BMI)": [24, "kg/m^2"]}).value == 0
    assert compute_from_entities(36, {**base, "Body Mass Index (BMI)": [30, "kg/m^2"]}).value == 1


def test_ckd_epi_uses_kappa_09_for_men() -> None:
    """Inker et al., NEJM 2021: kappa 0.9 for men. The package's explanation uses 0.7 for men with
    Scr <= 0.9, so at Scr = kappa a man's eGFR is 142 x 0.9938^age exactly."""
    e = {"age": [40, "years"], "creatinine": [0.9, "mg/dL"], "sex": "Male"}
    assert compute_from_entities(3, e).value == pytest.approx(142 * 0.9938**40, abs=1e-3)


def test_child_pugh_scores_ascites_whatever_the_case() -> None:
    """Pugh 1973: ascites absent 1 / slight 2 / moderate 3; the minimum total is 5."""
    e = {
        "Bilirubin": [1.0, "mg/dL"],
        "Albumin": [4.0, "g/dL"],
        "international normalized ratio": 1.0,
    }
    assert compute_from_entities(15, {**e, "Ascites": "absent"}).value == 5
    assert compute_from_entities(15, {**e, "Ascites": "Slight"}).value == 6


def test_apache_ii_adds_15_minus_gcs() -> None:
    """Knaus 1985: the neurological item is 15 - GCS (the package adds the GCS itself)."""
    assert compute_from_entities(28, {"age": [30, "years"], "Glasgow Coma Score": 15}).value == 0
    assert compute_from_entities(28, {"age": [30, "years"], "Glasgow Coma Score": 7}).value == 8


def test_sofa_uses_fio2_as_a_fraction() -> None:
    """Vincent 1996: PaO2/FiO2 in mmHg; 90 mmHg on 30 % O2 is 300 -> 1 point (not 90/30 = 3)."""
    e = {"Partial pressure of oxygen (PaO₂) for Apache II": [90, "mm Hg"], "FiO₂": [30, "%"]}
    assert compute_from_entities(43, e).value == 1


def test_framingham_uses_mg_dl_and_returns_a_percentage() -> None:
    """NCEP ATP III hard-CHD equation in mg/dL; the package works in mmol/L and scales by 100
    twice. A 49-year-old treated hypertensive man with HDL 25 mg/dL is around 8.5 %."""
    e = {
        "age": [49, "years"],
        "sex": "Male",
        "Total cholesterol": [191, "mg/dL"],
        "high-density lipoprotein cholesterol": [25, "mg/dL"],
        "Systolic Blood Pressure": [131, "mm hg"],
        "Blood pressure being treated with medicines": True,
    }
    assert compute_from_entities(46, e).value == pytest.approx(8.49, abs=0.05)


def test_psi_accepts_sodium_in_meq_per_l() -> None:
    """The package crashes on sodium in mEq/L; 1 mEq/L of Na+ = 1 mmol/L."""
    e = {"age": [60, "years"], "sex": "Male", "Sodium": [125, "mEq/L"]}
    assert compute_from_entities(29, e).value == 80


def test_target_weight_and_delta_ratio_exist() -> None:
    """The package's target_weight fails to import and it has no delta ratio."""
    assert (
        compute_from_entities(
            61, {"Body Mass Index (BMI)": [25, "kg/m^2"], "height": [2, "m"]}
        ).value
        == 100
    )
    e = {"Sodium": [137, "mmol/L"], "Chloride": [100, "mmol/L"], "Bicarbonate": [14, "mmol/L"]}
    assert compute_from_entities(64, e).value == pytest.approx(1.1)


def test_due_date_shorter_cycle_moves_earlier() -> None:
    """Naegele with cycle adjustment: LMP + 280 + (cycle - 28). Labels add |cycle - 28|."""
    e = {"Last menstrual date": "02/13/2002", "cycle length": 25}
    assert compute_from_entities(13, e).value == "11/17/2002"


def test_charlson_grades() -> None:
    """Charlson 1987: diabetes with end-organ damage 2, localized solid tumour 2, moderate-severe
    liver disease 3 (labels score each 1)."""
    e = {"age": [40, "years"], "Diabetes mellitus criteria for CCI rule": "End-organ damage"}
    assert compute_from_entities(32, e).value == 2
    assert compute_from_entities(32, {"age": [40, "years"], "Solid tumor": "Localized"}).value == 2
    e = {"age": [40, "years"], "Liver disease severity": "Moderate to Severe"}
    assert compute_from_entities(32, e).value == 3


def test_blatchford_hemoglobin_13_scores_zero_in_men() -> None:
    """Blatchford 2000: men 12.0-12.9 g/dL = 1, >= 13 = 0."""
    e = {
        "Blood Urea Nitrogen (BUN)": [10, "mg/dL"],
        "sex": "Male",
        "Systolic Blood Pressure": [130, "mm Hg"],
    }
    assert compute_from_entities(27, {**e, "Hemoglobin": [13.0, "g/dL"]}).value == 0
    assert compute_from_entities(27, {**e, "Hemoglobin": [12.9, "g/dL"]}).value == 1
