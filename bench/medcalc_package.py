# ruff: noqa: E501  (key-mapping tables read best one entry per line)
"""Run the `medcalc-bench` PyPI package (module `medcalc`) on MedCalc-Bench gold entities.

Used only by `bench/medcalc_ceiling.py` to report what the benchmark's own implementation gives
when fed the same gold `Relevant Entities` (keys mapped to its snake_case parameter names). It is
a comparison column, not part of the library: the package's quirks (exact 'Male'/'Female', micro
sign only, crashes) are left as they are so the figure shows the package as shipped.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
from typing import Any

# calculator id -> (module, function)
FUNCTIONS: dict[int, tuple[str, str]] = {
    2: ("creatinine_clearance", "generate_cockcroft_gault_explanation"),
    3: ("ckd_epi_2021_creatinine", "ckd_epi_2021_explanation"),
    4: ("cha2ds2_vasc_score", "generate_cha2ds2_vasc_explanation"),
    5: ("mean_arterial_pressure", "mean_arterial_pressure_explanation"),
    6: ("bmi_calculator", "bmi_calculator_explanation"),
    7: ("calcium_correction", "calculate_corrected_calcium_explanation"),
    8: ("wells_criteria_pe", "calculate_pe_wells_explanation"),
    9: ("mdrd_gfr", "mrdr_gfr_explanation"),
    10: ("ideal_body_weight", "ibw_explanation"),
    11: ("qt_calculator_bazett", "bazett_calculator_explanation"),
    13: ("estimated_due_date", "add_40_weeks_explanation"),
    15: ("child_pugh_score", "compute_child_pugh_score_explanation"),
    16: ("wells_criteria_dvt", "compute_wells_criteria_dvt_explanation"),
    17: ("cardiac_risk_index", "compute_cardiac_index_explanation"),
    18: ("heart_score", "compute_heart_score_explanation"),
    19: ("fibrosis_4", "compute_fib4_explanation"),
    20: ("centor_score", "compute_centor_score_explanation"),
    21: ("glasgow_coma_score", "compute_glasgow_coma_score_explanation"),
    22: ("maintenance_fluid_calc", "maintenance_fluid_explanation"),
    23: ("meldna", "compute_meldna_explanation"),
    24: ("steroid_conversion", "compute_steroid_conversion_explanation"),
    25: ("has_bled_score", "compute_has_bled_score_explanation"),
    26: ("sch", "compute_sodium_correction_hyperglycemia_explanation"),
    27: ("glasgow_bleeding_score", "glasgow_bleeding_score_explanation"),
    28: ("apache_ii", "apache_ii_explanation"),
    29: ("psi_score", "psi_score_explanation"),
    30: ("sOsm", "compute_serum_osmolality_explanation"),
    31: ("homa_ir", "compute_homa_ir_explanation"),
    32: ("cci", "compute_cci_explanation"),
    33: ("feverpain", "compute_fever_pain_explanation"),
    36: ("caprini_score", "caprini_score_explanation"),
    38: ("free_water_deficit", "free_water_deficit_explanation"),
    39: ("anion_gap", "compute_anion_gap_explanation"),
    40: ("compute_fena", "compute_fena_explanation"),
    43: ("sofa", "compute_sofa_explanation"),
    44: ("ldl_calculated", "compute_ldl_explanation"),
    45: ("curb_65", "curb_65_explanation"),
    46: ("framingham_risk_score", "framingham_risk_score_explanation"),
    48: ("perc_rule", "compute_perc_rule_explanation"),
    49: ("mme", "mme_explanation"),
    51: ("sirs_criteria", "sirs_criteria_explanation"),
    56: ("qt_calculator_fredericia", "fredericia_calculator_explanation"),
    57: ("qt_calculator_framingham", "framingham_calculator_explanation"),
    58: ("qt_calculator_hodges", "hodges_calculator_explanation"),
    59: ("qt_calculator_rautaharju", "rautaharju_calculator_explanation"),
    60: ("bsa_calculator", "bsa_calculator_explaination"),
    61: ("target_weight", "targetweight_explanation"),
    62: ("adjusted_body_weight", "abw_explanation"),
    63: ("delta_gap", "compute_delta_gap_explanation"),
    65: ("albumin_corrected_anion", "compute_albumin_corrected_anion_explanation"),
    66: ("albumin_corrected_delta_gap", "compute_albumin_corrected_delta_gap_explanation"),
    67: ("albumin_delta_ratio", "compute_albumin_delta_ratio_explanation"),
    68: ("conception_date", "add_2_weeks_explanation"),
    69: ("gestational_age", "compute_gestational_age_explanation"),
}

COMMON = {
    "Heart Rate or Pulse": "heart_rate",
    "Systolic Blood Pressure": "sys_bp",
    "Diastolic Blood Pressure": "dia_bp",
    "Temperature": "temperature",
    "respiratory rate": "respiratory_rate",
    "Sodium": "sodium",
    "Chloride": "chloride",
    "Bicarbonate": "bicarbonate",
    "Albumin": "albumin",
    "Calcium": "calcium",
    "Glucose": "glucose",
    "Insulin": "insulin",
    "Blood Urea Nitrogen (BUN)": "bun",
    "Bilirubin": "bilirubin",
    "international normalized ratio": "inr",
    "QT interval": "qt_interval",
    "Platelet count": "platelet_count",
    "White blood cell count": "wbc",
    "Hematocrit": "hemocratit",
    "Hemoglobin": "hemoglobin",
    "FiO₂": "fio2",
    "Glasgow Coma Score": "gcs",
    "Partial pressure of oxygen (PaO₂) for Apache II": "partial_pressure_oxygen",
    "Potassium": "potassium",
    "A-a gradient": "a_a_gradient",
    "Last menstrual date": "menstrual_date",
    "cycle length": "cycle_length",
    "Current Date": "current_date",
    "Hypertension history": "hypertension",
    "Congestive Heart Faliure": "chf",
    "Previously documented Deep Vein Thrombosis": "previous_dvt",
    "Previously Documented Pulmonary Embolism": "previous_pe",
    "Hemoptysis": "hemoptysis",
    "Stroke": "stroke",
    "Transient Ischemic Attacks History": "tia",
    "Chronic Obstructive Pulmonary Disease": "copd",
    "Liver disease severity": "liver_disease",
    "Diabetes mellitus criteria for CCI rule": "diabetes_mellitus",
    "Race": "race",
    "Urine sodium": "urine_sodium",
    "Urine creatinine": "urine_creatinine",
    "Total cholesterol": "total_cholestrol",
    "high-density lipoprotein cholesterol": "hdl_cholestrol",
    "Triglycerides": "triglycerides",
    "Alanine aminotransferase": "alt",
    "Aspartate aminotransferase": "ast",
}

PER_CALCULATOR: dict[int, dict[str, str]] = {
    4: {
        "Thromboembolism history": "thromboembolism",
        "Vascular disease history": "vascular_disease",
        "Diabetes history": "diabetes",
    },
    8: {
        "Clinical signs and symptoms of Deep Vein Thrombosis": "clinical_dvt",
        "Pulmonary Embolism is #1 diagnosis OR equally likely": "pe_number_one",
        "Immobilization for at least 3 days": "immobilization_for_3days",
        "Surgery in the previous 4 weeks": "surgery_in_past4weeks",
        "Malignancy with treatment within 6 months or palliative": "malignancy_with_treatment",
    },
    15: {"Ascites": "ascites", "Encephalopathy": "encephalopathy"},
    16: {
        "Active cancer": "active_cancer",
        "Bedridden recently >3 days or major surgery within 12 weeks": "bedridden_for_atleast_3_days",
        "Major surgery within 12 weeks": "major_surgery_in_last_12_weeks",
        "Calf swelling >3 centimeters compared to the other leg": "calf_swelling_3cm",
        "Collateral (nonvaricose) superficial veins present": "collateral_superficial_veins",
        "Entire Leg Swollen": "leg_swollen",
        "Localized tenderness along the deep venous system": "localized_tenderness_on_deep_venuous_system",
        "Pitting edema, confined to symptomatic leg": "pitting_edema_on_symptomatic_leg",
        "Paralysis, paresis, or recent plaster immobilization of the lower extremity": "paralysis_paresis_immobilization_in_lower_extreme",
        "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely": "alternative_to_dvt_diagnosis",
    },
    17: {
        "Elevated-risk surgery": "elevated_risk_surgery",
        "History of ischemic heart disease": "ischemetic_heart_disease",
        "Congestive Heart Failure criteria for the Cardiac Risk Index rule": "congestive_heart_failure",
        "History of cerebrovascular disease": "cerebrovascular_disease",
        "Cerebrovascular disease history": "cerebrovascular_disease_history",
        "Pre-operative treatment with insulin": "pre_operative_insulin_treatment",
        "Pre-operative creatinine": "pre_operative_creatinine",
    },
    18: {
        "Suspicion History": "history",
        "Electrocardiogram Test": "electrocardiogram",
        "Initial troponin": "initial_troponin",
        "atherosclerotic disease": "atherosclerotic_disease",
        "parent or sibling with Cardiovascular disease before age 65": "family_with_cvd",
    },
    20: {
        "Cough Absent": "cough_absent",
        "Tender/swollen anterior cervical lymph nodes": "tender_lymph_nodes",
        "Exudate or swelling on tonsils": "exudate_swelling_tonsils",
    },
    21: {
        "Best eye response": "best_eye_response",
        "Best verbal response": "best_verbal_response",
        "Best motor response": "best_motor_response",
    },
    23: {
        "Dialysis at least twice in the past week": "dialysis_twice",
        "Continuous veno-venous hemodialysis for ≥24 hours in the past week": "cvvhd",
    },
    25: {
        "Liver disease criteria for the HAS-BLED rule": "liver_disease_has_bled",
        "Renal disease criteria for the HAS-BLED rule": "renal_disease_has_bled",
        "Prior major bleeding or predisposition to bleeding": "prior_bleeding",
        "Labile international normalized ratio": "labile_inr",
        "Medication usage predisposing to bleeding": "medications_for_bleeding",
        "Number of Alcoholic Drinks Per Week": "alcoholic_drinks",
    },
    27: {
        "Melena present": "melena_present",
        "Recent syncope": "syncope",
        "Hepatic disease history": "hepatic_disease_history",
        "Cardiac failure present": "cardiac_failure",
    },
    28: {
        "Acute renal failure": "acute_renal_failure",
        "Chronic Renal Failure": "chronic_renal_failure",
        "History of severe organ failure or immunocompromise": "organ_failure_immunocompromise",
        "Surgery Type": "surgery_type",
    },
    29: {
        "Renal disease": "renal_disease",
        "Cerebrovascular disease history": "cerebrovascular_disease",
        "Neoplastic disease": "neoplastic_disease",
        "Altered mental status": "altered_mental_status",
        "Pleural effusion on x-ray": "pleural_effusion",
        "Nursing home resident": "nursing_home_resident",
    },
    32: {
        "Myocardial infarction": "mi",
        "Peripheral vascular disease": "peripheral_vascular_disease",
        "Cerebrovascular Accident": "cva",
        "Connective tissue disease": "connective_tissue_disease",
        "Dementia": "dementia",
        "Hemiplegia": "hemiplegia",
        "Peptic ulcer disease": "peptic_ucler_disease",
        "Moderate to severe Chronic Kidney Disease": "moderate_to_severe_ckd",
        "Solid tumor": "solid_tumor",
        "Leukemia": "leukemia",
        "Lymphoma": "lymphoma",
        "AIDS": "aids",
    },
    33: {
        "Fever in past 24 hours": "fever_24_hours",
        "Absence of cough or coryza": "cough_coryza_absent",
        "Symptom onset ≤3 days": "symptom_onset",
        "Purulent tonsils": "purulent_tonsils",
        "Severe tonsil inflammation": "severe_tonsil_inflammation",
    },
    36: {
        "Surgery Type": "surgery_type",
        "Major Surgery in the last month": "major_surgery",
        "Congestive Heart Failure in the last month": "chf",
        "Sepsis in the last month": "sepsis",
        "Pneumonia in the last month": "pneumonia",
        "Immobilizing plaster cast in the last month": "immobilizing_plaster_case",
        "Hip, pelvis, or leg fracture in the last month": "hip_pelvis_leg_fracture",
        "Stroke in the last month": "stroke",
        "Multiple trauma in the last month": "multiple trauma",
        "Acute spinal cord injury causing paralysis in the last month": "acute_spinal_chord_injury",
        "Varicose veins": "varicose_veins",
        "Current swollen legs": "current_swollen_legs",
        "Current central venous access": "current_central_venuous",
        "Family history of thrombosis": "family_history_thrombosis",
        "Positive Factor V Leiden": "positive_factor_v",
        "Positive prothrombin 20210A": "positive_prothrombin",
        "Elevated serum homocysteine": "serum_homocysteine",
        "Positive lupus anticoagulant": "positive_lupus_anticoagulant",
        "Elevated anticardiolipin antibody": "elevated_anticardiolipin_antibody",
        "Heparin-induced thrombocytopenia": "heparin_induced_thrombocytopenia",
        "Other congenital or acquired thrombophilia": "congenital_acquired_thrombophilia",
        "Mobility": "mobility",
        "History of inflammatory bowel disease": "inflammatory_bowel_disease",
        "Acute Myocardial infarction": "acute_myocardial_infarction",
        "Present or previous malignancy": "malignancy",
        "Body Mass Index (BMI)": "bmi",
    },
    43: {
        "On mechanical ventilation": "mechanical_ventilation",
        "Continous positive airway pressure": "cpap",
        "DOPamine": "dopamine",
        "DOBUTamine": "dobutamine",
        "EPINEPHrine": "epinephrine",
        "norEPINEPHrine": "norepinephrine",
        "Urine Output": "urine_output",
        "Hypotension": "hypotension",
    },
    45: {"Confusion": "confusion"},
    46: {"Smoker": "smoker", "Blood pressure being treated with medicines": "bp_medicine"},
    48: {
        "O₂ saturation percentage": "oxygen_sat",
        "Unilateral Leg Swelling": "unilateral_leg_swelling",
        "Hormone use": "hormonal_use",
        "Recent surgery or trauma": "recent_surgery_or_trauma",
    },
    61: {"Body Mass Index (BMI)": "body_mass_index"},
}


def package_key(calculator_id: int, key: str) -> str:
    """The package's parameter name for a dataset entity key (unchanged if not mapped)."""
    return PER_CALCULATOR.get(calculator_id, {}).get(key) or COMMON.get(key, key)


def package_answer(calculator_id: int, entities: dict[str, Any]) -> tuple[Any, str | None]:
    """(answer, error): the package's result for gold entities with keys mapped."""
    if calculator_id not in FUNCTIONS:
        return None, "no calculator in the package"
    module_name, function_name = FUNCTIONS[calculator_id]
    args = {package_key(calculator_id, k): copy.deepcopy(v) for k, v in entities.items()}
    try:
        module = importlib.import_module(f"medcalc.{module_name}")
        with contextlib.redirect_stdout(io.StringIO()):
            result = getattr(module, function_name)(args)
    except Exception as exc:  # the package as shipped: any crash is a reported outcome
        return None, f"{type(exc).__name__}: {exc}"
    answer = result.get("Answer") if isinstance(result, dict) else result
    return answer, None
