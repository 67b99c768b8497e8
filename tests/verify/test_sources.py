"""`knowledge_source` (verify/sources.py): knowledge sentences against a real retrieval index.

A small real BM25 index (the ICD-10-CM passages of the ischaemic heart disease block, read by
the default corpus's own reader, and a guideline-style markdown file) for the rules; the real
default corpus for the STEMI example end to end.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from clinreason.trace import Case, ComponentSpec, Thought, Trace
from clinreason.verify import VERIFIERS, verify_trace
from clinreason.verify.sources import (
    Family,
    KnowledgeSourceCheck,
    find_swap,
    is_knowledge,
    lead_walls,
    words,
)
from clinreason.verify.trust import assess

GUIDE = """# Beta-blockers

## IV Beta-Blockers

- If no contraindications, IV metoprolol may be given to patients with hypertension.

## Sepsis

Sepsis is defined as life-threatening organ dysfunction caused by a dysregulated host response
to infection.
"""

NOTE = Path(__file__).resolve().parents[2] / "examples" / "note.txt"
RIGHT = "ST elevation in II, III and aVF indicates occlusion of the right coronary artery."
WRONG = (
    "ST elevation in II, III and aVF indicates occlusion of the left anterior descending artery."
)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from clinreason.tools.retrieval import build_index
    from clinreason.tools.retrieval.corpora import icd_documents

    folder = tmp_path_factory.mktemp("ks")
    (folder / "guide.md").write_text(GUIDE, encoding="utf-8")
    docs = [d for d in icd_documents() if d.doc_id[len("ICD10CM:") :][:2] in ("I2", "I5")]
    return build_index([folder / "guide.md"], folder / "index", extra=docs).index


@pytest.fixture(scope="module")
def check(index):
    return KnowledgeSourceCheck(index=index)


def trace_of(*sentences, params=None):
    case = Case(
        id="c", question="Which artery?", context="Chest pain. ST elevation in II, III, aVF."
    )
    steps = [Thought(id=f"s{i}", text=s) for i, s in enumerate(sentences, start=1)]
    return Trace(case=case, strategy=ComponentSpec(name="cot", params=params or {}), steps=steps)


def verdicts(check, *sentences):
    t = trace_of(*sentences)
    return check.verify(t, t.case)


def test_registered():
    assert VERIFIERS["knowledge_source"] is KnowledgeSourceCheck


def test_the_wrong_territory_is_contradicted_with_the_icd_codes_as_evidence(check):
    (v,) = verdicts(check, WRONG)
    assert v.status == "contradicted"
    assert v.details["swap"]["source_code"] == "I21.11"
    assert v.details["swap"]["claimed_code"] == "I21.02"
    assert "inferior wall" in v.evidence and "right" in v.evidence
    assert "textbook ECG lead groups" in v.evidence  # the lead table is named when used


def test_the_right_territory_is_supported_by_a_passage(check):
    (v,) = verdicts(check, RIGHT)
    assert v.status == "supported"
    assert v.details["passage"] == "ICD10CM:I21.11"
    assert "ICD10CM:I21.11" in v.evidence


def test_a_guideline_sentence_with_its_heading_supports_a_class_statement(check):
    (v,) = verdicts(check, "Metoprolol is a beta blocker.")
    assert v.status == "supported"
    assert v.details["source"].endswith("guide.md")
    assert "IV Beta-Blockers" in v.evidence


def test_no_source_means_unverifiable_never_supported(check):
    (v,) = verdicts(check, "Metoprolol is a calcium channel blocker.")
    assert v.status == "unverifiable"
    assert "no passage" in v.evidence


def test_negation_that_inverts_the_source_is_not_support(check):
    stated = "Sepsis is defined as organ dysfunction caused by a dysregulated host response."
    negated = "Sepsis is not defined as organ dysfunction caused by a dysregulated host response."
    assert [v.status for v in verdicts(check, stated, negated)] == ["supported", "unverifiable"]


def test_a_sentence_naming_both_alternatives_is_not_a_swap(check):
    both = (
        "ST elevation in II, III and aVF indicates occlusion of the right coronary artery "
        "rather than the left anterior descending artery."
    )
    assert [v.status for v in verdicts(check, both)] != ["contradicted"]


def test_patient_facts_and_choices_are_not_knowledge_sentences(check):
    assert (
        verdicts(check, "The patient's ECG suggests inferior ischemia.", "So the answer is C.")
        == []
    )


def test_an_index_that_cannot_be_opened_is_said_once_per_sentence():
    t = trace_of(WRONG, params={"index": "/nonexistent/index"})
    (v,) = KnowledgeSourceCheck().verify(t, t.case)
    assert v.status == "unverifiable"
    assert "cannot be opened" in v.evidence


def test_lead_groups_need_an_identifying_lead():
    assert lead_walls("ST elevation in V1 to V4") == [(["v1", "v4"], "anterior wall")]
    assert lead_walls("type II and III collagen") == []
    assert not is_knowledge("Option A is wrong because it suggests the LAD.")


def f(text: str) -> frozenset[str]:
    return frozenset(words(text))


def two_codes(frame1: str, frame2: str, own1: str, own2: str) -> Family:
    """A category X1 'disease' with two child codes: their full frames and their own words."""
    return Family(
        "X1",
        frames={"X1": f("disease"), "X1.1": f(frame1), "X1.2": f(frame2)},
        own={"X1": f("disease"), "X1.1": f(own1), "X1.2": f(own2)},
        names={"X1": "disease", "X1.1": own1, "X1.2": own2},
        ancestors={"X1": frozenset(), "X1.1": frozenset({"X1"}), "X1.2": frozenset({"X1"})},
    )


def test_find_swap_needs_a_source_link_the_sentence_does_not_make():
    fam = two_codes("chronic disease north alpha", "chronic disease south beta", "alpha", "beta")
    swap = find_swap(f("chronic disease north beta"), fam)
    assert swap is not None and (swap.c1, swap.c2) == ("X1.1", "X1.2")
    assert swap.alt == f("alpha")
    assert find_swap(f("chronic disease north alpha"), fam) is None  # one code holds it all
    assert find_swap(f("disease north alpha beta"), fam) is None  # names the alternative too


def cot_trace(reasoning, answer):
    from clinreason.backends.fake import FakeBackend
    from clinreason.strategies import run
    from clinreason.strategies.cot import ChainOfThought
    from clinreason.trace import case_from_text

    case = case_from_text(NOTE.read_text(encoding="utf-8"))
    reply = json.dumps({"reasoning": reasoning, "answer": answer})
    return asyncio.run(run(ChainOfThought(), case, FakeBackend([reply])))


def test_a_contradicted_knowledge_sentence_reaches_the_ledger_and_caps_trust(check):
    t = cot_trace(f"{WRONG} So the answer is A.", "A")
    claims, trust = assess(t, check.verify(t, t.case))
    (reasoning,) = [c for c in claims if c.kind == "reasoning" and c.text == WRONG]
    assert reasoning.status == "contradicted" and reasoning.independent
    assert reasoning.checked_by == ["knowledge_source"]
    assert "I21.11" in reasoning.evidence
    assert trust.score <= 0.3 and not trust.fully_verified


def test_the_stemi_example_end_to_end_with_the_default_corpus():
    from clinreason.trace import explain
    from clinreason.verify.trust import with_assessment

    out = {}
    for sentence, letter in ((RIGHT, "C"), (WRONG, "A")):
        trace = cot_trace(f"{sentence} So the answer is {letter}.", letter)
        out[letter] = with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))
    mine = {
        k: [v.status for v in t.verdicts if v.verifier == "knowledge_source"]
        for k, t in out.items()
    }
    assert mine == {"C": ["supported"], "A": ["contradicted"]}
    text = explain(out["A"])
    assert "I21.02" in text and "contradicted" in text.lower()
    assert not out["A"].trust.fully_verified


def test_an_initialism_names_the_artery_and_a_wall_icd_lacks_is_no_swap(check):
    abbreviated = "ST elevation in leads II, III and aVF is typical of LAD occlusion."
    lateral = "ST elevation in I, aVL, V5 and V6 indicates occlusion of the left circumflex artery."
    got = [v.status for v in verdicts(check, abbreviated, lateral)]
    # "lateral" is no ICD-10-CM word: "wall" alone points to no one branch of I21
    assert got == ["contradicted", "unverifiable"]


def test_one_word_of_the_other_code_is_no_swap():
    fam = two_codes(
        "chronic disease north alpha", "chronic disease beta gamma", "north alpha", "beta gamma"
    )
    assert find_swap(f("chronic disease north beta"), fam) is None  # 'gamma' unsaid
    assert find_swap(f("chronic disease north beta gamma"), fam) is not None
