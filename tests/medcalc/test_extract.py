"""Rule-based extractors on hand-written snippets: values, units, spans, negation, absurd input."""

from __future__ import annotations

import pytest

from clinreason.tools.extract import NoteExtractor, extract_entity, judge, mentions
from clinreason.tools.extract.dates import extract_cycle_length, extract_lmp, find_dates, parse_date
from clinreason.tools.extract.demographics import extract_age, extract_race, extract_sex
from clinreason.tools.extract.gcs import extract_gcs_components, extract_gcs_total
from clinreason.tools.extract.medications import (
    extract_drinks_per_week,
    extract_input_steroid,
    extract_opioids,
    extract_target_steroid,
)
from clinreason.tools.extract.registry import pick_for, read_number_at


def _check_span(note: str, found) -> None:
    assert found is not None
    assert found.span.text == note[found.span.start : found.span.end]
    assert found.span.text.strip() == found.span.text


@pytest.mark.parametrize(
    ("key", "note", "entity", "evidence"),
    [
        (
            "creatinine",
            "Serum creatinine was 1.4 mg/dL.",
            [1.4, "mg/dL"],
            "Serum creatinine was 1.4 mg/dL",
        ),
        ("creatinine", "Her Cr 124 µmol/L on day 1.", [124, "µmol/L"], "Cr 124 µmol/L"),
        ("creatinine", "creatinine 2.1 (normal 0.6-1.2)", [2.1, "mg/dL"], "creatinine 2.1"),
        ("Sodium", "Na 128 mEq/L, K 3.1 mEq/L", [128, "mEq/L"], "Na 128 mEq/L"),
        ("Potassium", "Na 128 mEq/L, K 3.1 mEq/L", [3.1, "mEq/L"], "K 3.1 mEq/L"),
        ("Platelet count", "platelets 150 x 10^9/L", [150000, "µL"], "platelets 150 x 10^9/L"),
        ("White blood cell count", "WBC 12,300/mm3", [12300, "µL"], "WBC 12,300/mm3"),
        ("Hemoglobin", "Hb 98 g/L", [9.8, "g/dL"], "Hb 98 g/L"),
        ("FiO₂", "on FiO2 0.4", [40, "%"], "FiO2 0.4"),
        ("international normalized ratio", "INR 2.3, PT 25 s", 2.3, "INR 2.3"),
        ("pH", "ABG pH 7.21; urine pH 5", 7.21, "pH 7.21"),
        ("Heart Rate or Pulse", "tachycardic to 130 beats/min", [130, "beats per minute"], None),
        ("Temperature", "febrile to 101.3 F", [101.3, "degrees fahrenheit"], "febrile to 101.3 F"),
        ("Temperature", "temperature 38.5 °C", [38.5, "degrees celsius"], None),
        ("respiratory rate", "RR 22 breaths/min", [22, "breaths per minute"], None),
        ("O₂ saturation percentage", "SpO2 91% on room air", [91, "%"], None),
        ("weight", "He weighed 70 kg.", [70, "kg"], "weighed 70 kg"),
        ("weight", "weight 154 lbs", [154, "lbs"], None),
        ("height", "He is 5 feet 9 inches tall.", [69, "in"], None),
        ("height", "A 45-year-old, 58 kg, 156 cm woman", [156, "cm"], None),
        ("Systolic Blood Pressure", "BP 145/92 mmHg", [145, "mm Hg"], "BP 145/92 mmHg"),
        ("Diastolic Blood Pressure", "BP 145/92 mmHg", [92, "mm Hg"], None),
        ("QT interval", "QTc 480 ms; QT interval of 330 msec", [330, "msec"], None),
        ("Glucose", "glucose 5.6 mmol/L", [5.6, "mmol/L"], None),
        ("Glucose", "blood glucose of 250", [250, "mg/dL"], None),
        ("Bilirubin", "total bilirubin 3.2 mg/dL (direct 2.0 mg/dL)", [3.2, "mg/dL"], None),
        ("Albumin", "albumin 28 g/L", [28, "g/L"], None),
        ("Blood Urea Nitrogen (BUN)", "urea 10 mmol/L", [10, "mmol/L"], None),
    ],
)
def test_measurements(key: str, note: str, entity, evidence: str | None) -> None:
    found = extract_entity(key, note)
    _check_span(note, found)
    assert found.entity() == entity
    if evidence is not None:
        assert found.span.text == evidence


def test_unit_inference_is_recorded() -> None:
    found = extract_entity("Potassium", "K 4.1, Na 140")
    assert found.entity() == [4.1, "mmol/L"]
    assert "inferred" in found.note


@pytest.mark.parametrize(
    ("key", "note"),
    [
        ("weight", "weight -5 kg"),  # negative: the number is not read as a weight
        ("weight", "She lost 10 kg over a year."),  # a change, not a weight
        ("creatinine", "creatinine 0 mg/dL"),  # absurd
        ("creatinine", "creatinine 1.2 mmHg"),  # not a concentration
        ("Sodium", "sodium 13100 mg/dL"),  # plausible in no unit
        ("creatinine", "creatinine clearance 45 mL/min"),
        ("creatinine", "urine creatinine 80 mg/dL"),
        ("Heart Rate or Pulse", "heart rate 900 bpm"),
        ("Temperature", "temperature 60 °C"),
    ],
)
def test_absurd_or_unknown_values_are_not_extracted(key: str, note: str) -> None:
    assert extract_entity(key, note) is None


@pytest.mark.parametrize(
    ("key", "note", "entity", "why"),
    [
        # a concentration unit the quantity is not listed with: converted when plausible
        ("creatinine", "creatinine 12 mg/L", [1.2, "mg/dL"], "converted from mg/L"),
        # implausible in the written unit, plausible in exactly one other: a recorded unit slip
        ("Sodium", "sodium 131 mg/dL", [131, "mmol/L"], "assumed a unit slip"),
        ("Sodium", "sodium 131 mg·dL−1, potassium 4", [131, "mmol/L"], "assumed a unit slip"),
        ("Albumin", "albumin, 3.3 mg/dL; calcium", [3.3, "g/dL"], "assumed a unit slip"),
        ("Albumin", "serum albumin was 4.2 g/L", [4.2, "g/dL"], "assumed a unit slip"),
        ("Albumin", "serum albumin was 42 g/L", [42, "g/L"], ""),
    ],
)
def test_other_units_are_converted_or_read_as_a_recorded_slip(
    key: str, note: str, entity: list, why: str
) -> None:
    found = extract_entity(key, note)
    assert found is not None and found.entity() == entity
    assert why in found.note and (why or found.note == "")


@pytest.mark.parametrize(
    ("key", "note", "entity"),
    [
        (
            "Calcium",
            "Labs showed severe hypercalcemia at 17.95 mg/dl (8.7-10.4).",
            [17.95, "mg/dL"],
        ),
        ("Sodium", "She had hyponatraemia of 118 mmol/L.", [118, "mmol/L"]),
        (
            "Blood Urea Nitrogen (BUN)",
            "blood urea nitrogen (BUN)/creatinine of 21/1.0",
            [21, "mg/dL"],
        ),
        ("creatinine", "blood urea nitrogen (BUN)/creatinine of 21/1.0", [1, "mg/dL"]),
        ("height", "Birth length 55 cm. At 15 years, height 157.5 cm.", [157.5, "cm"]),
        (
            "creatinine",
            "Creatinine was 0.95 mg/dL a year before. Now creatinine 1.9 mg/dL.",
            [1.9, "mg/dL"],
        ),
        ("Number of Alcoholic Drinks Per Week", "She drinks a weekly average of 12 beers.", 12),
        ("Number of Alcoholic Drinks Per Week", "Limited to a single drink per week.", 1),
    ],
)
def test_wordings(key: str, note: str, entity) -> None:
    found = extract_entity(key, note)
    assert found is not None and found.entity() == entity
    _check_span(note, found)


def test_fentanyl_in_mg_beyond_any_dose_is_a_recorded_slip() -> None:
    out = extract_opioids("She uses 20 mg of FentaNYL buccal 2 times a day.")
    dose = out["FentaNYL buccal Dose"]
    assert dose.entity() == [20, "µg"] and "unit slip" in dose.note
    assert (
        extract_opioids("0.4 mg of FentaNYL buccal once a day")["FentaNYL buccal Dose"].unit == "mg"
    )


def test_negation_covers_a_coordinated_list() -> None:
    note = "Records show no prior major bleeding events or known predisposition to bleeding."
    assert judge(note, "Prior major bleeding or predisposition to bleeding").value is False
    assert judge("He is free from hypertension.", "Hypertension history").value is False


def test_first_value_is_used_unless_latest_asked() -> None:
    note = "On admission creatinine 2.0 mg/dL; at discharge creatinine 1.1 mg/dL."
    first = NoteExtractor(note, "What is the creatinine clearance?").get("creatinine")
    assert first.value == 2 and first.selection == "first" and "first of 2" in first.note
    assert [(a.value, a.span.text) for a in first.alternatives] == [(1.1, "creatinine 1.1 mg/dL")]
    last = NoteExtractor(note, "Using the most recent labs, what is ...?").get("creatinine")
    assert last.value == 1.1 and last.selection == "last"
    assert [a.value for a in last.alternatives] == [2]
    assert pick_for("latest value?") == "last"


def test_respectively_and_slash_lists() -> None:
    note = "Sodium, potassium and chloride were 128, 3.2 and 95 mmol/L, respectively."
    x = NoteExtractor(note)
    assert x.get("Sodium").entity() == [128, "mmol/L"]
    assert x.get("Potassium").entity() == [3.2, "mmol/L"]
    assert x.get("Chloride").entity() == [95, "mmol/L"]
    note = "AST/ALT 471/374 IU/L and Na/K 127/2.6 mEq/L."
    x = NoteExtractor(note)
    assert x.get("Aspartate aminotransferase").entity() == [471, "U/L"]
    assert x.get("Alanine aminotransferase").entity() == [374, "U/L"]
    assert x.get("Potassium").entity() == [2.6, "mEq/L"]
    _check_span(note, x.get("Potassium"))


def test_derived_bmi_says_how_it_was_computed() -> None:
    note = "Weight 80 kg, height 160 cm."
    bmi = extract_entity("Body Mass Index (BMI)", note)
    assert bmi.entity() == [31.2, "kg/m^2"] and "computed from weight" in bmi.note
    _check_span(note, bmi)


@pytest.mark.parametrize(
    ("note", "value", "unit", "evidence"),
    [
        ("An 87-year-old man with CKD.", 87, "years", "87-year-old"),
        ("A girl aged 5 months presented.", 5, "months", "aged 5 months"),
        ("A seventy-two-year-old woman.", 72, "years", "seventy-two-year-old"),
        ("The patient, 45 yo, had fever.", 45, "years", "45 yo"),
        ("Born at a gestational age of 32 weeks, the 3-day-old boy...", 3, "days", "3-day-old"),
        ("ED triage: 54 M, palpitations since lunchtime.", 54, "years", "54 M"),
        ("Triage 16:05 - 27F c/o sore throat x3d.", 27, "years", "27F"),
        ("Seen at 03:15. 79M brought in by ambulance.", 79, "years", "79M"),
    ],
)
def test_age(note: str, value: int, unit: str, evidence: str) -> None:
    found = extract_age(note)
    _check_span(note, found)
    assert (found.value, found.unit, found.span.text) == (value, unit, evidence)


@pytest.mark.parametrize(
    ("note", "sex", "evidence"),
    [
        ("A 45-year-old woman with chest pain.", "Female", "woman"),
        ("Mr. Smith, 60, was admitted.", "Male", "Mr."),
        ("The patient said he had pain; his wife agreed.", "Male", "he"),
        ("His mother had diabetes. The 9-year-old girl ...", "Female", "girl"),
        ("ED notes - 79 F, care home resident; her son visits.", "Female", "79 F"),
        ("66M from home; his wife says she found him confused.", "Male", "66M"),
    ],
)
def test_sex(note: str, sex: str, evidence: str) -> None:
    found = extract_sex(note)
    _check_span(note, found)
    assert (found.value, found.span.text) == (sex, evidence)


@pytest.mark.parametrize(
    "note",
    [
        "Obs: Temp: 101 F, HR 96, RR 18.",  # Fahrenheit, not a 101-year-old woman
        "Urinary retention; Foley: 16 F catheter inserted.",  # a catheter size
        "Dose: 5 mg. Tonsils 3+.",
    ],
)
def test_no_shorthand_age_or_sex(note: str) -> None:
    assert extract_age(note) is None and extract_sex(note) is None


def test_race() -> None:
    assert extract_race("A 60-year-old African American man.").value == "Black"
    assert extract_race("No race stated; white blood cell count 9.") is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("seen on 2/13/02", "02/13/2002"),
        ("on 13/02/2002", "02/13/2002"),
        ("on March 3rd, 2002", "03/03/2002"),
        ("on 3 March 2002", "03/03/2002"),
        ("on 2002-03-04", "03/04/2002"),
        ("on Sept. 9, 1999", "09/09/1999"),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert parse_date(text) == date


def test_impossible_date_is_ignored() -> None:
    assert find_dates("on 02/30/2020") == []


def test_obstetric_inputs() -> None:
    note = "The patient's last menstrual period was on 02/13/2002. Her cycle length is 25 days."
    lmp = extract_lmp(note)
    _check_span(note, lmp)
    assert lmp.value == "02/13/2002"
    assert extract_cycle_length(note).value == 25


def test_negation_family_and_hypothetical_mentions() -> None:
    note = (
        "No history of stroke. Her father had hypertension. CT was done to rule out pulmonary "
        "embolism. She has diabetes."
    )
    assert judge(note, "Stroke").value is False
    assert judge(note, "Hypertension history") is None  # only a relative's
    assert judge(note, "Previously Documented Pulmonary Embolism") is None  # hypothetical
    found = judge(note, "Diabetes history")
    assert found.value is True
    _check_span(note, found)
    assert [
        m.negated for m in mentions("Denies chest pain, hemoptysis or fever.", "Hemoptysis")
    ] == [True]


@pytest.mark.parametrize(
    ("key", "note", "value"),
    [
        # a procedure performed this admission counts as recent; one dated long ago does not
        ("Surgery in the previous 4 weeks", "A total hysterectomy was performed.", True),
        ("Surgery in the previous 4 weeks", "In 2019, she underwent a hysterectomy.", True),
        ("Surgery in the previous 4 weeks", "She underwent aortic valve replacement.", True),
        ("Major surgery within 12 weeks", "He underwent polypectomy a year before.", None),
        ("Major surgery within 12 weeks", "Status post appendectomy 10 years ago, now well.", None),
        ("Elevated-risk surgery", "Seen before a planned lung cancer resection.", True),
        ("Vascular disease history", "Known coronary arterial disease.", True),
        ("Hemiplegia", "Residual left-sided weakness after a stroke.", True),
        ("Fever in past 24 hours", "Sore throat and fevers for two days.", True),
        ("Purulent tonsils", "The tonsils are enlarged with exudates.", True),
        ("Severe tonsil inflammation", "Bilaterally enlarged, erythematous tonsils.", True),
        (
            "Tender/swollen anterior cervical lymph nodes",
            "A 3-cm warm, tender, nonfluctuant cervical lymph node.",
            True,
        ),
        ("Tender/swollen anterior cervical lymph nodes", "Enlarged submandibular nodes.", True),
        # Wells DVT: a note that raises DVT makes no alternative more likely; ruled out -> True
        (
            "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely",
            "Swelling of the left calf; Doppler showed a popliteal vein thrombosis.",
            False,
        ),
        (
            "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely",
            "Doppler ultrasound excluded deep vein thrombosis.",
            True,
        ),
    ],
)
def test_finding_rules(key: str, note: str, value: bool | None) -> None:
    found = judge(note, key)
    assert (found.value if found else None) is value
    if found is not None and found.span is not None:
        _check_span(note, found)


def test_inverse_finding_cough_absent() -> None:
    assert judge("He denies cough.", "Cough Absent").value is True
    assert judge("Productive cough for 3 days.", "Cough Absent").value is False


def test_gcs() -> None:
    assert extract_gcs_total("GCS of 11 on arrival.").value == 11
    assert extract_gcs_total("Glasgow coma scale E2V3M5.").value == 10
    note = "He opens his eyes upon verbal request, speaks inappropriate words and localizes pain."
    parts = extract_gcs_components(note)
    assert parts["Best eye response"].value == "eye opening to verbal command"
    assert parts["Best verbal response"].value == "inappropriate words"
    assert parts["Best motor response"].value == "localizes pain"
    for found in parts.values():
        _check_span(note, found)


def test_doses() -> None:
    note = "The patient takes 50 mg of Tapentadol 1 time a day and 10 mg of OxyCODONE twice daily."
    out = extract_opioids(note)
    assert out["Tapentadol Dose"].entity() == [50, "mg"]
    assert out["OxyCODONE Dose Per Day"].entity() == [2, "per day"]
    steroid = extract_input_steroid("Patient has taken 9.599 mg of MethylPrednisoLONE IV.")
    assert steroid.value == ["MethylPrednisoLONE IV", 9.599, "mg"]
    q = (
        "Based on the patient's dose of PredniSONE PO, what is the equivalent dosage in mg of "
        "Cortisone PO?"
    )
    target = extract_target_steroid(q)
    assert target.value == "Cortisone PO" and target.span.source == "question"
    assert q[target.span.start : target.span.end] == target.span.text
    assert extract_drinks_per_week("He drinks 2 beers a day.").value == 14
    assert extract_drinks_per_week("She denies alcohol use.").value == 0


def test_number_located_by_a_model_needs_a_valid_unit() -> None:
    note = "Her Cr rose to 2.3 mg/dL, and 2.3 kg were lost."
    assert read_number_at("creatinine", note, 2.3).entity() == [2.3, "mg/dL"]
    assert read_number_at("creatinine", "Weight 2.3 kg.", 2.3) is None
    assert read_number_at("creatinine", note, 9.9) is None
