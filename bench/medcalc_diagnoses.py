"""Why our calculators disagree with MedCalc-Bench v1.0 labels on development rows.

Each entry was checked by hand against the row's gold entities, the label's own
`Ground Truth Explanation` and the published source of the formula. Kinds:

- "label error": the label does not follow the published formula (the reason names the step);
- "label convention": the label follows a simplification that ignores an input the question
  gives (the conception date ignores the cycle length); we follow the physiological rule;
- "input typo": the gold entity (copied from a typo in the note) is physiologically impossible;
  the label computed with it, the library refuses it with an InputError;
- "our bug": a defect on our side (none are open: each one found was fixed).

This is documentation of the development data used by `bench/medcalc_ceiling.py`; nothing in the
library reads it.
"""

from __future__ import annotations

LABEL = "label error"
CONVENTION = "label convention"
TYPO = "input typo"

_CHILD_PUGH = (
    "label adds no points for ascites (the values 'absent'/'slight' are lower-case and the "
    "label code matches only 'Absent'/'Slight'); Pugh 1973 scores ascites 1-3, so every "
    "Child-Pugh total is >= 5"
)
_RCRI = (
    "label ignores cerebrovascular history ('History of cerebrovascular disease': True is "
    "reported as not mentioned); Lee 1999 counts a history of stroke/TIA as 1 point"
)
_FRAMINGHAM = (
    "label converts TC/HDL to mmol/L before the Framingham hard-CHD equation, whose coefficients "
    "are for mg/dL (NCEP ATP III; MDCalc), and rounds L and the risk to 0.1; ours: 1 - "
    "0.9402^exp(L) with mg/dL"
)
_GCS = "label adds the verbal response twice (Teasdale 1974: GCS = eye + verbal + motor)"
_APACHE = (
    "label adds the GCS itself instead of 15 - GCS and scores a WBC given per µL as "
    "> 40 x10^9/L (+4)"
)
_APACHE_TEMP = "; reads 'degrees celsisus' (typo) as Fahrenheit, i.e. < 30 °C (+4)"
_SOFA = (
    "label divides PaO2 by FiO2 in percent (ratio < 2 instead of > 100; on CPAP it then scores "
    "no respiration points at all), scores vasopressors "
    "from dopamine/dobutamine only (epinephrine or norepinephrine <= 0.1 µg/kg/min = 3 points in "
    "Vincent 1996) and leaves out the renal points (creatinine / urine output)"
)
_CAPRINI = (
    "label's running total is not accumulated (each item is added to the age points and then "
    "dropped, e.g. '3 + 1 = 4' followed by 'keeping the total at 1') and BMI > 25 is ignored; "
    "Caprini 2005 sums all items"
)
_DUE = (
    "label adds |cycle - 28| days even when the cycle is shorter than 28 days; Naegele's rule "
    "with cycle adjustment is LMP + 280 + (cycle - 28) days"
)
_CONCEPTION = (
    "label uses LMP + 14 days whatever the cycle length; ovulation is ~14 days before the next "
    "menses, so conception = LMP + (cycle - 14) days (= cycle-adjusted due date - 266 days)"
)

DIAGNOSES: dict[int, tuple[str, str]] = {
    23: (
        LABEL,
        "label uses kappa = 0.7 for a man with Scr <= 0.9 mg/dL (bug in the package's "
        "ckd_epi_2021_explanation); CKD-EPI 2021 (Inker 2021) uses kappa = 0.9 for men",
    ),
    200: (LABEL, _CHILD_PUGH),
    202: (LABEL, _CHILD_PUGH),
    208: (LABEL, _CHILD_PUGH),
    216: (LABEL, _CHILD_PUGH),
    218: (LABEL, _CHILD_PUGH),
    242: (LABEL, _RCRI),
    250: (LABEL, _RCRI),
    251: (LABEL, _RCRI),
    255: (LABEL, _RCRI),
    341: (
        LABEL,
        "label rounds MELD(i) to a whole number (0.68 -> 1 -> 10); OPTN multiplies by 10 "
        "and rounds to the tenth (6.8), final MELD-Na 7",
    ),
    389: (
        LABEL,
        "label gives 1 point for hemoglobin 13.0 g/dL in a man; Blatchford 2000: "
        "12.0-12.9 g/dL = 1, >= 13.0 = 0",
    ),
    430: (
        LABEL,
        "label scores diabetes with end-organ damage 1 (Charlson: 2) and a localized "
        "solid tumour 1 (Charlson: 2)",
    ),
    432: (
        LABEL,
        "label scores diabetes with end-organ damage 1 (Charlson: 2) and a solid tumour "
        "1 (Charlson: 2 unless metastatic)",
    ),
    443: (
        LABEL,
        "label scores diabetes with end-organ damage 1 (Charlson: 2), moderate-severe "
        "liver disease 1 (Charlson: 3) and a solid tumour 1 (Charlson: 2)",
    ),
    446: (
        LABEL,
        "label scores moderate-severe liver disease 1 (Charlson: 3) and a solid tumour "
        "1 (Charlson: 2)",
    ),
    553: (LABEL, _FRAMINGHAM),
    557: (LABEL, _FRAMINGHAM),
    559: (LABEL, _FRAMINGHAM),
    560: (LABEL, _FRAMINGHAM),
    606: (
        LABEL,
        "label reads 97.9 'degrees fahreinheit' (typo) as Celsius (> 38 °C, +1); "
        "97.9 °F = 36.6 °C meets no temperature criterion",
    ),
    780: (
        TYPO,
        "the note's albumin '3.2 mg/dl' is a typo for g/dL; the label uses 0.0032 g/dL "
        "(+10 mEq/L of correction); the library rejects an albumin of 0.003 g/dL",
    ),
    824: (
        TYPO,
        "the note's albumin '3.5 mg/dL' is a typo for g/dL; the label uses 0.0035 g/dL; "
        "the library rejects an albumin of 0.0035 g/dL",
    ),
    829: (LABEL, "label reads 38.0 'degrees celsisus' (typo) as Fahrenheit (3.3 °C, +15)"),
    849: (LABEL, _GCS),
    854: (LABEL, _GCS),
    856: (LABEL, _GCS + "; verbal 'not testable' is scored 4 (and its text says 'oriented', 5)"),
    861: (LABEL, _GCS),
    862: (LABEL, _GCS),
    870: (
        LABEL,
        _APACHE + _APACHE_TEMP + "; pH 7.29 (+2) and chronic health (+5, surgery type "
        "'Nonoperative ' with a trailing space) are not scored",
    ),
    872: (
        LABEL,
        _APACHE + "; chronic health (+5, 'Nonoperative ' with a trailing space) is not scored",
    ),
    873: (LABEL, _APACHE + "; pH 7.30 (+2) is not scored"),
    874: (LABEL, _APACHE + _APACHE_TEMP),
    885: (LABEL, _APACHE + _APACHE_TEMP),
    894: (LABEL, _SOFA),
    896: (LABEL, _SOFA),
    902: (LABEL, _SOFA),
    904: (LABEL, _SOFA),
    905: (LABEL, _SOFA),
    913: (LABEL, _CAPRINI),
    916: (LABEL, _CAPRINI),
    921: (LABEL, _CAPRINI),
    925: (LABEL, _CAPRINI),
    927: (LABEL, _CAPRINI),
    930: (LABEL, _DUE),
    931: (LABEL, _DUE),
    946: (LABEL, _DUE),
    947: (LABEL, _DUE),
    1013: (CONVENTION, _CONCEPTION),
    1018: (CONVENTION, _CONCEPTION),
    1019: (CONVENTION, _CONCEPTION),
    1022: (CONVENTION, _CONCEPTION),
    1024: (CONVENTION, _CONCEPTION),
}
