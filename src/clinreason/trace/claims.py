"""`Claim` and `Trust`: what the answer rests on, how each piece was checked, how far to trust it.

A claim is one statement the answer depends on (a value read from the note, a criterion assumed
absent, a calculator result, a sentence of the model's reasoning, the model's choice itself),
with the status its checks gave it:

- `supported`: checked against evidence (the note, a tool, the knowledge graph, an independent
  re-asking) and found right;
- `contradicted`: checked and found wrong;
- `unverifiable`: nothing could check it (no source, or the evidence is ambiguous);
- `assumption`: an explicit default the strategy made ("stroke history not mentioned -> absent");
- `judgement`: decided by a model, not by a rule or a source.

`Trust` combines them into one number calibrated to the probability that the answer is right,
and `fully_verified`, true only when every claim on the answer's support path is supported.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from clinreason.trace._base import DataModel

ClaimStatus = Literal["supported", "contradicted", "unverifiable", "assumption", "judgement"]
ClaimKind = Literal[
    "value",  # a number read from the note
    "criterion",  # a yes/no or graded finding read from the note
    "method",  # which calculator / procedure was chosen
    "calculation",  # a deterministic tool's result
    "patient_fact",  # a fact about the patient stated in the model's reasoning
    "reasoning",  # medical knowledge or inference stated in the model's reasoning
    "answer",  # the final choice or value
]
CLAIM_STATUSES: tuple[ClaimStatus, ...] = (
    "supported",
    "contradicted",
    "unverifiable",
    "assumption",
    "judgement",
)


class Claim(DataModel, frozen=True):
    """One statement the answer depends on, with its status and the evidence for it."""

    step_id: str | None = None
    """The step that makes the claim (None for the trace as a whole)."""
    kind: ClaimKind
    text: str
    """The claim in plain words."""
    status: ClaimStatus
    evidence: str = ""
    """Why it has this status: note text, tool output, the checks that ran, or why none could."""
    checked_by: list[str] = []
    """Names of the checks whose verdicts decided the status (empty: nothing checked it)."""
    independent: bool = False
    """True when a deciding check does not share the code path that made the claim."""


class Trust(DataModel, frozen=True):
    """How far to trust the answer: a calibrated score and whether every claim was checked."""

    score: float = Field(ge=0.0, le=1.0)
    """Estimated probability that the answer is right (see `calibration`)."""
    level: Literal["high", "moderate", "low"]
    fully_verified: bool
    """Every claim on the answer's support path is supported by evidence."""
    counts: dict[str, int] = {}
    """Claims per status."""
    calibration: str = ""
    """Which calibration table produced `score` ('calculator@1', ...; 'default (not fitted)')."""
    summary: str = ""
    """The assessment in words, as `clinreason explain` prints it."""
