"""Answer extraction: table-driven, including outputs that are not what was asked for."""

from __future__ import annotations

import pytest

from clinreason.strategies.parsing import (
    parse_choice,
    parse_free_answer,
    parse_json_object,
    reasoning_text,
    split_sentences,
    strip_think,
)
from clinreason.trace import TokenLogprob

LABELS = ["A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"reasoning": "A and B are wrong", "answer": "C"}', "C"),  # constrained field wins
        ('{"answer": "c"}', "C"),  # lower case normalised
        ('{"answer": "C. Increased wall stiffness"}', "C"),  # letter with option text
        ('{"answer": "None of the above"}', None),  # no letter: wrong, never 'A'
        ('{"answer": "E"}', None),  # not an option
        ("<think>It is A. Definitely A.</think>Answer: B", "B"),  # never from inside <think>
        ("A seems right, but B fits. Final answer: (D)", "D"),
        ("A 45-year-old patient with A-fib is at risk.", None),  # letters inside reasoning
        ("The answer is B.", "B"),
        ("B", "B"),
        ("", None),
        ('```json\n{"answer": "A"}\n```', "A"),
        ('{"answer": 3}', None),
        ("Answer: a patient with fever", None),  # article, not a label
    ],
)
def test_parse_choice(text, expected):
    assert parse_choice(text, LABELS) == expected


def test_numbered_labels():
    assert parse_choice('{"answer": "3"}', ["1", "2", "3", "4", "5"]) == "3"


def test_free_answer_and_reasoning():
    assert parse_free_answer('{"reasoning": "x", "answer": " 42.5 "}') == "42.5"
    assert parse_free_answer("so the final answer: 12 mL/min") == "12 mL/min"
    assert parse_free_answer("no idea") is None
    assert reasoning_text('{"reasoning": "Because.", "answer": "A"}') == "Because."
    assert strip_think("<think>unterminated") == ""
    assert parse_json_object("not json {") is None


def test_split_sentences_bounds_count():
    text = " ".join(f"Sentence {i}." for i in range(30))
    parts = split_sentences(text, limit=5)
    assert len(parts) == 5 and parts[-1].endswith("Sentence 29.")


def test_choice_confidence_uses_last_matching_token():
    from clinreason.strategies.parsing import choice_confidence

    tokens = [TokenLogprob(token='{"', logprob=0.0), TokenLogprob(token="B", logprob=-0.5)]
    assert choice_confidence(tokens, "B") == pytest.approx(0.6065, abs=1e-3)
    assert choice_confidence(tokens, "C") is None
    assert choice_confidence(None, "B") is None
