"""`cot`: chain of thought, with each reasoning sentence kept as a `thought` step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from clinreason.backends.base import Backend
from clinreason.strategies.base import call_llm
from clinreason.strategies.claim_check import check_claims
from clinreason.strategies.parsing import choice_confidence, reasoning_text, split_sentences
from clinreason.strategies.prompts import answer_schema, extract_answer, instruction, messages
from clinreason.strategies.recheck import recheck_choice
from clinreason.trace import Answer, Case, GenerateRequest, LLMCall, Thought, TraceBuilder


@dataclass(frozen=True)
class Reasoned:
    """What `reason_and_answer` gives back."""

    call: LLMCall
    text: str
    thoughts: list[Thought]
    value: str | None
    confidence: float | None


async def reason_and_answer(
    case: Case,
    backend: Backend,
    tb: TraceBuilder,
    *,
    max_tokens: int,
    before: str = "",
    parents: list[str] | None = None,
) -> Reasoned:
    """`cot`'s one constrained call (reasoning first, then the answer), its reasoning sentences
    recorded as `thought` steps, the answer and its token confidence. `before`: text shown ahead
    of the case (`rag -S answer_first=true` shows its sources there)."""
    request = GenerateRequest(
        messages=messages(case, instruction(case, reasoning=True), before=before),
        max_tokens=max_tokens,
        json_schema=answer_schema(case, reasoning=True),
        logprobs=bool(case.options),
    )
    call, generation = await call_llm(
        tb, backend, request, purpose="reason_and_answer", parents=parents
    )
    text = generation.texts[0]
    thoughts = [
        tb.add(Thought(text=sentence, parents=[call.id]))
        for sentence in split_sentences(reasoning_text(text))
    ]
    value = extract_answer(case, text)
    tokens = generation.logprobs[0] if generation.logprobs else None
    confidence = choice_confidence(tokens, value) if value else None
    return Reasoned(call, text, thoughts, value, confidence)


@dataclass(frozen=True)
class ChainOfThought:
    """Reason in a few sentences, then answer; the answer is supported by the thoughts.

    With `recheck` > 0 the answer is checked by re-asking the question with shuffled options
    and without the reasoning (`strategies.recheck`); the check is added to the support, the
    answer is not changed. With `claim_check` > 0 up to that many reasoning sentences are each
    asked again as true or false, without the rest of the reasoning or the answer
    (`strategies.claim_check`); each gets a `check` step on its thought.
    """

    name: ClassVar[str] = "cot"
    version: ClassVar[int] = 1
    max_tokens: int = 320
    recheck: int = 0
    """Re-ask samples for an independent `check` of a multiple-choice answer (0 = off)."""
    claim_check: int = 0
    """Reasoning sentences of a multiple-choice answer to re-ask one by one (0 = off)."""

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """One constrained call: reasoning first, then the answer."""
        reasoned = await reason_and_answer(case, backend, tb, max_tokens=self.max_tokens)
        thoughts, value = reasoned.thoughts, reasoned.value
        support = [t.id for t in thoughts] or [reasoned.call.id]
        if self.recheck > 0 and case.options and value is not None:
            check = await recheck_choice(
                case, value, backend, tb, samples=self.recheck, parents=support
            )
            support = [*support, check.id]
        if self.claim_check > 0 and case.options and value is not None:
            await check_claims(case, thoughts, backend, tb, limit=self.claim_check)
        return Answer(
            value=value, raw=reasoned.text, support=support, confidence=reasoned.confidence
        )
