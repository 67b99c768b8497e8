"""`Case`: one clinical question, from a benchmark or a user."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from clinreason.trace._base import DataModel

AnswerType = Literal["choice", "number", "date", "text"]


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

    @property
    def note(self) -> str:
        """The patient note (alias of `context`)."""
        return self.context
