"""`Verdict`: a verifier's judgement of one step or of the whole trace."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from clinreason.trace._base import DataModel

VerdictStatus = Literal["supported", "contradicted", "unverifiable"]


class Verdict(DataModel, frozen=True):
    """What a verifier concluded about a claim in a trace, with the evidence for it."""

    verifier: str
    """Name of the verifier ('numbers', 'calculation', 'grounding', 'kg', 'consistency', ...)."""
    status: VerdictStatus
    step_id: str | None = None
    """The step judged; None for a judgement of the whole trace."""
    claim: str = ""
    """The statement that was checked, as the verifier read it."""
    evidence: str = ""
    """Why: the note text, tool output or graph path that supports or contradicts the claim."""
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    """Optional graded score in [0, 1]."""
    details: dict[str, JsonValue] = {}
