"""Concept recognition: spans, synonyms, negation, relatives, on the toy graph and on real HPO."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinreason.tools.kg import HPOGraph, demo_graph
from clinreason.tools.kg.recognize import ConceptRecognizer


def _found(rec: ConceptRecognizer, text: str) -> list[tuple[str, str, str]]:
    return [(m.term, m.span.text, m.status) for m in rec.recognize(text)]


def test_spans_index_into_the_text() -> None:
    rec = ConceptRecognizer.for_graph(demo_graph())
    text = "Boy with FOCAL SEIZURES since 2. No short stature."
    mentions = rec.recognize(text)
    assert [(m.term, m.negated) for m in mentions] == [("HP:4", False), ("HP:3", True)]
    for m in mentions:
        assert text[m.span.start : m.span.end] == m.span.text
    assert mentions[0].span.text == "FOCAL SEIZURES"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No fever, cough or rash.", [("HP:0001945", "absent"), ("HP:0012735", "absent"),
                                      ("HP:0000988", "absent")]),
        ("She denies chest pain but reports palpitations.",
         [("HP:0100749", "absent"), ("HP:0001962", "present")]),
        ("Seizures were not observed. Hypotonia was present.",
         [("HP:0001250", "absent"), ("HP:0001252", "present")]),
        ("Her father had an aortic dissection.", [("HP:0002647", "family")]),
        ("Scoliosis. There is no evidence of ectopia lentis.",
         [("HP:0002650", "present"), ("HP:0001083", "absent")]),
        ("No increase in seizures.", [("HP:0001250", "present")]),  # pseudo-trigger
        ("Evaluate for possible hepatomegaly.", [("HP:0002240", "hypothetical")]),
        ("Microcephaly; no fever.", [("HP:0000252", "present"), ("HP:0001945", "absent")]),
    ],
)  # fmt: skip
def test_negation_and_context(hpo: HPOGraph, text: str, expected: list[tuple[str, str]]) -> None:
    rec = ConceptRecognizer.for_graph(hpo)
    assert [(t, s) for t, _, s in _found(rec, text)] == expected


def test_synonyms_spelling_and_word_order(hpo: HPOGraph) -> None:
    rec = ConceptRecognizer.for_graph(hpo)
    found = {t for t, _, _ in _found(rec, "Anaemia, oedema and pain in the chest.")}
    assert {"HP:0001903", "HP:0000969", "HP:0100749"} <= found


def test_precision_recall_on_hand_annotated_notes(hpo: HPOGraph, kg_data: Path) -> None:
    """Micro precision/recall over (term, negated) pairs on the 18 notes in tests/kg/data.

    The `frozen2` split is left out: it is only measured by `bench/kg_eval.py --recognition`.
    """
    rec = ConceptRecognizer.for_graph(hpo)
    tp = fp = fn = 0
    for line in (kg_data / "annotated_notes.jsonl").read_text().splitlines():
        note = json.loads(line)
        if note["split"] == "frozen2":
            continue
        gold = {(g["id"], g["negated"]) for g in note["gold"]}
        found = {(m.term, m.negated) for m in rec.recognize(note["text"]) if not m.family}
        tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # measured 0.991 / 0.941 (docs/benchmarks/kg.md); the bounds leave room for small changes
    assert precision >= 0.95
    assert recall >= 0.90
