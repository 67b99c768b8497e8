"""The time words attached to a value (`verify.value_time`)."""

from __future__ import annotations

import pytest

from clinreason.verify.value_time import TimeReading, at_presentation, time_of, wanted


def _when(note: str, value: str, *others: str) -> TimeReading:
    start = note.index(value)
    spans = [(note.index(o), note.index(o) + len(o)) for o in others]
    return time_of(note, start, start + len(value), spans)


@pytest.mark.parametrize(
    ("note", "value", "when", "scope"),
    [
        ("Her baseline creatinine was 0.9 mg/dL.", "0.9 mg/dL", "earlier", "own"),
        ("Baseline investigations showed sodium 131 mmol/L.", "131 mmol/L", None, ""),
        ("Creatinine 1.1 mg/dL three months ago.", "1.1 mg/dL", "earlier", "own"),
        ("Potassium was 6.1 mmol/L prior to discharge.", "6.1 mmol/L", "later", "own"),
        ("Potassium was 3.1 mmol/L prior to admission.", "3.1 mmol/L", "earlier", "own"),
        ("Lactate peaked at 7.2 mmol/L.", "7.2 mmol/L", "later", "own"),
        ("In the emergency department, glucose was 412 mg/dL.", "412 mg/dL", "presentation",
         "sentence"),
        ("Labs on admission:\nsodium 128 mmol/L\npotassium 5.9 mmol/L", "128 mmol/L",
         "presentation", "heading"),
        ("Sodium 140 mmol/L.", "140 mmol/L", None, ""),
    ],
)  # fmt: skip
def test_time_words(note: str, value: str, when: str | None, scope: str) -> None:
    reading = _when(note, value)
    assert (reading.when, reading.scope) == (when, scope)
    assert bool(reading.cue) == (when is not None)


def test_words_belong_to_the_nearest_value() -> None:
    note = "Creatinine rose from 1.2 mg/dL on admission to 2.3 mg/dL on day 3."
    first = _when(note, "1.2 mg/dL", "2.3 mg/dL")
    second = _when(note, "2.3 mg/dL", "1.2 mg/dL")
    assert (first.when, first.cue) == ("presentation", "on admission")
    assert (second.when, second.cue) == ("later", "day 3")


def test_values_at_presentation() -> None:
    none, later, first = (
        TimeReading(None),
        TimeReading("later", "day 3"),
        TimeReading("presentation", "on admission"),
    )
    assert at_presentation([none, later]) == [0]  # undated beside a later value
    assert at_presentation([none, first, later]) == [1]  # said outright wins
    assert at_presentation([none, none]) == []  # the words decide nothing


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the patient's HAS-BLED score?", "presentation"),
        ("What is the patient's anion gap at discharge?", None),
        ("Based on the highest potassium, ...", None),
    ],
)
def test_wanted(question: str, expected: str | None) -> None:
    assert wanted(question) == expected
