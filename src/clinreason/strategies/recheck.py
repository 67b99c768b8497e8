"""An independent check of a multiple-choice answer: the question re-asked without the reasoning.

In the style of SelfCheckGPT / MedMMV: the note and question are asked again `samples` times,
each time with the options in a different order and the letters re-assigned, with no reasoning
and a one-letter answer constrained by the backend's JSON-schema support. The replies are
mapped back to the original labels and voted on. An answer the model only reaches through its
own chain of thought (or through the position of an option) is then not confirmed.

The orders are deterministic: rotations of a shuffle seeded by the case id, the original order
never first and never used twice; a question with n options has n! orders, so at most that many
calls are made (a 2-option question is re-asked at most twice: a repeated order at temperature 0
would only repeat the reply). Every sample is greedy (temperature 0): the orders alone make the
samples differ. The prompt puts the note and question first and the options last, so a backend
that reuses the common prompt prefix (llama.cpp with `prompt_cache`) evaluates it once.

Backend errors propagate (a failed re-ask is an error, never a vote).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from clinreason.backends.base import Backend
from clinreason.errors import ConfigError
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import parse_choice, token_label
from clinreason.strategies.prompts import SYSTEM, answer_schema
from clinreason.trace import (
    Case,
    Check,
    GenerateRequest,
    Message,
    TokenLogprob,
    TraceBuilder,
    Verdict,
)

VERIFIER = "reask"
MAX_TOKENS = 16
"""Enough for `{"answer": "C"}` with any tokenizer."""
TOP_LOGPROBS = 10
"""Alternatives asked for at each token: room for every option letter and its spellings."""


def orders(case_id: str, labels: Sequence[str], samples: int) -> list[list[str]]:
    """The option orders to show: `samples` distinct permutations of `labels` (fewer when there
    are fewer than `samples` permutations), deterministic for a case id, the original order
    never first and never twice.

    Rotations of one seeded shuffle come first, so over n samples each option appears once in
    each position; more samples than options take further seeded shuffles.

    >>> orders("c1", ["A", "B", "C"], 3)
    [['C', 'B', 'A'], ['B', 'A', 'C'], ['A', 'C', 'B']]
    >>> orders("c1", ["A", "B"], 3)
    [['B', 'A'], ['A', 'B']]
    """
    labels = list(labels)
    wanted = min(samples, math.factorial(len(labels)))
    rng = random.Random(f"recheck:{case_id}")
    base = labels[:]
    rng.shuffle(base)
    rotations = [base[k:] + base[:k] for k in range(len(labels))]
    # the original order goes last (left out when fewer samples are wanted)
    chosen = [r for r in rotations if r != labels] + [r for r in rotations if r == labels]
    chosen = chosen[:wanted]
    while len(chosen) < wanted:  # more samples than options: further seeded shuffles
        order = labels[:]
        rng.shuffle(order)
        if order not in chosen:
            chosen.append(order)
    return chosen


def reask_messages(case: Case, order: Sequence[str]) -> tuple[Message, ...]:
    """The re-ask prompt: note and question first, the instruction, then the options last,
    shown in `order` (original labels) under the case's own labels in their usual sequence.

    >>> case = Case(id="1", question="Dose?", options={"A": "1 mg", "B": "2 mg"})
    >>> text = reask_messages(case, ["B", "A"])[1].content
    >>> text.startswith("Question: Dose?"), "(A, B), without explanation" in text
    (True, True)
    >>> print(text[text.index("Options:"):])
    Options:
    A. 2 mg
    B. 1 mg
    """
    labels = list(case.options)
    parts = []
    if case.context.strip():
        parts.append(f"Patient note:\n{case.context.strip()}\n")
    parts.append(f"Question: {case.question.strip()}\n")
    parts.append(
        f"Give the letter of the single best option ({', '.join(labels)}), without explanation. "
        'Reply as JSON: {"answer": "..."}'
    )
    parts.append("Options:")
    parts.extend(
        f"{shown}. {case.options[original]}" for shown, original in zip(labels, order, strict=True)
    )
    return (Message(role="system", content=SYSTEM), Message(role="user", content="\n".join(parts)))


def letter_probabilities(
    tokens: Sequence[TokenLogprob] | None, labels: Sequence[str]
) -> dict[str, float] | None:
    """The model's probability for each option letter where it wrote its letter: the last token
    that is a label, its alternatives (`TokenLogprob.top`) read as labels (quotes and spaces
    stripped; spellings of one label summed) and normalised over the labels. None when the
    backend gave no alternatives or no letter was written.

    >>> from clinreason.trace import TokenLogprob
    >>> tokens = [TokenLogprob(token='{"', logprob=0.0), TokenLogprob(token="B", logprob=-0.4,
    ...     top={"B": -0.4, " B": -3.0, "A": -1.2, "}": -5.0})]
    >>> {k: round(v, 3) for k, v in letter_probabilities(tokens, ["A", "B"]).items()}
    {'A': 0.295, 'B': 0.705}
    >>> letter_probabilities([TokenLogprob(token="B", logprob=-0.4)], ["A", "B"]) is None
    True
    """
    for token in reversed(tokens or ()):
        if token_label(token.token) not in labels:
            continue
        if not token.top:
            return None
        mass = dict.fromkeys(labels, 0.0)
        for text, logprob in token.top.items():
            label = token_label(text)
            if label in mass:
                mass[label] += math.exp(logprob)
        total = sum(mass.values())
        return {k: v / total for k, v in mass.items()} if total > 0 else None
    return None


def judge(
    answer_label: str, replies: Sequence[str | None]
) -> tuple[str, dict[str, int], float | None]:
    """Status, vote counts (first-seen order) and agreement of re-ask replies (original labels,
    None = no valid reply) with `answer_label`.

    Supported when a strict majority of the valid replies is the answer, contradicted when a
    strict majority is one other option, else unverifiable (also when no reply is valid).

    >>> judge("C", ["C", "C", "A"])
    ('supported', {'C': 2, 'A': 1}, 0.6666666666666666)
    >>> judge("C", ["A", None, "A"])
    ('contradicted', {'A': 2}, 0.0)
    >>> judge("C", ["A", "C", "B"])[0], judge("C", [None, None])
    ('unverifiable', ('unverifiable', {}, None))
    """
    votes: dict[str, int] = {}
    for reply in replies:
        if reply is not None:
            votes[reply] = votes.get(reply, 0) + 1
    valid = sum(votes.values())
    if not valid:
        return "unverifiable", votes, None
    agreement = votes.get(answer_label, 0) / valid
    top_label, top = max(votes.items(), key=lambda kv: kv[1])
    if 2 * top <= valid:
        status = "unverifiable"
    elif top_label == answer_label:
        status = "supported"
    else:
        status = "contradicted"
    return status, votes, agreement


async def recheck_choice(
    case: Case,
    answer_label: str,
    backend: Backend,
    tb: TraceBuilder,
    *,
    samples: int = 3,
    parents: Sequence[str] = (),
) -> Check:
    """Re-ask the case's question with shuffled options and record a `check` step judging
    `answer_label`; returns the recorded step (its id is in the trace).

    Each re-ask is an `llm_call` step (purpose "recheck", no parents: it does not see the
    reasoning). The check step's parents are `parents` (the answer's support) and those calls.
    Its verdict: verifier "reask", step_id None (it judges the answer), claim "the answer is C
    (text)", status supported / contradicted / unverifiable (see `judge`), score = agreement,
    evidence in words, details {"votes", "agreement", "samples", "valid", "answers", "orders",
    "probabilities", "answer_probability"}.

    When the backend returns token alternatives (`logprobs`), each sample also gives the
    probability the model put on every option (`letter_probabilities`, mapped back to the
    original labels) and `answer_probability` is the mean, over the orders, of the probability
    of `answer_label`: a graded agreement that does not depend on one option's position. It is
    None when any sample lacks them.

    Raises:
        ConfigError: The case has no options, `answer_label` is not one, or `samples` < 1.
        BackendError: A re-ask failed (recorded as a failed `llm_call` step first).
    """
    if not case.options:
        raise ConfigError("the re-ask check needs a multiple-choice case")
    if answer_label not in case.options:
        raise ConfigError(f"{answer_label!r} is not an option of case {case.id}")
    if samples < 1:
        raise ConfigError(f"the re-ask check needs at least one sample, got {samples}")
    labels = list(case.options)
    schema = answer_schema(case, reasoning=False)
    replies: list[str | None] = []
    probabilities: list[dict[str, float] | None] = []
    calls: list[str] = []
    shown_orders = orders(case.id, labels, samples)
    for order in shown_orders:
        request = GenerateRequest(
            messages=reask_messages(case, order),
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            json_schema=schema,
            logprobs=True,
            top_logprobs=TOP_LOGPROBS,
        )
        call, generation = await call_llm(tb, backend, request, purpose="recheck")
        calls.append(call.id)
        shown = parse_choice(generation.texts[0], labels) if generation.texts else None
        replies.append(order[labels.index(shown)] if shown is not None else None)
        tokens = generation.logprobs[0] if generation.logprobs else None
        by_shown = letter_probabilities(tokens, labels)
        probabilities.append(
            {order[labels.index(k)]: p for k, p in by_shown.items()} if by_shown else None
        )
    status, votes, agreement = judge(answer_label, replies)
    answer_probability = None
    if probabilities and all(p is not None for p in probabilities):
        answer_probability = sum(p[answer_label] for p in probabilities if p) / len(probabilities)
    valid = sum(votes.values())
    said = ", ".join(r if r is not None else "no answer" for r in replies)
    times = "once" if len(replies) == 1 else f"{len(replies)} times"
    if answer_probability is not None:
        said += f"; probability given to {answer_label}: {answer_probability:.2f}"
    verdict = Verdict(
        verifier=VERIFIER,
        status=status,  # type: ignore[arg-type]
        step_id=None,
        claim=f"the answer is {answer_label} ({case.options[answer_label]})",
        evidence=f"re-asked {times} with shuffled options, without the reasoning: {said}",
        score=agreement,
        details={
            "votes": dict(votes),
            "agreement": agreement,
            "samples": len(replies),
            "valid": valid,
            "answers": list(replies),
            "orders": [list(o) for o in shown_orders],
            "probabilities": probabilities,
            "answer_probability": answer_probability,
        },
    )
    return tb.add(Check(verdict=verdict, parents=[*parents, *calls]))
