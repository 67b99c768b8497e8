"""`self_consistency`: k sampled chains of thought, majority vote, agreement as confidence.

With `checked`, each sample's reasoning is first read by two verifiers that do not share its code
path: `grounding` (the patient facts it states, against the note, with the shared negation
rules) and `kg` (the disease-finding relations it states, against the HPO annotations). A sample
with a contradicted claim loses its vote, unless every sample has one; a `check` step per such
sample says which claim and why (ArgMed's verifier role, MedMMV's evidence-checked voting).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from clinreason.backends.base import Backend
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import reasoning_text
from clinreason.strategies.prompts import answer_schema, extract_answer, instruction, messages
from clinreason.strategies.recheck import recheck_choice
from clinreason.trace import (
    Answer,
    Case,
    Check,
    GenerateRequest,
    Thought,
    Trace,
    TraceBuilder,
    Verdict,
    Vote,
)
from clinreason.verify import verify_trace

SAMPLE_CHECKS = ("grounding", "kg")
"""Verifiers that read a sample's reasoning without the model (patient facts, disease-finding
relations)."""


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


def contradicted_claims(case: Case, tb: TraceBuilder, thought: Thought) -> list[Verdict]:
    """The contradicted verdicts of `SAMPLE_CHECKS` on one sample's reasoning."""
    alone = Trace(case=case, strategy=tb.strategy, steps=[thought])
    return [v for v in verify_trace(alone, SAMPLE_CHECKS) if v.status == "contradicted"]


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
    checked: bool = False
    """Drop the votes of samples whose reasoning a verifier contradicts (see the module doc)."""

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
        voters = [t.id for t in thoughts]
        checks: list[str] = []
        if self.checked:
            voters, checks = self._drop_contradicted(case, tb, thoughts, answers)
        kept = [(t, a) for t, a in zip(thoughts, answers, strict=True) if t.id in voters]
        counted = [a for _, a in kept]
        counts, winner = majority(counted)
        vote = tb.add(
            Vote(
                counts=counts,
                winner=winner,
                tie_break="first_seen",
                abstained=sum(a is None for a in counted),
                parents=[*voters, *checks],
            )
        )
        agreeing = [t for t, a in kept if a == winner]
        confidence = counts[winner] / len(counted) if winner is not None else None
        support = [vote.id, *(t.id for t in agreeing)]
        if self.recheck > 0 and case.options and winner is not None:
            check = await recheck_choice(
                case, winner, backend, tb, samples=self.recheck, parents=support
            )
            support = [*support, check.id]
        return Answer(
            value=winner,
            raw=generation.texts[thoughts.index(agreeing[0])] if agreeing else "",
            support=support,
            confidence=confidence,
        )

    @staticmethod
    def _drop_contradicted(
        case: Case, tb: TraceBuilder, thoughts: list[Thought], answers: list[str | None]
    ) -> tuple[list[str], list[str]]:
        """(ids of the samples that keep their vote, ids of the `check` steps recorded)."""
        voters, checks = [], []
        for thought, answer in zip(thoughts, answers, strict=True):
            bad = contradicted_claims(case, tb, thought)
            if not bad:
                voters.append(thought.id)
                continue
            first = bad[0]
            more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
            verdict = first.model_copy(
                update={
                    "claim": f"{first.claim}{more}",
                    "details": {**first.details, "vote_dropped": answer, "contradicted": len(bad)},
                }
            )
            checks.append(tb.add(Check(verdict=verdict, parents=[thought.id])).id)
        if not voters:  # every sample is contradicted: nothing to prefer, keep them all
            voters = [t.id for t in thoughts]
        return voters, checks
