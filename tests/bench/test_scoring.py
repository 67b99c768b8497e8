"""Answer extraction and scorers: strict multiple choice, upstream MIRAGE rule, numbers, dates."""

from __future__ import annotations

import pytest

from clinreason.bench.extract import (
    extract_choice,
    label_from_value,
    mirage_upstream_choice,
    parse_date,
    parse_number,
    parse_weeks_days,
)
from clinreason.bench.scorers import (
    score_auto,
    score_choice,
    score_date,
    score_numeric,
    score_weeks_days,
    score_yes_no_maybe,
)
from clinreason.trace import Answer, Case, ComponentSpec, Trace

ABCD = {"A": "Lumbar puncture", "B": "Chest x-ray", "C": "Urinalysis", "D": "Skin biopsy"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"step_by_step_thinking": "A and B are wrong", "answer_choice": "C"}', "C"),  # JSON field
        ('{"answer": "C. Urinalysis"}', "C"),  # letter with option text
        ('{"answer_choice": "None of the above"}', None),  # no option letter: no answer, never A
        ('{"answer_choice": "E"}', None),  # a letter that is not an option
        ('{"answer_choice": "A/B"}', None),  # hedged between two options
        ('{"reasoning": "Clearly D", "answer": ""}', None),  # constrained field wins, even empty
        ('broken {"answer_choice": "B", "x": }', "B"),  # invalid JSON: the field is still read
        ("<think>The answer is A.</think>Final answer: (D)", "D"),  # think block dropped
        ("<think>I believe the answer is B", None),  # unterminated think: nothing after it
        ("Option A is tempting; B fits the history better.", None),  # letters inside reasoning
        ("A fever and a rash suggest measles.", None),  # sentence starting with 'A'
        ("The correct answer is B because of the x-ray.", "B"),
        ("First I thought Answer: A.\nOn reflection, answer: C", "C"),  # the last statement wins
        ("The answer is a viral infection.", None),  # article, not option a
        ("Answer: A, C", None),  # two options named
        ("(b)", "B"),  # bare label, lower case
        ("Urinalysis", "C"),  # exact option text
        ("", None),
    ],
)
def test_strict_choice_extraction(text: str, expected: str | None) -> None:
    assert extract_choice(text, ABCD)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"answer_choice": "C. Increased stiffness"}', ("C", False)),
        ('{"answer_choice": "A/B"}', ("A", False)),  # upstream takes the leading letter
        ('{"answer_choice": "None of the above"}', ("A", True)),  # ... and falls back to A
        ('{"answer_choice": "E"}', ("A", True)),
        ('{"answer_choice": "Option D"}', ("D", False)),
    ],
)
def test_mirage_upstream_rule(text: str, expected: tuple[str, bool]) -> None:
    assert mirage_upstream_choice(text) == expected


def test_numeric_labels_for_five_option_exams() -> None:
    options = {"1": "a", "2": "b", "3": "c", "4": "d", "5": "e"}
    assert extract_choice("Answer: 3", options)[0] == "3"
    assert label_from_value("3- c", options) == "3"
    assert extract_choice('{"answer": "6"}', options)[0] is None


def _trace(
    case: Case, value: str | None = None, raw: str = "", confidence: float | None = None
) -> Trace:
    answer = Answer(value=value, raw=raw, confidence=confidence)
    return Trace(case=case, strategy=ComponentSpec(name="t"), answer=answer)


def test_score_choice_prefers_answer_value_and_falls_back_to_raw() -> None:
    case = Case(id="1", question="Next test?", options=ABCD, gold="A")
    assert score_choice(case, _trace(case, "A")).correct is True
    from_raw = score_choice(case, _trace(case, None, '{"answer": "A"}'))
    assert from_raw.correct is True and from_raw.details["source"] == "raw:json"
    none = score_choice(case, _trace(case, None, '{"answer_choice": "none of these"}'))
    assert none.correct is False and none.details["answer"] is None
    upstream = score_choice(
        case, _trace(case, None, '{"answer_choice": "none"}'), extraction="mirage_upstream"
    )
    assert upstream.correct is True and upstream.details["fallback_to_A"] is True
    assert score_choice(case.model_copy(update={"gold": None}), _trace(case, "A")).correct is None


def test_yes_no_maybe() -> None:
    case = Case(id="1", question="Does it help?", gold="maybe")
    assert score_yes_no_maybe(case, _trace(case, None, '{"answer": "Maybe"}')).correct is True
    assert score_yes_no_maybe(case, _trace(case, "yes and no")).correct is False
    lettered = Case(
        id="2", question="Does it?", options={"A": "yes", "B": "no", "C": "maybe"}, gold="B"
    )
    assert score_yes_no_maybe(lettered, _trace(lettered, "no")).correct is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [("63.8", 63.8), ("63.8 mL/min", 63.8), ("-2.5", -2.5), ("1,234.5", 1234.5), ("1.2e3", 1200.0),
     ("name 'N' is not defined", None), ("between 3 and 4", None), ("N/A", None), (None, None)],
)  # fmt: skip
def test_parse_number(text: str | None, expected: float | None) -> None:
    assert parse_number(text) == expected


def test_numeric_within_limits_inclusive() -> None:
    case = Case(id="1", question="CrCl?", gold="78.121", gold_range=(74.215, 82.027))
    assert score_numeric(case, _trace(case, "74.215")).correct is True  # lower limit included
    assert score_numeric(case, _trace(case, "82.03")).correct is False
    assert score_numeric(case, _trace(case, None, '{"answer": "80 mL/min"}')).correct is True
    unparsed = score_numeric(case, _trace(case, "YOUR_ANSWER_HERE"))
    assert unparsed.correct is False and unparsed.details["answer"] is None


def test_dates_and_gestational_age() -> None:
    assert parse_date("3/4/2020") == parse_date("2020-03-04")
    assert parse_date("02/30/2020") is None  # not a day
    case = Case(id="d", question="Due date?", answer_type="date", gold="03/14/2024")
    assert score_date(case, _trace(case, "3/14/2024")).correct is True
    assert score_date(case, _trace(case, "03/15/2024")).correct is False
    assert parse_weeks_days("(4.31, 2.70)") is None and parse_weeks_days("14 weeks 1 day") == (
        14,
        1,
    )
    ga = Case(id="g", question="Gestational age?", gold="('14 weeks', '1 days')")
    assert score_weeks_days(ga, _trace(ga, "(14, 1)")).correct is True
    assert score_auto(ga, _trace(ga, "(14, 2)")).correct is False
    assert score_auto(case, _trace(case, "03/14/2024")).correct is True
