"""The `calculator` strategy end to end with a scripted backend (real calculators, real rules)."""

from __future__ import annotations

import json

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendError, ParseError
from clinreason.strategies import STRATEGIES
from clinreason.strategies.base import run
from clinreason.strategies.calculator import CalculatorStrategy, format_value
from clinreason.strategies.calculator_prompts import (
    JudgementItem,
    judgement_schema,
    note_excerpt,
    parse_judgement,
)
from clinreason.trace import Case, Extraction, LLMCall, Thought, ToolCall


def _case(note: str, question: str, cid: str = "c1") -> Case:
    return Case(id=cid, question=question, context=note)


def _extractions(trace) -> dict[str, Extraction]:
    return {s.name: s for s in trace.steps_of(Extraction)}


def test_registered() -> None:
    assert STRATEGIES["calculator"] is CalculatorStrategy


async def test_map_rules_only_no_model_call() -> None:
    note = "A 60-year-old man. His blood pressure was 120/81 mmHg, heart rate 70 bpm."
    backend = FakeBackend([])  # any model call would raise: the script is empty
    trace = await run(
        CalculatorStrategy(), _case(note, "What is the patient's mean arterial pressure?"), backend
    )
    assert trace.error is None
    assert trace.answer.value == "94"
    assert backend.requests == []
    ext = _extractions(trace)
    sbp = ext["Systolic Blood Pressure"]
    assert (sbp.value, sbp.unit, sbp.method) == (120, "mm Hg", "rule")
    assert note[sbp.span.start : sbp.span.end] == sbp.span.text
    call = trace.steps_of(ToolCall)[0]
    assert call.tool == "calculator.mean_arterial_pressure"
    assert call.result == {"value": 94.0, "unit": "mm Hg"} or call.result["value"] == pytest.approx(
        94
    )
    assert set(call.parents) == {s.id for s in trace.steps_of(Extraction)}
    assert trace.answer.support == [call.id]
    assert call.explanation, "the tool call explains its computation"
    assert isinstance(trace.steps[0], Thought) and "Mean Arterial Pressure" in trace.steps[0].text


async def test_cha2ds2_vasc_one_batched_judgement_call() -> None:
    note = (
        "A 72-year-old woman with hypertension and a prior stroke in 2015. She denies diabetes. "
        "Her mother had heart failure."
    )
    replies: list[str] = []

    def reply(request) -> str:
        schema = request.json_schema
        # answer every item "true": only items backed by note words may become evidence
        answer = {k: True for k in schema["properties"]}
        replies.append(json.dumps(answer))
        return replies[-1]

    backend = FakeBackend(reply)
    case = _case(note, "What is the patient's CHA2DS2-VASc score?")
    trace = await run(CalculatorStrategy(judge_mentions=True), case, backend)
    assert trace.error is None, trace.error
    assert len(backend.requests) == 1, "all judgement items in ONE call"
    request = backend.requests[0]
    asked = request.messages[-1].content
    # only affirmed keyword matches are put to the model (rules propose, the model confirms);
    # never-mentioned, negated and family-only findings are decided without it
    assert "Hypertension history" in asked and "Stroke" in asked
    assert "Diabetes history" not in asked and "Congestive" not in asked
    assert "Transient Ischemic Attacks History" not in asked
    ext = _extractions(trace)
    assert ext["Hypertension history"].value is True and ext["Hypertension history"].method == "llm"
    assert ext["Hypertension history"].span.text in note
    tia = ext["Transient Ischemic Attacks History"]
    assert (tia.value, tia.method, tia.note) == (False, "assumed", "not mentioned -> absent")
    assert ext["age"].value == 72 and ext["sex"].value == "Female"
    assert len(trace.steps_of(LLMCall)) == 1
    dm = ext["Diabetes history"]
    assert (dm.value, dm.method) == (False, "rule") and "denies" in dm.span.text
    chf = ext["Congestive Heart Faliure"]
    assert (chf.value, chf.method) == (False, "assumed")
    # female +1, age 65-74 +1, hypertension +1, stroke +2
    assert trace.answer.value == "5"


async def test_by_default_rules_decide_mentioned_findings_without_the_model() -> None:
    note = "A 72-year-old woman with hypertension and a prior stroke in 2015. She denies diabetes."
    backend = FakeBackend([])  # any model call would raise: the script is empty
    trace = await run(CalculatorStrategy(), _case(note, "What is the CHA2DS2-VASc score?"), backend)
    assert trace.error is None and backend.requests == []
    ext = _extractions(trace)
    assert (ext["Hypertension history"].value, ext["Hypertension history"].method) == (True, "rule")
    assert trace.answer.value == "5"


async def test_unbacked_model_yes_becomes_assumed_default() -> None:
    note = "A 50-year-old man presented with pleuritic chest pain and tachycardia, HR 110."
    backend = FakeBackend(lambda r: json.dumps({k: True for k in r.json_schema["properties"]}))
    case = _case(note, "What is the patient's score of Wells' criteria for Pulmonary Embolism?")
    trace = await run(CalculatorStrategy(), case, backend)
    assert trace.error is None, trace.error
    ext = _extractions(trace)
    pe = ext["Pulmonary Embolism is #1 diagnosis OR equally likely"]
    # no sentence of the note shares the item's key words -> the model's yes is not evidence
    assert (pe.value, pe.method) == (False, "assumed")
    assert "no words in the note back it" in pe.note


async def test_invalid_model_reply_falls_back_to_defaults_explicitly() -> None:
    note = "A 70-year-old man with hypertension."
    backend = FakeBackend(["this is not JSON"])
    case = _case(note, "What is the CHA2DS2-VASc score?")
    trace = await run(CalculatorStrategy(judge_mentions=True), case, backend)
    assert trace.error is None
    htn = _extractions(trace)["Hypertension history"]
    assert htn.method == "assumed" and "model reply unusable" in htn.note


async def test_rules_only_mode_uses_keyword_rules() -> None:
    note = "A 70-year-old man with hypertension and no history of stroke."
    trace = await run(
        CalculatorStrategy(use_llm=False),
        _case(note, "What is the CHA2DS2-VASc score?"),
        FakeBackend([]),
    )
    ext = _extractions(trace)
    assert (
        ext["Hypertension history"].value is True and ext["Hypertension history"].method == "rule"
    )
    assert ext["Stroke"].value is False and ext["Stroke"].method == "rule"
    assert trace.answer.value == "2"  # age 65-74 (+1) + hypertension (+1)


@pytest.mark.parametrize(
    ("note", "alternative", "answer"),
    [
        # DVT never raised: another diagnosis is at least as likely (an explicit assumption)
        ("A 50-year-old woman admitted with community-acquired pneumonia.", True, "-2"),
        ("A 50-year-old woman with a swollen left calf and pitting edema.", False, "1"),
    ],
)
async def test_wells_dvt_alternative_diagnosis_default(
    note: str, alternative: bool, answer: str
) -> None:
    trace = await run(
        CalculatorStrategy(use_llm=False),
        _case(note, "What is the patient's score of Wells' criteria for DVT?"),
        FakeBackend([]),
    )
    alt = _extractions(trace)[
        "Alternative diagnosis to Deep Vein Thrombosis as likely or more likely"
    ]
    assert alt.value is alternative
    if alternative:
        assert alt.method == "assumed" and "raises no sign or suspicion of DVT" in alt.note
    assert trace.answer.value == answer


async def test_missing_required_input_is_an_error_not_a_number() -> None:
    note = "A 60-year-old man, weight 80 kg. No labs were drawn."
    trace = await run(
        CalculatorStrategy(use_llm=False),
        _case(
            note, "What is the patient's creatinine clearance using the Cockcroft-Gault Equation?"
        ),
        FakeBackend([]),
    )
    assert trace.answer is None
    assert trace.error is not None and trace.error.type == "InputError"
    assert "creatinine" in trace.error.message
    call = trace.steps_of(ToolCall)[0]
    assert call.error and call.result is None
    assert _extractions(trace)["creatinine"].method == "assumed"


@pytest.mark.parametrize(
    "note",
    [
        "A 60-year-old man with a weight of -70 kg, height 175 cm, creatinine 1.0 mg/dL.",
        "A 60-year-old man, weight 70 kg, height 175 cm, creatinine 0 mg/dL.",
        "A 60-year-old man, weight 70 kg, height 175 cm, creatinine 1.0 mmol/mol.",
    ],
)
async def test_absurd_inputs_give_a_clear_error(note: str) -> None:
    trace = await run(
        CalculatorStrategy(use_llm=False),
        _case(
            note, "What is the patient's Creatinine Clearance using the Cockcroft-Gault Equation?"
        ),
        FakeBackend([]),
    )
    assert trace.answer is None and trace.error is not None
    assert trace.error.type == "InputError"


@pytest.mark.parametrize(
    ("note", "entity", "written", "reason"),
    [
        (
            "A 60-year-old man with a weight of -70 kg, height 175 cm, creatinine 1.0 mg/dL.",
            "weight",
            "weight of -70 kg",
            "the note gives -70 kg, outside the plausible range 0.3-400 kg: not used",
        ),
        (
            "A 60-year-old man, weight 70 kg, height 175 cm, creatinine 0 mg/dL.",
            "creatinine",
            "creatinine 0 mg/dL",
            "the note gives 0 mg/dL, outside the plausible range 0.1-30 mg/dL: not used",
        ),
    ],
)
async def test_an_absurd_value_is_reported_not_guessed(note, entity, written, reason) -> None:
    # the model must not be asked to supply a value the note gives absurdly (it might invent one)
    trace = await run(
        CalculatorStrategy(),
        _case(
            note, "What is the patient's Creatinine Clearance using the Cockcroft-Gault Equation?"
        ),
        FakeBackend([]),  # any model call would raise: the script is empty
    )
    assert trace.answer is None and trace.error is not None and trace.error.type == "InputError"
    step = _extractions(trace)[entity]
    assert step.method == "assumed" and step.value is None
    assert step.span is not None and step.span.text == written
    assert reason in step.note


async def test_required_number_read_by_model_must_be_in_note() -> None:
    note = (
        "A 60-year-old man, weight 70 kg, height 175 cm. The creatinine, normal last year, had "
        "risen; it measured 1.9 mg/dL."
    )
    question = "What is the patient's Creatinine Clearance using the Cockcroft-Gault Equation?"
    rules_only = await run(
        CalculatorStrategy(use_llm=False), _case(note, question), FakeBackend([])
    )
    assert rules_only.error is not None, "the rules alone do not read this creatinine"
    backend = FakeBackend(lambda r: json.dumps({k: 1.9 for k in r.json_schema["properties"]}))
    trace = await run(CalculatorStrategy(), _case(note, question), backend)
    cr = _extractions(trace)["creatinine"]
    assert (cr.value, cr.unit, cr.method) == (1.9, "mg/dL", "llm")
    assert cr.span.text == "1.9 mg/dL" == note[cr.span.start : cr.span.end]
    # a number the note does not contain is refused: the input stays missing -> error
    backend = FakeBackend(lambda r: json.dumps({k: 2.5 for k in r.json_schema["properties"]}))
    trace = await run(CalculatorStrategy(), _case(note, question), backend)
    assert trace.error is not None and "creatinine" in trace.error.message


async def test_calculator_chosen_by_model_when_no_name_matches() -> None:
    note = "Weight 80 kg, height 160 cm."
    backend = FakeBackend(['{"calculator": "Body Mass Index (BMI)"}'])
    trace = await run(CalculatorStrategy(), _case(note, "How heavy is she for her size?"), backend)
    assert trace.error is None
    assert trace.steps_of(LLMCall)[0].purpose == "choose_calculator"
    assert trace.answer.value == "31.25"
    assert backend.requests[0].json_schema["properties"]["calculator"]["enum"]


async def test_model_choice_outside_the_list_is_an_error() -> None:
    backend = FakeBackend(['{"calculator": "Astrology Index"}'])
    trace = await run(CalculatorStrategy(), _case("x", "How heavy is she?"), backend)
    assert trace.answer is None and trace.error.type == "ParseError"


async def test_backend_failure_is_recorded_as_error() -> None:
    backend = FakeBackend([BackendError("down", backend="fake")])
    note = "A 50-year-old man presented with pleuritic chest pain and tachycardia, HR 110."
    case = _case(note, "What is the patient's score of Wells' criteria for Pulmonary Embolism?")
    trace = await run(CalculatorStrategy(), case, backend)
    assert trace.answer is None and trace.error is not None
    assert trace.steps_of(LLMCall)[0].error


def test_prompt_helpers() -> None:
    items = [
        JudgementItem("q1", "Hemoptysis", "bool", "Hemoptysis"),
        JudgementItem("q2", "Ascites", "choice", "Ascites", ("Absent", "Slight", "Moderate")),
        JudgementItem("q3", "creatinine", "number", "creatinine", unit="mg/dL"),
    ]
    schema = judgement_schema(items)
    assert schema["required"] == ["q1", "q2", "q3"] and schema["additionalProperties"] is False
    assert parse_judgement('{"q1": false, "q2": "Tense", "q3": 1.2}', items) == {
        "q1": False,
        "q3": 1.2,
    }
    with pytest.raises(ParseError):
        parse_judgement("[1, 2]", items)
    with pytest.raises(ParseError):
        parse_judgement("__import__('os')", items)
    long_note = "Intro sentence. " * 200 + "She has ascites."
    assert len(note_excerpt(long_note, [], 300)) <= 320
    assert note_excerpt("short", [], 300) == "short"


def test_format_value() -> None:
    assert format_value(12.3456, "decimal") == "12.346"
    assert format_value(7.0, "integer") == "7"
    assert format_value("03/05/2024", "date") == "03/05/2024"
    assert format_value((14, 1), "weeks_days") == "(14 weeks, 1 days)"


async def test_several_values_are_recorded_with_the_rule_that_chose_one() -> None:
    note = (
        "A 70-year-old woman weighing 60 kg. Serum creatinine was 1.2 mg/dL on admission. "
        "On day 3 her creatinine was 2.0 mg/dL."
    )
    question = "What is the patient's Creatinine Clearance using the Cockroft-Gault Equation?"
    trace = await run(CalculatorStrategy(use_llm=False), _case(note, question), FakeBackend([]))
    cr = _extractions(trace)["creatinine"]
    assert (cr.value, cr.selection) == (1.2, "first")
    assert [(c.value, c.unit) for c in cr.candidates] == [(2.0, "mg/dL")]
    other = cr.candidates[0].span
    assert other is not None and note[other.start : other.end] == other.text
    assert other.text.endswith("2.0 mg/dL")
    assert "the first of 2 values in the note, taken as the value at presentation" in cr.note
    assert "(others: 2 mg/dL)" in cr.note
    single = _extractions(trace)["age"]
    assert (single.candidates, single.selection) == ([], None)
    latest = await run(
        CalculatorStrategy(use_llm=False),
        _case(note, question.replace("using", "with the most recent creatinine, using")),
        FakeBackend([]),
    )
    cr = _extractions(latest)["creatinine"]
    assert (cr.value, cr.selection, [c.value for c in cr.candidates]) == (2.0, "last", [1.2])
