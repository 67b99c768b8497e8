"""`distractor`: one clinically neutral but realistic sentence added to the patient's story.

The sentence comes from a small fixed list (`SENTENCES`: administrative or social details that
bear on no diagnosis, dose or score; no sex, age, ethnicity, exposure or symptom), chosen with
the item's seeded generator. It is appended to the note; for a vignette in the question (no
note) it goes before the question's last sentence, the one that asks. Skipped when there is
no note and the question is a single sentence (nothing to add a patient detail to).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from clinreason.bench.probes.base import (
    Edit,
    Expectation,
    Record,
    edits_record,
    last_sentence_start,
    with_edits,
)
from clinreason.trace import Case

SENTENCES: tuple[str, ...] = (
    "The patient arrived at the clinic by bus and was seen on time.",
    "The patient's insurance details were verified at registration.",
    "The patient mentions a preference for morning appointments.",
    "The patient's emergency contact details were updated during this visit.",
    "The patient speaks English and did not need an interpreter.",
    "The patient enjoys reading and doing crossword puzzles in the evenings.",
    "The appointment had been rescheduled once because of a scheduling conflict.",
    "The patient watched television in the waiting room before being seen.",
    "The patient brought a written list of questions to the visit.",
    "The consultation room had recently been repainted.",
)
"""Neutral sentences (fixed: changing them changes every distractor probe)."""


@dataclass(frozen=True)
class Distractor:
    """Add one neutral sentence from `SENTENCES`."""

    name: ClassVar[str] = "distractor"
    expectation: ClassVar[Expectation] = "unchanged"

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """The case with the sentence added, or None with the reason."""
        sentence = rng.choice(SENTENCES)
        if case.context.strip():
            text = case.context
            end = len(text.rstrip())
            edit = Edit("context", end, end, "", " " + sentence, "sentence appended")
        else:
            at = last_sentence_start(case.question)
            if at is None:
                return None, {"reason": "no note and a one-sentence question"}
            edit = Edit("question", at, at, "", sentence + " ", "sentence before the question")
        return with_edits(case, [edit]), edits_record([edit], sentence=sentence)
