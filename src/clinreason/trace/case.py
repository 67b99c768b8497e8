"""`Case`: one clinical question, from a benchmark or a user.

Gold is blinded: strategies and verifiers get `Case.blinded()` (no `gold`, `gold_range`,
`rationale` nor the metadata in `GOLD_METADATA_KEYS`); only scoring sees the full case.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from clinreason.trace._base import DataModel

AnswerType = Literal["choice", "number", "date", "text"]

GOLD_METADATA_KEYS: Mapping[str, str] = MappingProxyType(
    {
        # MedCalc-Bench (clinreason.bench.medcalc)
        "relevant_entities": "MedCalc-Bench `Relevant Entities`: the gold input values the "
        "answer is computed from (what extraction is scored against)",
        "lower_limit": "MedCalc-Bench `Lower Limit` of the interval of correct answers",
        "upper_limit": "MedCalc-Bench `Upper Limit` of the interval of correct answers",
        "calculator_id": "MedCalc-Bench `Calculator ID`: the dataset's label of the calculator "
        "that gives the answer; the `calculator` strategy must pick it from the question "
        "text (a wrong pick is scored as the `calculator_choice` failure stage)",
        "calculator_name": "MedCalc-Bench `Calculator Name`: the same label, by name",
        "category": "MedCalc-Bench `Category` (lab, risk, severity, ...): follows from the "
        "calculator label; no strategy reads it",
        "output_type": "MedCalc-Bench `Output Type` (decimal, integer, date) of the gold answer; "
        "no strategy reads it (`Case.answer_type` says what kind of answer is expected)",
        # phenopacket-store (clinreason.bench.phenopackets)
        "diagnosis": "phenopacket-store `diagnosis`: the gold OMIM disease id(s)",
        "diseases": "phenopacket-store `diseases`: disease ids of the case (not copied by the "
        "loader; listed so that a case file carrying them cannot leak them)",
        "genes": "phenopacket-store `genes`: the causal gene(s) of the diagnosis",
        "cohort": "phenopacket-store `cohort`: named after the causal gene (e.g. 'FBN1')",
        "refs": "phenopacket-store `refs`: PMIDs of the published case report, whose title "
        "usually names the diagnosis",
        # CasiMedicos-Arg (clinreason.bench.datasets.casimedicos)
        "n_claims": "CasiMedicos-Arg: number of Claim components in the doctors' explanation, "
        "i.e. counted in the reference rationale",
        # robustness probes (clinreason.bench.probes)
        "probe": "`clinreason probe`'s record of a perturbation: its edits quote the original "
        "text and option order, so a strategy must not see it (the result line keeps it)",
    }
)
"""Metadata keys that carry the answer or the reference explanation, each with its dataset.

`Case.blinded()` removes them. Kept on purpose, because a strategy needs them or they say
nothing about the answer: phenopacket-store `observed`/`excluded` HPO ids (the `diagnose`
strategy's input), `sex`, `age`, `hpo_version`; MedCalc-Bench `note_id`, `note_type`;
`dataset`, `subject`, `topic`, `step`, `question_type`, `language`, `year`, `meshes`, `pmid`,
`qid` (task descriptors and source ids; a PubMedQA case id is its PMID anyway, and the context
is the abstract without its conclusion); CasiMedicos-Arg `n_premises` (counted in the case
text, not in the explanation). `Case.answer_type` and `Case.dataset` are task descriptors
and are kept too. The phenopacket-store case id names the PMID of its case report: ids must
stay (results are keyed on them), so a strategy must not look them up.
"""


class Case(DataModel, frozen=True):
    """A patient note plus a question, with the gold answer when it is known.

    >>> Case(id="c1", question="Which drug?", options={"A": "x", "B": "y"}).answer_type
    'choice'
    """

    id: str = Field(min_length=1)
    """Stable id, unique within its dataset."""
    question: str = Field(min_length=1)
    """The question put to the model."""
    context: str = ""
    """Patient note / vignette / abstract the question refers to (may be empty)."""
    options: dict[str, str] = {}
    """Multiple-choice options, label -> text, in display order (e.g. {"A": "...", "B": "..."})."""
    answer_type: AnswerType = "text"
    """What kind of answer is expected; inferred as 'choice' when options are given."""
    gold: str | None = None
    """Gold answer: an option label, a number as text, a date MM/DD/YYYY or free text."""
    gold_range: tuple[float, float] | None = None
    """For numeric answers: [lower, upper] limits within which an answer counts as correct."""
    rationale: str | None = None
    """Reference rationale written by clinicians, if the dataset has one."""
    dataset: str | None = None
    """'name@version' of the source dataset."""
    metadata: dict[str, JsonValue] = {}
    """Age, sex, language, subject, calculator id, category, ... (free-form, JSON-serialisable)."""

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value

    @model_validator(mode="after")
    def _infer_answer_type(self) -> Case:
        if self.options and self.answer_type == "text":
            object.__setattr__(self, "answer_type", "choice")
        if self.gold_range is not None and self.gold_range[0] > self.gold_range[1]:
            raise ValueError(f"gold_range lower limit exceeds upper limit: {self.gold_range}")
        return self

    def blinded(self) -> Case:
        """A copy without the gold answer, its range, the reference rationale and the
        gold-derived metadata (`GOLD_METADATA_KEYS`): what strategies and verifiers see.

        >>> c = Case(id="1", question="CrCl?", gold="52.1", gold_range=(49.5, 54.7),
        ...          rationale="CrCl = ...", metadata={"calculator_id": 2, "note_id": "n1"})
        >>> b = c.blinded()
        >>> b.gold, b.gold_range, b.rationale, b.metadata
        (None, None, None, {'note_id': 'n1'})
        >>> b.question == c.question and c.gold == "52.1"
        True
        """
        return self.model_copy(
            update={
                "gold": None,
                "gold_range": None,
                "rationale": None,
                "metadata": {k: v for k, v in self.metadata.items() if k not in GOLD_METADATA_KEYS},
            }
        )

    @property
    def is_blinded(self) -> bool:
        """Whether nothing gold-derived is left (see `blinded`).

        >>> Case(id="1", question="?", gold="A").is_blinded
        False
        """
        return (
            self.gold is None
            and self.gold_range is None
            and self.rationale is None
            and not any(k in GOLD_METADATA_KEYS for k in self.metadata)
        )

    @property
    def note(self) -> str:
        """The patient note (alias of `context`)."""
        return self.context
