"""The shared negation/context rules (`clinreason.tools.negation`), table-driven.

The rows are the union of the examples the three former engines were tested on (calculator
extraction, the grounding verifier, HPO concept recognition), plus lists, pseudo-triggers,
terminators, relatives and informants, hypothetical and remote mentions.
"""

from __future__ import annotations

import doctest

import pytest

from clinreason.tools import negation
from clinreason.tools.negation import (
    context,
    is_family,
    is_hypothetical,
    is_negated,
    is_remote,
    same_list,
)


def _at(sentence: str, term: str) -> tuple[int, int]:
    start = sentence.index(term)
    return start, start + len(term)


@pytest.mark.parametrize(
    ("sentence", "term", "negated"),
    [
        # pre-negations and their clause
        ("He denies chest pain but reports dyspnea.", "chest pain", True),
        ("He denies chest pain but reports dyspnea.", "dyspnea", False),
        ("She denies chest pain but reports palpitations.", "palpitations", False),
        ("He is free from hypertension.", "hypertension", True),
        ("There is no evidence of ectopia lentis.", "ectopia lentis", True),
        ("No history of stroke.", "stroke", True),
        ("Microcephaly; no fever.", "Microcephaly", False),
        ("Microcephaly; no fever.", "fever", True),
        ("He has not had any seizures.", "seizures", True),
        ("This patient has no prior history of cardiac failure.", "cardiac failure", True),
        # a negated verb is part of the negation, not a terminator
        ("CT did not show any intracranial hemorrhage.", "hemorrhage", True),
        ("CT doesn't reveal a mass.", "mass", True),
        ("Nor has he reported any recent fainting spells.", "fainting", True),
        # terminators end the scope
        ("He denies chest pain, and exam shows bilateral leg edema.", "edema", False),
        ("No fever, chills or cough, but has rash.", "rash", False),
        (
            "No fever was reported and the patient then developed a productive cough.",
            "cough",
            False,
        ),
        ("Exam reveals lower extremity edema but absent varicose veins.", "edema", False),
        # lists keep the negation going
        ("No fever, cough or rash.", "rash", True),
        ("Denies chest pain, hemoptysis or fever.", "hemoptysis", True),
        ("He denies abdominal pain, hematuria, diaphoresis, headache and cough.", "cough", True),
        ("No dizziness, jaundice, back pain, abdominal pain and diarrhea.", "diarrhea", True),
        (
            "History negative for colitis, chronic obstructive pulmonary disease, prior deep vein "
            "thrombosis, and pulmonary embolism.",
            "pulmonary embolism",
            True,
        ),
        (
            "She does not have a history of inflammatory bowel disease, trauma, myocardial "
            "infarction, pneumonia, stroke, or major surgery.",
            "stroke",
            True,
        ),
        (
            "He does not have lupus anticoagulant or elevated anticardiolipin.",
            "anticardiolipin",
            True,
        ),
        # post-negations, also after a list
        ("Pulmonary embolism was ruled out.", "Pulmonary embolism", True),
        ("Myocardial infarction was ruled out.", "infarction", True),
        ("Seizures were not observed.", "Seizures", True),
        ("Hypotonia was present.", "Hypotonia", False),
        (
            "Factor V Leiden, prothrombin 20210A, and lupus anticoagulant were negative.",
            "Leiden",
            True,
        ),
        ("Chest pain was denied.", "Chest pain", True),
        # both ways: 'ruled out X', 'X ruled out'
        ("CT ruled out pulmonary embolism.", "embolism", True),
        ("Doppler ultrasound excluded deep vein thrombosis.", "deep vein thrombosis", True),
        # 'absent' negates one item after it, or the words right before it
        ("Physical examination reveals absent varicose veins.", "varicose veins", True),
        ("Examination: nystagmus, absent ankle reflexes and pes cavus.", "pes cavus", False),
        ("Examination: nystagmus, absent ankle reflexes and pes cavus.", "nystagmus", False),
        ("Pedal pulses absent.", "Pedal pulses", True),
        # pseudo-triggers negate nothing
        ("No increase in seizures.", "seizures", False),
        ("Gram negative rods in the sputum.", "rods", False),
        ("Not only fever but also a rash.", "fever", False),
        ("Urine was negative for blood.", "blood", True),
        # 'to rule out' is uncertainty, not absence; 'non-' negates only its own word
        ("Admitted to rule out pulmonary embolism.", "embolism", False),
        ("History of non-insulin-dependent diabetes, ischemic stroke.", "ischemic stroke", False),
        ("He is a non-smoker.", "smoker", True),
        ("", "", False),
    ],
)
def test_negation(sentence: str, term: str, negated: bool) -> None:
    assert is_negated(sentence, *_at(sentence, term)) is negated


@pytest.mark.parametrize(
    ("sentence", "term", "family"),
    [
        ("His mother had breast cancer.", "breast cancer", True),
        ("Her father had an aortic dissection.", "aortic dissection", True),
        ("Family history of sudden cardiac death.", "sudden cardiac death", True),
        ("His maternal uncle had seizures.", "seizures", True),
        # the relative only reports
        ("The family denied any recent trauma.", "trauma", False),
        ("Her mother reports fever.", "fever", False),
        # a contrast ends the relative's part; a mention before the relative is the patient's
        ("Her father had diabetes, but she has hypertension.", "hypertension", False),
        ("She has asthma and her sister has eczema.", "asthma", False),
    ],
)
def test_family(sentence: str, term: str, family: bool) -> None:
    assert is_family(sentence, _at(sentence, term)[0]) is family


@pytest.mark.parametrize(
    ("sentence", "term", "hypothetical"),
    [
        ("CT was done to rule out pulmonary embolism.", "pulmonary", True),
        ("Evaluate for possible hepatomegaly.", "hepatomegaly", True),
        ("Started heparin for prophylaxis of deep vein thrombosis.", "deep vein", True),
        ("Risk of stroke was discussed.", "stroke", True),
        ("Return if chest pain recurs.", "chest pain", True),
        ("R/O sepsis.", "sepsis", True),
        ("He has sepsis.", "sepsis", False),
        ("Suspected pneumonia, but the film shows a mass.", "mass", False),
    ],
)
def test_hypothetical(sentence: str, term: str, hypothetical: bool) -> None:
    assert is_hypothetical(sentence, _at(sentence, term)[0]) is hypothetical


@pytest.mark.parametrize(
    ("sentence", "remote"),
    [
        ("She underwent a polypectomy a year before.", True),
        ("Status post appendectomy 10 years ago, now well.", True),
        ("Asthma in childhood.", True),
        ("He underwent a colectomy last week.", False),
        ("In 2019, she underwent a hysterectomy.", False),  # calendar years are not remote
    ],
)
def test_remote(sentence: str, remote: bool) -> None:
    assert is_remote(sentence) is remote


@pytest.mark.parametrize(
    ("between", "continues"),
    [
        (" events or known predisposition to ", True),
        (", ", True),
        (" but he has ", False),
        ("; ", False),
        (" " + "x " * 50, False),  # too long
    ],
)
def test_same_list(between: str, continues: bool) -> None:
    assert same_list(between) is continues


def test_context_names_the_deciding_cue() -> None:
    assert context("No fever.", 3, 8) == negation.Context(negated=True, trigger="No")
    s = "Her father had no seizures."
    assert context(s, *_at(s, "seizures")) == negation.Context(True, True, False, "father")


def test_long_lists_are_fast() -> None:
    import time

    sentence = "No " + " ".join(["and"] * 23) + " x cough."
    started = time.perf_counter()
    is_negated(sentence, *_at(sentence, "cough"))
    assert time.perf_counter() - started < 0.5


def test_doctests() -> None:
    assert doctest.testmod(negation).failed == 0
