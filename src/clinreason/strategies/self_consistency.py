"""`self_consistency`: k sampled chains of thought, majority vote, agreement as confidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from clinreason.backends.base import Backend
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import reasoning_text
from clinreason.strategies.prompts import answer_schema, extract_answer, instruction, messages
from clinreason.strategies.recheck import recheck_choice
from clinreason.trace import Answer, Case, GenerateRequest, Thought, TraceBuilder, Vote


def majority(answers: list[str | None]) -> tuple[dict[str, int], str | None]:
    """Vote counts in first-seen order and the winner (ties go to the first seen).

    >>> majority(["B", None, "C", "B", "C"])
    ({'B': 2, 'C': 2}, 'B')
    """
    counts = Counter(a for a in answers if a is not None)
    ordered = {a: counts[a] for a in dict.fromkeys(a for a in answers if a is not None)}
    if not ordered:
        return {}, None
    best = max(ordered.values())
    winner = next(a for a, c in ordered.items() if c == best)
    return ordered, winner


@dataclass(frozen=True)
class SelfConsistency:
    """Sample `k` reasoning paths at `temperature` and take the majority answer.

    With `recheck` > 0 the winner is checked by re-asking the question with shuffled options
    and without the reasoning (`strategies.recheck`); the check is added to the support, the
    answer is not changed.
    """

    name: ClassVar[str] = "self_consistency"
    version: ClassVar[int] = 1
    k: int = 5
    temperature: float = 0.7
    seed: int = 0
    max_tokens: int = 320
    recheck: int = 0
    """Re-ask samples for an independent `check` of a multiple-choice answer (0 = off)."""

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """One request for k samples; a `thought` per sample, then a `vote` step."""
        request = GenerateRequest(
            messages=messages(case, instruction(case, reasoning=True)),
            max_tokens=self.max_tokens,
            json_schema=answer_schema(case, reasoning=True),
            temperature=self.temperature,
            seed=self.seed,
            n=self.k,
        )
        call, generation = await call_llm(tb, backend, request, purpose=f"sample_{self.k}")
        answers: list[str | None] = []
        thoughts: list[Thought] = []
        for index, text in enumerate(generation.texts, start=1):
            value = extract_answer(case, text)
            answers.append(value)
            reasoning = reasoning_text(text).strip() or "(no reasoning given)"
            label = value if value is not None else "no answer"
            thoughts.append(
                tb.add(Thought(text=f"sample {index} -> {label}: {reasoning}", parents=[call.id]))
            )
        counts, winner = majority(answers)
        vote = tb.add(
            Vote(
                counts=counts,
                winner=winner,
                tie_break="first_seen",
                abstained=sum(a is None for a in answers),
                parents=[t.id for t in thoughts],
            )
        )
        agreeing = [t.id for t, a in zip(thoughts, answers, strict=True) if a == winner]
        confidence = counts[winner] / len(answers) if winner is not None else None
        support = [vote.id, *agreeing]
        if self.recheck > 0 and case.options and winner is not None:
            check = await recheck_choice(
                case, winner, backend, tb, samples=self.recheck, parents=support
            )
            support = [*support, check.id]
        return Answer(
            value=winner,
            raw=generation.texts[answers.index(winner)] if winner is not None else "",
            support=support,
            confidence=confidence,
        )
