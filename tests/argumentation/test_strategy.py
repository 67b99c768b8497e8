"""The `argumentation` strategy on a scripted backend: good output and each kind of bad output."""

from __future__ import annotations

import json

import jsonschema
import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable, ConfigError
from clinreason.strategies.argumentation import (
    Argumentation,
    extract_items,
    generator_schema,
    per_option_schema,
    render_generator,
    verifier_schema,
)
from clinreason.strategies.base import run
from clinreason.tools.argumentation import Proposal, load_schemes
from clinreason.trace import ArgumentStep, Case, LLMCall, Thought

GOOD_GEN = json.dumps(
    {
        "arguments": [
            {"option": "A", "scheme": "clinical_evidence", "finding": "fever and neck stiffness"},
            {"option": "A", "scheme": "clinical_evidence", "finding": "CSF shows neutrophils"},
            {"option": "B", "scheme": "clinical_evidence", "finding": "throbbing headache"},
            {"option": "C", "scheme": "clinical_evidence", "finding": "neck stiffness"},
        ]
    }
)
GOOD_VER = json.dumps(
    {"attacks": [{"target": "G4", "question": "weak_evidence", "finding": "fever"}]}
)


def _thoughts(trace) -> str:
    return "\n".join(t.text for t in trace.steps_of(Thought))


async def test_good_output_is_decided_by_the_grounded_extension(mcq_case):
    backend = FakeBackend([GOOD_GEN, GOOD_VER])
    trace = await run(Argumentation(), mcq_case, backend)
    assert trace.error is None
    assert trace.answer is not None and trace.answer.value == "A"
    step = trace.steps_of(ArgumentStep)[0]
    assert trace.answer.support[0] == step.id
    assert step.semantics == "grounded"
    assert {"G1", "G2"} <= set(step.accepted)
    assert {"G3", "G4"} <= set(step.rejected)
    # G3's finding is not in the note: a text-check argument attacks it, with the reason
    t1 = next(a for a in step.graph.arguments if a.author == "text_check")
    assert "throbbing headache" in t1.claim
    assert any(e.source == t1.id and e.target == "G3" for e in step.graph.attacks)
    assert step.reasons["G3"].startswith("rejected")
    assert 0 < trace.answer.confidence < 1
    calls = trace.steps_of(LLMCall)
    assert [c.purpose for c in calls] == ["propose_arguments", "critical_questions"]
    assert all(c.request.max_tokens <= 320 and c.request.json_schema for c in calls)
    assert set(step.parents) == {c.id for c in calls}  # clean output: no repair thoughts
    assert "Decision: option A is sceptically accepted" in _thoughts(trace)


async def test_prompts_are_short_and_schemas_are_valid(mcq_case):
    backend = FakeBackend([GOOD_GEN, GOOD_VER])
    await run(Argumentation(), mcq_case, backend)
    gen, ver = backend.requests
    jsonschema.Draft202012Validator.check_schema(gen.json_schema)
    jsonschema.validate(json.loads(GOOD_GEN), gen.json_schema)
    jsonschema.validate(json.loads(GOOD_VER), ver.json_schema)
    assert ver.json_schema["properties"]["attacks"]["items"]["properties"]["target"]["enum"] == [
        "G1",
        "G2",
        "G3",
        "G4",
    ]
    assert "harm_outweighed" not in ver.messages[-1].content  # no side_effect argument to ask
    assert len(gen.messages[-1].content) < 1200 and len(ver.messages[-1].content) < 1600
    # both prompts share the system message and case prefix (prompt-cache friendly)
    assert gen.messages[0] == ver.messages[0]
    assert ver.messages[-1].content.startswith(gen.messages[-1].content.split("Argue")[0])


MALFORMED = {
    "invalid_json": ("The best answer is A because of fever.", "invalid JSON"),
    "truncated_json": (GOOD_GEN[:150], "salvaged 1 complete item"),
    "unknown_option": (
        '{"arguments": [{"option": "E", "scheme": "clinical_evidence", "finding": "fever"},'
        ' {"option": "A", "scheme": "clinical_evidence", "finding": "fever"}]}',
        "unknown option 'E'",
    ),
    "duplicates": (
        '{"arguments": [{"option": "A", "scheme": "clinical_evidence", "finding": "fever"},'
        ' {"option": "A", "scheme": "clinical_evidence", "finding": "Fever."}]}',
        "duplicate of argument 1",
    ),
    "wrong_shape": ('{"arguments": "A"}', "is not a list"),
    "bare_list": (
        '[{"option": "A", "scheme": "clinical_evidence", "finding": "fever"}]',
        "bare JSON list",
    ),
    "empty": ("", "empty reply"),
}


@pytest.mark.parametrize("kind", MALFORMED)
async def test_malformed_generator_output_is_recorded_never_crashes(mcq_case, kind):
    reply, note = MALFORMED[kind]
    backend = FakeBackend([reply, '{"attacks": []}'])
    trace = await run(Argumentation(), mcq_case, backend)
    assert trace.error is None and trace.answer is not None
    assert note in _thoughts(trace)
    repair = next(t for t in trace.steps_of(Thought) if note in t.text)
    step = trace.steps_of(ArgumentStep)[0]
    assert repair.id in step.parents
    if trace.answer.value is not None:
        assert trace.answer.value == "A"
    else:
        assert not step.accepted or not any(a.option for a in step.graph.arguments)


MALFORMED_VERIFIER = {
    "dangling": ({"target": "G7", "question": "weak_evidence", "finding": "fever"}, "dangling"),
    "cycle": ({"target": "V1", "question": "weak_evidence", "finding": "fever"}, "not a generator"),
    "inapplicable": ({"target": "G1", "question": "harm_outweighed", "finding": "x"}, "not apply"),
    "unknown_question": ({"target": "G1", "question": "vibes", "finding": "x"}, "not apply"),
    "no_finding": ({"target": "G1", "question": "weak_evidence"}, "missing finding"),
}


@pytest.mark.parametrize("kind", MALFORMED_VERIFIER)
async def test_malformed_verifier_attacks_are_rejected_with_a_reason(mcq_case, kind):
    attack, note = MALFORMED_VERIFIER[kind]
    backend = FakeBackend([GOOD_GEN, json.dumps({"attacks": [attack]})])
    trace = await run(Argumentation(), mcq_case, backend)
    assert trace.error is None and trace.answer is not None
    assert trace.answer.value == "A"
    assert note in _thoughts(trace)
    step = trace.steps_of(ArgumentStep)[0]
    assert not any(a.author == "verifier" for a in step.graph.arguments)


async def test_verifier_can_overturn_the_generator(mcq_case):
    gen = json.dumps(
        {
            "arguments": [
                {"option": "B", "scheme": "clinical_evidence", "finding": "headache"},
                {"option": "A", "scheme": "clinical_evidence", "finding": "neck stiffness"},
            ]
        }
    )
    ver = json.dumps(
        {
            "attacks": [
                {"target": "G1", "question": "better_option", "finding": "fever", "option": "A"}
            ]
        }
    )
    trace = await run(Argumentation(), mcq_case, FakeBackend([gen, ver]))
    step = trace.steps_of(ArgumentStep)[0]
    # "headache" is not in the note (T1 attacks G1) and V1 attacks it too: A wins
    assert trace.answer.value == "A"
    assert "V1" in step.accepted and "G1" in step.rejected


async def test_no_usable_argument_gives_no_answer_and_skips_the_verifier(mcq_case):
    backend = FakeBackend(['{"arguments": [{"option": "Q", "finding": "x"}]}'])
    trace = await run(Argumentation(), mcq_case, backend)
    assert trace.error is None
    assert trace.answer is not None and trace.answer.value is None
    assert trace.answer.confidence is None
    assert len(backend.requests) == 1
    assert "no option is accepted by any preferred extension" in _thoughts(trace)


async def test_ties_use_the_documented_rule_under_preferred(mcq_case):
    gen = json.dumps(
        {
            "arguments": [
                {"option": "C", "scheme": "clinical_evidence", "finding": "neck stiffness"},
                {"option": "A", "scheme": "clinical_evidence", "finding": "fever"},
                {"option": "A", "scheme": "clinical_evidence", "finding": "neutrophils"},
            ]
        }
    )
    trace = await run(Argumentation(semantics="preferred"), mcq_case, FakeBackend([gen, "{}"]))
    step = trace.steps_of(ArgumentStep)[0]
    assert trace.answer.value == "A" and step.semantics == "preferred"
    assert "2 vs 1 supporting arguments" in _thoughts(trace)
    assert set(step.accepted) == {"G1", "G2", "G3", "D_A"}
    assert "D_C" in step.rejected


async def test_backend_error_becomes_a_trace_error(mcq_case):
    backend = FakeBackend([GOOD_GEN, BackendUnavailable("down", backend="fake")])
    trace = await run(Argumentation(), mcq_case, backend)
    assert trace.answer is None and trace.error is not None and trace.error.retryable


async def test_a_case_without_options_is_an_input_error():
    case = Case(id="n", question="What is the eGFR?", context="Creatinine 1.2 mg/dL")
    trace = await run(Argumentation(), case, FakeBackend([]))
    assert trace.error is not None and trace.error.type == "InputError"


async def test_per_option_generator_considers_every_option(mcq_case):
    reply = json.dumps(
        {
            "A": {"scheme": "clinical_evidence", "finding": "CSF shows neutrophils"},
            "B": {"scheme": "none", "finding": "nothing"},
            "C": {"scheme": "clinical_evidence", "finding": "neck stiffness"},
        }
    )
    backend = FakeBackend([reply, GOOD_VER.replace("G4", "G2")])
    trace = await run(Argumentation(generator="per_option"), mcq_case, backend)
    assert trace.error is None and trace.answer is not None and trace.answer.value == "A"
    request = backend.requests[0]
    schema = request.json_schema
    assert schema["required"] == ["A", "B", "C"]  # one entry per option, in order
    jsonschema.validate(json.loads(reply), schema)
    step = trace.steps_of(ArgumentStep)[0]
    proposals = [a for a in step.graph.arguments if a.author == "generator"]
    assert [a.option for a in proposals] == ["A", "C"]  # "none" makes no argument
    # a reply in the free shape is still read (salvaged), never a crash
    backend = FakeBackend([GOOD_GEN, GOOD_VER])
    trace = await run(Argumentation(generator="per_option"), mcq_case, backend)
    assert trace.error is None and trace.answer.value == "A"


def test_bad_configuration_is_rejected():
    with pytest.raises(ConfigError):
        Argumentation(generator="round_robin")
    with pytest.raises(ConfigError):
        Argumentation(semantics="stable")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        Argumentation(max_arguments=0)


def test_extract_items_single_object_and_salvage():
    one = '{"option": "A", "scheme": "clinical_evidence", "finding": "x"}'
    items, note = extract_items(one, "arguments")
    assert items == [json.loads(one)] and "single object" in note
    items, note = extract_items('```json\n{"arguments": []}\n```', "arguments")
    assert items == [] and note == ""


def test_render_and_schema_are_pure(mcq_case):
    book = load_schemes()
    text = render_generator(mcq_case, book, 3)
    assert "at most 3 arguments" in text and "CSF shows neutrophils" in text
    schema = verifier_schema(mcq_case, book, [Proposal("A", "side_effect", "x")], 2)
    item = schema["properties"]["attacks"]["items"]
    assert item["properties"]["question"]["enum"] == ["harm_outweighed"]
    assert generator_schema(mcq_case, book, 3)["properties"]["arguments"]["maxItems"] == 3
    per_option = per_option_schema(mcq_case, book)["properties"]["A"]["properties"]["scheme"]
    assert per_option["enum"][-1] == "none"


async def test_knowledge_check_attacks_support_the_hpo_annotations_contradict():
    """'Seizures support Marfan syndrome' is attacked by the HPO annotations (Marfan syndrome
    is well annotated and has nothing related to seizures); with the check off it wins."""
    case = Case(
        id="k1",
        context="A tall 19-year-old man has recurrent seizures and a dislocated lens.",
        question="Most likely diagnosis?",
        options={"A": "Marfan syndrome", "B": "Homocystinuria"},
    )
    gen = json.dumps(
        {"arguments": [{"option": "A", "scheme": "clinical_evidence", "finding": "seizures"}]}
    )
    on = await run(Argumentation(max_attacks=0), case, FakeBackend([gen]))
    off = await run(Argumentation(max_attacks=0, knowledge_check=False), case, FakeBackend([gen]))
    step = on.steps_of(ArgumentStep)[0]
    (k1,) = [a for a in step.graph.arguments if a.author == "knowledge_check"]
    assert "Marfan syndrome" in k1.claim and "OMIM:154700" in k1.claim
    assert any(e.source == "K1" and e.target == "G1" for e in step.graph.attacks)
    assert "G1" in step.rejected and on.answer is not None and on.answer.value is None
    assert off.answer is not None and off.answer.value == "A"
    assert not [a for a in off.steps_of(ArgumentStep)[0].graph.arguments if a.id == "K1"]
