"""Table-driven tests of each verifier on hand-built traces."""

from __future__ import annotations

import pytest

from clinreason.trace import (
    Answer,
    Case,
    ComponentSpec,
    Extraction,
    KGLink,
    Span,
    Thought,
    ToolCall,
    Trace,
    Vote,
)
from clinreason.verify import (
    VERIFIERS,
    CalculationCheck,
    ConsistencyCheck,
    GroundingCheck,
    NumbersCheck,
    summarize,
    verify_trace,
)
from tests.verify.verify_helpers import make_trace

NOTE = (
    "A 67-year-old man weighs 154 lbs and is 175 cm tall. Creatinine 1.4 mg/dL, Na 128 mEq/L, "
    "K 5.9. HR 110 bpm, BP 150/95 mmHg, temperature 38.5 °C. He denies chest pain but reports "
    "dyspnea. No fever or rash."
)


def statuses(verifier, thoughts, context=NOTE, answer=None, **case):
    t = make_trace(context, thoughts, answer, **case)
    return [v.status for v in verifier.verify(t, t.case)]


@pytest.mark.parametrize(
    ("thought", "expected"),
    [
        ("Creatinine is 1.4 mg/dL.", ["supported"]),
        ("Creatinine is 2.1 mg/dL.", ["contradicted"]),  # wrong retrieval
        ("Creatinine is 124 µmol/L.", ["supported"]),  # unit conversion
        ("Creatinine is 1.4 µmol/L.", ["contradicted"]),  # swapped unit
        ("He weighs 70 kg.", ["supported"]),  # 154 lb
        ("Temperature 101.3 °F.", ["supported"]),
        ("Temperature 38.5 °F.", ["contradicted"]),
        ("A 67-year-old.", ["supported"]),
        ("A 76-year-old.", ["contradicted"]),
        ("BP 150/95 mmHg.", ["supported", "supported"]),
        ("Systolic BP of 140 mmHg.", ["contradicted"]),
        ("Glucose is 200 mg/dL.", ["unverifiable"]),  # not in the note
        ("He had 2 episodes over 3 days.", []),  # "over" reads as a threshold: no claim
        ("Symptoms for 3 days.", ["unverifiable"]),  # a duration the note does not give
        ("The score is 4 points.", []),  # scores are not patient values
        ("Normal sodium is 135-145 mEq/L.", []),  # reference range
        ("HR 110 is above 100.", ["supported", "supported"]),
        ("HR 110 is below 100.", ["supported", "contradicted"]),  # wrong comparison
        ("Sodium is above 135.", ["contradicted"]),  # note value compared
        ("Sodium is not above 135.", ["supported"]),
        ("Tachycardia is defined as HR > 100.", []),  # a definition, not a claim
        ("Potassium 5.9 exceeds the upper limit of 5.0.", ["supported", "supported"]),
        ("Creatinine 1" + "0" * 500 + " mg/dL.", ["unverifiable"]),  # enormous number
        ("", []),
        ("肌酐 1.4 mg/dL — ça va.", ["supported"]),  # unicode around a unit-bearing number
    ],
)
def test_numbers(thought, expected):
    assert statuses(NumbersCheck(), [thought]) == expected


def test_body_mass_index_is_not_the_weight_and_a_question_threshold_is_no_value():
    # "body mass index" once read as "body mass" (the weight), so "BMI above 25" was checked
    # against 70 kg; and "above 25" in the question was read as a BMI of 25
    thought = "He weighs 70 kg and is 175 cm tall, so the body mass index is above 25."
    t = make_trace(NOTE, [thought], question="Is his BMI above 25?")
    verdicts = NumbersCheck().verify(t, t.case)
    assert [(v.claim, v.status) for v in verdicts] == [
        ("weight 70 kg", "supported"),
        ("175 cm", "supported"),
    ]
    stated = make_trace(NOTE, ["The body mass index is 22.8, below 25."])
    assert [v.status for v in NumbersCheck().verify(stated, stated.case)] == [
        "unverifiable",
        "supported",
    ]


def test_numbers_accepts_tool_outputs_and_stated_arithmetic():
    t = make_trace(
        NOTE, ["CrCl = (140 - 67) × 70 / (72 × 1.4) = 50.7 mL/min.", "So CrCl is 50.7 mL/min."]
    )
    t.steps.insert(
        0, ToolCall(id="s0", tool="calculator.x", result={"value": 9.25, "unit": "mg/dL"})
    )
    t.steps.append(Thought(id="s9", text="Corrected calcium is 9.25 mg/dL."))
    assert {v.status for v in NumbersCheck().verify(t, t.case)} == {"supported"}


@pytest.mark.parametrize(
    ("value", "unit", "span_text", "method", "expected"),
    [
        (1.4, "mg/dL", "Creatinine 1.4 mg/dL", "rule", ["supported"]),
        (2.4, "mg/dL", "Creatinine 1.4 mg/dL", "rule", ["contradicted"]),  # value edited
        ([1.4, "mg/dL"], None, "Creatinine 1.4 mg/dL", "llm", ["supported"]),  # entity format
        (124, "µmol/L", "Creatinine 1.4 mg/dL", "rule", ["supported"]),
        (1.0, "mg/dL", None, "assumed", ["unverifiable"]),
        (True, None, None, "rule", []),  # not numeric
    ],
)
def test_numbers_extraction(value, unit, span_text, method, expected):
    case = Case(id="t", question="?", context=NOTE)
    span = None
    if span_text:
        start = NOTE.index(span_text)
        span = Span(start=start, end=start + len(span_text), text=span_text)
    step = Extraction(id="s1", name="creatinine", value=value, unit=unit, span=span, method=method)
    t = Trace(case=case, strategy=ComponentSpec(name="x"), steps=[step])
    assert [v.status for v in NumbersCheck().verify(t, case)] == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "written as mg/L, which gives no plausible albumin; read as g/dL (assumed a unit slip)",
            "unverifiable",
        ),
        ("", "contradicted"),  # the same reading without the recorded assumption
    ],
)
def test_numbers_recorded_unit_slip_is_flagged_not_contradicted(note, expected):
    context = "Serum albumin was 3.1 mg/L on admission."
    case = Case(id="t", question="?", context=context)
    text = "albumin was 3.1 mg/L"
    start = context.index(text)
    step = Extraction(
        id="s1",
        name="Albumin",
        value=3.1,
        unit="g/dL",
        span=Span(start=start, end=start + len(text), text=text),
        method="rule",
        note=note,
    )
    t = Trace(case=case, strategy=ComponentSpec(name="x"), steps=[step])
    verdicts = NumbersCheck().verify(t, case)
    assert [v.status for v in verdicts] == [expected]
    if note:
        assert "unit slip" in verdicts[0].evidence


@pytest.mark.parametrize(
    ("thought", "expected"),
    [
        ("3 + 2 = 5", ["supported"]),
        ("3 + 2 = 6", ["contradicted"]),
        ("72/1.8 = 40", ["supported"]),
        ("MAP = (150 + 2 × 95) / 3 = 113.3 mmHg", ["supported"]),
        ("MAP = (150 + 2 × 95) / 3 = 123.3 mmHg", ["contradicted"]),
        ("Total = 1 + 1 + 0 + 2 = 4 points, i.e. 4.", ["supported"]),
        ("The sum of 1, 2 and 2 is 6.", ["contradicted"]),  # aggregation
        ("10^1001 = 5", ["unverifiable"]),
        ("No arithmetic here, only 42 words.", []),
    ],
)
def test_calculation_arithmetic(thought, expected):
    assert statuses(CalculationCheck(), [thought]) == expected


def _calculator_trace(weight=80, result=None):
    from clinreason.tools.calculators import by_slug

    note = "He weighs 80 kg and is 175 cm tall."
    case = Case(id="bmi", question="BMI?", context=note)
    args = {"weight": [weight, "kg"], "height": [175, "cm"]}
    comp = by_slug("bmi").compute({"weight": [80, "kg"], "height": [175, "cm"]})
    steps = [
        Extraction(
            id="s1", name="weight", value=80, unit="kg", span=Span(start=10, end=15, text="80 kg")
        ),
        Extraction(
            id="s2", name="height", value=175, unit="cm", span=Span(start=23, end=29, text="175 cm")
        ),
        ToolCall(
            id="s3",
            tool="calculator.bmi",
            arguments=args,
            result={"value": comp.value if result is None else result, "unit": comp.unit},
            explanation=comp.steps,
            parents=["s1", "s2"],
        ),
    ]
    answer = Answer(value=f"{comp.value:.1f}", support=["s3"])
    return Trace(case=case, strategy=ComponentSpec(name="calculator"), steps=steps, answer=answer)


def test_calculator_trace_clean_and_edited():
    pytest.importorskip("clinreason.tools.calculators")
    clean = _calculator_trace()
    assert summarize(verify_trace(clean))["contradicted"] == 0
    edited_result = _calculator_trace(result=31.0)
    bad = [
        v
        for v in CalculationCheck().verify(edited_result, edited_result.case)
        if v.status == "contradicted"
    ]
    assert [v.step_id for v in bad] == ["s3"]
    edited_argument = _calculator_trace(weight=90)
    failures = {
        v.details.get("failure")
        for v in CalculationCheck().verify(edited_argument, edited_argument.case)
        if v.status == "contradicted"
    }
    assert failures == {"argument", "calculator"}


def test_calculator_unknown_tool_is_unverifiable():
    case = Case(id="t", question="?")
    t = Trace(
        case=case,
        strategy=ComponentSpec(name="x"),
        steps=[ToolCall(id="s1", tool="calculator.no_such_thing", result={"value": 1})],
    )
    assert [v.status for v in CalculationCheck().verify(t, case)] == ["unverifiable"]


@pytest.mark.parametrize(
    ("thought", "expected"),
    [
        ("He reports dyspnea.", ["supported"]),
        ("He has chest pain.", ["contradicted"]),  # the note denies it
        ("There is fever.", ["contradicted"]),
        ("He denies chest pain.", ["supported"]),
        ("He has no dyspnea.", ["contradicted"]),  # affirmed after "but" in the note
        ("He complains of shortness of breath.", ["supported"]),  # synonym of dyspnea
        ("He has hemoptysis.", ["unverifiable"]),  # not in the note
        ("Pneumonia is possible if he has fever.", []),  # hedged
        ("", []),
    ],
)
def test_grounding_findings(thought, expected):
    assert statuses(GroundingCheck(), [thought]) == expected


@pytest.mark.parametrize(
    ("start", "text", "value", "expected"),
    [
        (NOTE.index("chest pain"), "chest pain", False, ["supported", "supported"]),
        (NOTE.index("chest pain"), "chest pain", True, ["supported", "contradicted"]),
        (NOTE.index("dyspnea"), "dyspnea", True, ["supported", "supported"]),
        (3, "dyspnea", True, ["contradicted"]),  # offsets do not hold that text
        (0, "pancreatitis", True, ["contradicted"]),  # invented span
    ],
)
def test_grounding_extraction_span(start, text, value, expected):
    case = Case(id="t", question="?", context=NOTE)
    step = Extraction(
        id="s1", name=text, value=value, span=Span(start=start, end=start + len(text), text=text)
    )
    t = Trace(case=case, strategy=ComponentSpec(name="x"), steps=[step])
    assert [v.status for v in GroundingCheck().verify(t, case)] == expected


@pytest.mark.parametrize(
    ("mention", "negated", "expected"),
    [
        ("chest pain", False, "contradicted"),
        ("chest pain", True, "supported"),
        ("dyspnea", False, "supported"),
        ("seizure", False, "unverifiable"),
    ],
)
def test_grounding_kg_link(mention, negated, expected):
    case = Case(id="t", question="?", context=NOTE)
    t = Trace(
        case=case,
        strategy=ComponentSpec(name="x"),
        steps=[KGLink(id="s1", mention=mention, entity="HP:1", negated=negated)],
    )
    assert [v.status for v in GroundingCheck().verify(t, case)] == [expected]


OPTIONS = {"A": "Migraine", "B": "Bacterial meningitis", "C": "Tension headache"}


@pytest.mark.parametrize(
    ("thoughts", "answer", "expected"),
    [
        (["Fever and neck stiffness.", "Therefore, the answer is B."], "B", ["supported"]),
        (["Fever and neck stiffness.", "Therefore, the answer is B."], "A", ["contradicted"]),
        (["So the most likely diagnosis is bacterial meningitis."], "B", ["supported"]),
        (["So the most likely diagnosis is bacterial meningitis."], "C", ["contradicted"]),
        (["Option A is wrong, so B is unlikely too."], "B", []),  # no clear conclusion
        (["Answer: (C)"], "C", ["supported"]),
        ([], "B", []),  # empty trace
    ],
)
def test_consistency_mcq(thoughts, answer, expected):
    assert statuses(ConsistencyCheck(), thoughts, "", answer, options=OPTIONS) == expected


@pytest.mark.parametrize(
    ("thought", "answer", "expected"),
    [
        ("So the CrCl is 52.1 mL/min.", "52.1", ["supported"]),
        ("So the CrCl is 52.1 mL/min.", "52", ["supported"]),  # rounding
        ("So the CrCl is 52.1 mL/min.", "60.3", ["contradicted"]),
        ("Therefore, the anion gap is -11 mEq/L.", "-11", ["supported"]),
        ("Therefore, the anion gap is -11 mEq/L.", "11", ["contradicted"]),
        ("Final answer: 1" + "0" * 400, "5", ["contradicted"]),  # enormous number
    ],
)
def test_consistency_numeric(thought, answer, expected):
    assert statuses(ConsistencyCheck(), [thought], "", answer, question="CrCl?") == expected


@pytest.mark.parametrize(
    ("counts", "winner", "answer", "status", "score"),
    [
        ({"B": 4, "C": 1}, "B", "B", "supported", 0.8),
        ({"B": 2, "C": 2, "A": 1}, "B", "B", "unverifiable", 0.4),  # uncertain
        ({"B": 4, "C": 1}, "B", "C", "contradicted", 0.8),  # answer is not the vote
    ],
)
def test_consistency_vote(counts, winner, answer, status, score):
    case = Case(id="t", question="?", options=OPTIONS)
    vote = Vote(id="s1", counts=counts, winner=winner)
    t = Trace(
        case=case,
        strategy=ComponentSpec(name="sc"),
        steps=[vote],
        answer=Answer(value=answer, support=["s1"]),
    )
    (verdict,) = ConsistencyCheck().verify(t, case)
    assert (verdict.status, verdict.score) == (status, score)


def test_consistency_edited_answer_against_raw_reply():
    case = Case(id="t", question="?", options=OPTIONS)
    t = Trace(
        case=case,
        strategy=ComponentSpec(name="direct"),
        answer=Answer(value="C", raw='{"answer": "B"}'),
    )
    assert [v.status for v in ConsistencyCheck().verify(t, case)] == ["contradicted"]


def test_verify_trace_defaults_names_and_errors():
    t = make_trace(NOTE, ["Creatinine is 2.1 mg/dL."])
    names = {v.verifier for v in verify_trace(t)}
    assert names <= set(VERIFIERS) and "numbers" in names
    assert [v.status for v in verify_trace(t, ["numbers"])] == ["contradicted"]

    class Broken:
        name = "broken"

        def verify(self, trace, case):
            raise RuntimeError("boom")

    (v,) = verify_trace(t, [Broken()])
    assert v.status == "unverifiable" and "boom" in v.evidence


def test_verify_trace_unknown_name():
    from clinreason.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown verifier"):
        verify_trace(make_trace("", []), ["nope"])


def test_every_registered_verifier_handles_an_empty_trace():
    empty = Trace.model_validate({"case": {"id": "e", "question": "?"}, "strategy": {"name": "x"}})
    for name, cls in VERIFIERS.items():
        assert cls().verify(empty, empty.case) == [], name
    assert summarize([])["score"] is None
