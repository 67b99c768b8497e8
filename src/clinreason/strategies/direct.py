"""`direct`: one constrained call, answer only (the baseline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from clinreason.backends.base import Backend
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import choice_confidence
from clinreason.strategies.prompts import answer_schema, extract_answer, instruction, messages
from clinreason.strategies.recheck import recheck_choice
from clinreason.trace import Answer, Case, GenerateRequest, TraceBuilder


@dataclass(frozen=True)
class Direct:
    """Ask for the answer only, constrained to the option labels when there are options.

    With `recheck` > 0 the answer is checked by re-asking the question with shuffled options
    (`strategies.recheck`); the check is added to the support, the answer is not changed.
    """

    name: ClassVar[str] = "direct"
    version: ClassVar[int] = 1
    max_tokens: int = 48
    recheck: int = 0
    """Re-ask samples for an independent `check` of a multiple-choice answer (0 = off)."""

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """One model call; the answer's confidence is the probability of the chosen label."""
        request = GenerateRequest(
            messages=messages(case, instruction(case, reasoning=False)),
            max_tokens=self.max_tokens,
            json_schema=answer_schema(case, reasoning=False),
            logprobs=bool(case.options),
        )
        call, generation = await call_llm(tb, backend, request, purpose="answer")
        text = generation.texts[0]
        value = extract_answer(case, text)
        tokens = generation.logprobs[0] if generation.logprobs else None
        confidence = choice_confidence(tokens, value) if value else None
        support = [call.id]
        if self.recheck > 0 and case.options and value is not None:
            check = await recheck_choice(
                case, value, backend, tb, samples=self.recheck, parents=support
            )
            support = [*support, check.id]
        return Answer(value=value, raw=text, support=support, confidence=confidence)
