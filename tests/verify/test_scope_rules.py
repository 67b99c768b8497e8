"""Reported-vs-asserted findings, unit swaps and derived values (table-driven; the negation
scope rules themselves: tests/tools/test_negation.py)."""

from __future__ import annotations

import pytest

from clinreason.trace import Case, ComponentSpec, Extraction, Span, Thought, Trace
from clinreason.verify import verify_trace
from clinreason.verify.arith import arithmetic_claims
from clinreason.verify.consistency import stated_conclusion
from clinreason.verify.findings import Finding, asserted_findings
from clinreason.verify.text import quantities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The patient does not report chest pain.", [Finding("chest pain", False)]),
        # statements about the record, not the patient
        ("The patient note does not report a status on 'hormonal use'.", []),
        ("The patient is not reported to have been diagnosed with DVT in the past.", []),
        # relatives' history
        ("She has a family history of breast cancer.", []),
        ("His mother had breast cancer.", []),
        ("He has fever, and his father has diabetes.", [Finding("fever", True)]),
        ("He has a history of diabetes.", [Finding("diabetes", True)]),
        ("Ｈe has fever.", [Finding("fever", True)]),  # full-width letter (NFKC)
        # a hedged main clause does not hedge its reason clause
        ("Option B is unlikely because the patient has no fever.", [Finding("fever", False)]),
        ("Sepsis can be ruled out since there is no fever.", [Finding("fever", False)]),
        ("B is less likely given that she denies chest pain.", [Finding("chest pain", False)]),
        ("B is likely because fever may suggest it.", []),  # the reason is hedged too
        ("Pneumonia is possible if he has fever.", []),
        # a new clause after a negated list is not one of its items (seen in a real cot trace)
        (
            "The X-ray does not show any consolidation, and the ECG reveals sinus tachycardia.",
            [Finding("consolidation", False), Finding("sinus tachycardia", True)],
        ),
    ],
)
def test_asserted_findings(text, expected):
    assert asserted_findings(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sodium 131 mg·dL−1", [(131.0, "mg/dL", "sodium")]),
        ("potassium 4 mmol L-1", [(4.0, "mmol/L", "potassium")]),
        ("Hb 12 g.dL-1", [(12.0, "g/dL", "hemoglobin")]),
        ("WBC 11,500 counts/µL", [(11500.0, "/uL", "wbc")]),
    ],
)
def test_exponent_and_count_units(text, expected):
    assert [(q.value, q.unit, q.analyte) for q in quantities(text)] == expected


NOTE = (
    "A 54-year-old woman. Total bilirubin 2.1 mg/dL, sodium 128 mEq/L, HCO3 10 mEq/L, "
    "potassium 5.9 mEq/L, BMI 31.2. She was admitted on day 6."
)


@pytest.mark.parametrize(
    ("thought", "expected"),
    [
        ("Her total bilirubin is 5.2 mg/dL.", ["contradicted"]),  # 'total' of an analyte name
        ("Her total bilirubin is 2.1 mg/dL.", ["supported"]),
        ("Sodium is 128 mmol/L.", ["supported"]),  # mEq/L = mmol/L for sodium
        ("Bicarbonate is 10 mg/dL.", ["contradicted"]),  # unit swap, same number
        ("Sodium is 138 mEq/L.", ["contradicted"]),
        # a changed value that equals an unrelated unlabelled number only after rounding
        ("Potassium is 6.2 mEq/L.", ["contradicted"]),
        # exact comparisons against a written threshold (no rounding slack)
        ("Potassium 5.9 is above 5.5.", ["supported", "supported"]),
        ("Potassium 5.9 is below 5.5.", ["supported", "contradicted"]),
        ("BMI 31.2 is below 31.", ["supported", "contradicted"]),
        # computed values are left to the calculation verifier
        ("The adjusted body weight is 64.1 kg.", []),
        ("The total score is 7 points.", []),
    ],
)
def test_numbers_rules(thought, expected):
    case = Case(id="n", question="?", context=NOTE)
    trace = Trace(
        case=case, strategy=ComponentSpec(name="t"), steps=[Thought(id="s1", text=thought)]
    )
    assert [v.status for v in verify_trace(trace, ["numbers"])] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("So the CrCl is 52.1 mL/min.", "52.1"),
        ("This is equivalent to 300.96 mOsm/kg.", "300.96"),  # closing number after 'to'
        ("Making the patient's MELD Na score, 10 points.", "10"),
        ("The BMI is 24.1 kg/m^2.", "24.1"),
        ("The GFR is 52 mL/min/1.73 m².", None),  # 1.73 and 2 belong to the unit
        ("Matched by name; confidence 1.00", None),  # no linking word
        ("Creatinine is 1.4 mg/dL.", None),  # a value restated from the note
    ],
)
def test_numeric_conclusion(text, expected):
    case = Case(id="c", question="?", answer_type="number", context="Cr 1.4 mg/dL.")
    assert stated_conclusion(text, case) == expected
    mcq = Case(id="m", question="?", options={"A": "x", "B": "y"}, context="Cr 1.4 mg/dL.")
    assert stated_conclusion("The BMI is 24.1 kg/m^2.", mcq) is None  # not for choices


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        ("50 kg + 2.3 kg * (67.323 (in inches) - 60) = 66.843 kg.", True),
        ("50 kg + 2.3 kg * (67.323 (in inches) - 60) = 43.364 kg.", False),
        ("we get 5.0 (mEq/L) + 2.5 * (4 - 3.4 (in g/dL)) = 6.5 mEq/L.", True),  # unit remark
        ("we get 5.0 (mEq/L) + 2.5 * (4 - 3.4 (in g/dL)) = 8.0 mEq/L.", False),
        ("BSA is sqrt((53.0 * 153.0)/3600) = 1.501 m^2.", True),  # functions, m^2
        ("BSA is sqrt((53.0 * 153.0)/3600) = 1.175 m².", False),
        ("QTc is 330/∛(0.674) = 376.381.", True),
        ("QTc is 330/√(0.674) = 376.381.", False),  # a square root written for a cube root
        ("risk is 1 - 0.9402^exp(0.5) = 9.7 %.", True),  # a fraction stated in percent
        ("risk is 1 - 0.9402^exp(0.5) = 12.7 %.", False),
        ("ln(49) - 1 = 2.89", True),
    ],
)
def test_arithmetic_with_unit_remarks(text, correct):
    assert [c.correct for c in arithmetic_claims(text)] == [correct]


@pytest.mark.parametrize("text", ["sqrt(-4) = 2", "exp(5000) = 1", "ln(0) = 1"])
def test_functions_outside_their_domain_are_unverifiable(text):
    assert [c.correct for c in arithmetic_claims(text)] == [None]


_UNITS = {"age": "years", "height": "in", "Hematocrit": "%"}
SPAN_NOTE = (
    "Asked, she denied any recent episodes of fainting. He does not have heart failure or "
    "chronic obstructive pulmonary disease. There is leg edema. WBC count was 5.7 K/mm3.\n"
    "ED triage: 27F, sore throat. No cough. Height 5 ft 10 in, haematocrit 0.36. Past TIA two "
    "years earlier; she had no congestive cardiac failure. Referred to the DVT clinic."
)


@pytest.mark.parametrize(
    ("name", "text", "value", "expected"),
    [
        # the span holds its own negation word
        ("Recent syncope", "denied any recent episodes of fainting", False, "supported"),
        ("Recent syncope", "denied any recent episodes of fainting", True, "contradicted"),
        ("COPD", "chronic obstructive pulmonary disease", False, "supported"),
        ("Leg edema", "leg edema", False, "contradicted"),
        ("Leg edema", "leg edema", True, "supported"),
        ("White blood cell count", "5.7 K/mm3", 5700, "supported"),  # count scale
        ("White blood cell count", "5.7 K/mm3", 7500, "contradicted"),
        # a criterion named as an absence is true where the note negates the finding
        ("Cough Absent", "No cough", True, "supported"),
        ("Absence of cough or coryza", "No cough", False, "contradicted"),
        # a span that runs across a ';' into the negated finding
        (
            "Congestive Heart Failure",
            "years earlier; she had no congestive cardiac failure",
            False,
            "supported",
        ),
        (
            "Congestive Heart Failure",
            "years earlier; she had no congestive cardiac failure",
            True,
            "contradicted",
        ),
        # read as absent from a quote about something else: not a contradiction
        ("Alternative diagnosis as likely or more likely", "DVT", False, "unverifiable"),
        ("DVT", "DVT", False, "contradicted"),
        # age and sex in triage shorthand, feet and inches, a haematocrit as a fraction
        ("age", "27F", 27, "supported"),
        ("age", "27F", 72, "contradicted"),
        ("height", "5 ft 10 in", 70, "supported"),
        ("height", "5 ft 10 in", 58, "contradicted"),
        ("Hematocrit", "haematocrit 0.36", 36, "supported"),
        ("Hematocrit", "haematocrit 0.36", 42, "contradicted"),
    ],
)
def test_extraction_spans(name, text, value, expected):
    case = Case(id="x", question="?", context=SPAN_NOTE)
    start = SPAN_NOTE.index(text)
    step = Extraction(
        id="s1",
        name=name,
        value=value,
        unit=None if isinstance(value, bool) else _UNITS.get(name, "µL"),
        span=Span(start=start, end=start + len(text), text=text),
    )
    trace = Trace(case=case, strategy=ComponentSpec(name="t"), steps=[step])
    verifier = "grounding" if isinstance(value, bool) else "numbers"
    verdicts = verify_trace(trace, [verifier])
    assert verdicts and verdicts[-1].status == expected


def test_identifiers_are_not_measurements():
    case = Case(id="i", question="?", context="Calcium 9.1 mg/dL.")
    text = "Calculator: Calcium Correction (MedCalc id 7), option 2, step 3."
    trace = Trace(case=case, strategy=ComponentSpec(name="t"), steps=[Thought(id="s1", text=text)])
    assert verify_trace(trace, ["numbers"]) == []
