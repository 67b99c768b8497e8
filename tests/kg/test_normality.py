"""Normality statements read as absent findings (issue 18): sentences written for these tests."""

from __future__ import annotations

import pytest

from clinreason.tools.kg import HPOGraph
from clinreason.tools.kg.recognize import ConceptRecognizer
from clinreason.tools.negation import stated_normal


@pytest.mark.parametrize(
    ("text", "words", "statement"),
    [
        ("Hearing is normal.", "Hearing", "Hearing is normal"),
        ("He has normal muscle tone.", "muscle tone", "normal muscle tone"),
        ("Vision was entirely normal.", "Vision", "Vision was entirely normal"),
        ("The abdomen is unremarkable.", "abdomen", "abdomen is unremarkable"),
        ("Hearing is not normal.", "Hearing", None),  # "not normal" is no normality statement
        ("Is hearing normal?", "hearing", None),  # a question, not a statement
    ],
)
def test_the_shared_rules_find_normality_statements(
    text: str, words: str, statement: str | None
) -> None:
    start = text.index(words)
    found = stated_normal(text, start, start + len(words))
    assert (text[found[0] : found[1]] if found else None) == statement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hearing is normal.", [("HP:0000364", "Hearing is normal", "absent")]),
        ("Normal hearing and normal muscle tone.", [
            ("HP:0000364", "Normal hearing", "absent"),
            ("HP:0003808", "normal muscle tone", "absent"),
        ]),
        ("Reflexes are normal but he has a ptosis.", [
            ("HP:0031826", "Reflexes are normal", "absent"),
            ("HP:0000508", "ptosis", "present"),
        ]),
        ("Her brother has normal hearing.", [("HP:0000364", "normal hearing", "family")]),
        ("Growth, hearing and vision are normal.", [  # the other items of a list called normal
            ("HP:0001507", "Growth", "absent"),
            ("HP:0000364", "hearing", "absent"),
            ("HP:0000504", "vision are normal", "absent"),
        ]),
        ("He has a ptosis and hearing is normal.", [
            ("HP:0000508", "ptosis", "present"),
            ("HP:0000364", "hearing is normal", "absent"),
        ]),
        ("Normal saline was given.", []),  # no "Abnormal saline" in HPO
        ("Normal sinus rhythm.", []),
    ],
)  # fmt: skip
def test_a_thing_called_normal_is_its_abnormality_absent(
    hpo: HPOGraph, text: str, expected: list[tuple[str, str, str]]
) -> None:
    found = ConceptRecognizer.for_graph(hpo).recognize(text)
    assert [(m.term, m.span.text, m.status) for m in found] == expected
    assert all(m.trigger == "normal" for m in found if m.method == "normality")
