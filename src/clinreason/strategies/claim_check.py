"""Claim-level re-asking: each reasoning sentence of a choice posed again as true or false.

In the style of SelfCheckGPT / MedMMV, at the level of single statements (issue 12, item 3):
the sentences of the model's reasoning that carry medical knowledge or inference (the same test
`verify.trust` uses to make a reasoning claim), or that name an option, are each put to the same
model again with the note, the question and the options, but without the rest of the reasoning
and without the answer it chose. The model says whether the statement is true, once with
"True" under A and "False" under B and once the other way round (the orders of
`strategies.recheck`), greedy, one letter constrained by a JSON schema.

Graded by token probabilities when the backend gives them: P(true) is the probability put on
the label meaning "true" (`recheck.letter_probabilities`), averaged over the two orders, so a
preference for one letter cancels out; else by the replies alone. The verdict (verifier
`claim_reask`, on the sentence's `thought` step) is supported at P(true) >= `SUPPORTED_AT`,
contradicted at <= `CONTRADICTED_AT`, and unverifiable in between, when the two orders' replies
disagree or when a reply is not a label. Sentences naming the chosen option or another option
(why it was rejected) come first; at most `limit` are asked, so the added model time stays
near the strategy's own (two short calls per sentence).

Backend errors propagate (a failed re-ask is an error, never a verdict).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clinreason.backends.base import Backend
from clinreason.errors import ConfigError
from clinreason.strategies.base import call_llm
from clinreason.strategies.parsing import parse_choice, split_sentences
from clinreason.strategies.prompts import SYSTEM, render_case
from clinreason.strategies.recheck import MAX_TOKENS, TOP_LOGPROBS, letter_probabilities, orders
from clinreason.trace import (
    Case,
    Check,
    GenerateRequest,
    LLMCall,
    Message,
    Thought,
    Trace,
    TraceBuilder,
    Verdict,
)
from clinreason.verify.findings import content_words
from clinreason.verify.trust import carries_inference

VERIFIER = "claim_reask"
PURPOSE = "claim_check"
SUPPORTED_AT = 0.7
"""P(true) at or above which a statement is supported (declared before any measurement)."""
CONTRADICTED_AT = 0.3
"""P(true) at or below which a statement is contradicted (declared before any measurement)."""
DEFAULT_LIMIT = 4
LABELS = ("A", "B")
MEANINGS = ("true", "false")
_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": list(LABELS)}},
    "required": ["answer"],
}
_ANSWER_WORDS = frozenset(
    {"answer", "option", "choice", "correct", "best", "final", "so", "thus", "hence", "therefore"}
)


def names_option(sentence: str, case: Case, label: str) -> bool:
    """Whether `sentence` names option `label`: by its label ("option B", "(B)", "answer 3") or
    by more than half of the content words of its text.

    >>> case = Case(id="c", question="?", options={"A": "Bacterial meningitis", "B": "Migraine"})
    >>> names_option("Option B is unlikely without aura.", case, "B")
    True
    >>> names_option("Neutrophils in CSF point to a bacterial meningitis.", case, "A")
    True
    >>> names_option("Neutrophils in CSF point to a bacterial cause.", case, "A")
    False
    """
    by_label = rf"(?i)\b(?:option|choice|answer)\s*\(?{re.escape(label)}\b|\({re.escape(label)}\)"
    if re.search(by_label, sentence):
        return True
    wanted = set(content_words(case.options[label]))
    found = wanted & set(content_words(sentence))
    return 2 * len(found) > len(wanted)


def _bare_answer(sentence: str, case: Case) -> bool:
    """A sentence that only states a choice ("Therefore, the answer is B."): nothing to check
    that re-asking the question does not already check."""
    labels = {label.lower() for label in case.options}
    rest = [w for w in content_words(sentence) if w not in _ANSWER_WORDS and w not in labels]
    return not rest and bool(re.search(r"(?i)\b(?:answer|option|choice)\b", sentence))


def select_statements(
    steps: Sequence[Thought], case: Case, limit: int = DEFAULT_LIMIT
) -> list[tuple[Thought, str]]:
    """The reasoning sentences worth re-asking, most relevant first, at most `limit`.

    Each thought is split into sentences (`parsing.split_sentences`); a sentence is kept when it
    carries medical knowledge or inference (`verify.trust.carries_inference`) or names an
    option, unless it only states the choice. Those naming the answer or another option come
    first (why the others were rejected), then the rest in reasoning order.

    >>> case = Case(id="c", question="?", options={"A": "Meningitis", "B": "Migraine"})
    >>> steps = [Thought(id="s2", text="The patient has fever."),
    ...          Thought(id="s3", text="Fever with neck stiffness suggests infection."),
    ...          Thought(id="s4", text="Migraine does not cause fever. So the answer is A.")]
    >>> for step, text in select_statements(steps, case):
    ...     print(step.id, text)
    s4 Migraine does not cause fever.
    s3 Fever with neck stiffness suggests infection.
    """
    kept: list[tuple[bool, int, Thought, str]] = []
    for step in steps:
        for sentence in split_sentences(step.text):
            named = any(names_option(sentence, case, label) for label in case.options)
            if _bare_answer(sentence, case) or not (named or carries_inference(sentence)):
                continue
            kept.append((not named, len(kept), step, sentence))
    kept.sort(key=lambda k: k[:2])
    return [(step, sentence) for _, _, step, sentence in kept[: max(0, limit)]]


def statement_messages(case: Case, statement: str, order: Sequence[str]) -> tuple[Message, ...]:
    """The prompt: note, question and options first (shared by every statement of a case, so
    a backend reusing the prompt prefix evaluates it once), then the statement, then the two
    labels with the meanings in `order` ("true"/"false" under A, B).

    >>> case = Case(id="1", question="Dose?", options={"A": "1 mg", "B": "2 mg"})
    >>> print(statement_messages(case, "2 mg is toxic.", ["false", "true"])[1].content)
    Question: Dose?
    Options:
    A. 1 mg
    B. 2 mg
    <BLANKLINE>
    Statement: "2 mg is toxic."
    Is this statement true? Judge the statement alone, from the note and medical knowledge.
    Give the letter (A, B), without explanation. Reply as JSON: {"answer": "..."}
    A. False
    B. True
    """
    parts = [render_case(case), f'\nStatement: "{statement.strip()}"']
    parts.append(
        "Is this statement true? Judge the statement alone, from the note and medical knowledge."
        f"\nGive the letter ({', '.join(LABELS)}), without explanation. "
        'Reply as JSON: {"answer": "..."}'
    )
    parts.extend(
        f"{label}. {meaning.capitalize()}" for label, meaning in zip(LABELS, order, strict=True)
    )
    return (Message(role="system", content=SYSTEM), Message(role="user", content="\n".join(parts)))


def grade(
    replies: Sequence[str | None], p_true: Sequence[float | None]
) -> tuple[str, float | None]:
    """Status and score of one statement from each order's reply ("true", "false" or None)
    and P(true) (None without token probabilities).

    The score is the mean P(true) when every order has one, else the share of valid replies
    saying true (None without a valid reply).

    >>> grade(["true", "true"], [1.0, 0.8])
    ('supported', 0.9)
    >>> grade(["false", "false"], [None, None])
    ('contradicted', 0.0)
    >>> grade(["true", "false"], [0.6, 0.4]), grade(["true", "true"], [0.6, 0.65])
    (('unverifiable', 0.5), ('unverifiable', 0.625))
    >>> grade([None, "true"], [None, 0.9])
    ('unverifiable', 1.0)
    """
    valid = [r for r in replies if r is not None]
    if p_true and all(p is not None for p in p_true):
        score: float | None = sum(p for p in p_true if p is not None) / len(p_true)
    else:
        score = sum(r == "true" for r in valid) / len(valid) if valid else None
    agree = len(valid) == len(replies) and len(set(valid)) == 1
    if score is None or not agree:
        return "unverifiable", score
    if score >= SUPPORTED_AT:
        return "supported", score
    if score <= CONTRADICTED_AT:
        return "contradicted", score
    return "unverifiable", score


async def check_statement(
    case: Case, step: Thought, statement: str, backend: Backend, tb: TraceBuilder
) -> Check:
    """Re-ask one statement in both label orders; record the calls and a `check` step.

    The calls (purpose "claim_check") have no parents: they do not see the reasoning. The check
    step's parents are the thought and the calls; its verdict (verifier "claim_reask",
    step_id the thought) has score P(true) and details {"statement", "answers", "orders",
    "p_true" (per order), "probability_true" (the mean; None without token probabilities),
    "supported_at", "contradicted_at"}.

    Raises:
        BackendError: A re-ask failed (recorded as a failed `llm_call` step first).
    """
    shown_orders = orders(f"{case.id}:{statement}", list(MEANINGS), len(MEANINGS))
    replies: list[str | None] = []
    p_true: list[float | None] = []
    calls: list[LLMCall] = []
    for order in shown_orders:
        request = GenerateRequest(
            messages=statement_messages(case, statement, order),
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            json_schema=_SCHEMA,
            logprobs=True,
            top_logprobs=TOP_LOGPROBS,
        )
        call, generation = await call_llm(tb, backend, request, purpose=PURPOSE)
        calls.append(call)
        label = parse_choice(generation.texts[0], list(LABELS)) if generation.texts else None
        replies.append(order[LABELS.index(label)] if label is not None else None)
        tokens = generation.logprobs[0] if generation.logprobs else None
        probs = letter_probabilities(tokens, LABELS)
        p_true.append(probs[LABELS[order.index("true")]] if probs else None)
    status, score = grade(replies, p_true)
    probability = score if None not in p_true else None
    said = ", ".join(r or "no answer" for r in replies)
    if probability is not None:
        said += f"; probability of true: {probability:.2f}"
    verdict = Verdict(
        verifier=VERIFIER,
        status=status,  # type: ignore[arg-type]
        step_id=step.id,
        claim=statement,
        evidence=f"the model asked again, without its reasoning, whether this is true: {said}",
        score=score,
        details={
            "statement": statement,
            "answers": list(replies),
            "orders": [list(o) for o in shown_orders],
            "p_true": list(p_true),
            "probability_true": probability,
            "supported_at": SUPPORTED_AT,
            "contradicted_at": CONTRADICTED_AT,
        },
    )
    return tb.add(Check(verdict=verdict, parents=[step.id, *(c.id for c in calls)]))


async def check_claims(
    case: Case,
    thoughts: Sequence[Thought],
    backend: Backend,
    tb: TraceBuilder,
    *,
    limit: int = DEFAULT_LIMIT,
) -> list[Check]:
    """Re-ask the selected reasoning sentences of `thoughts` (`select_statements`) one by one;
    the recorded `check` steps, in order (none, and no call, when no sentence qualifies)."""
    return [
        await check_statement(case, step, sentence, backend, tb)
        for step, sentence in select_statements(thoughts, case, limit)
    ]


async def add_claim_checks(trace: Trace, backend: Backend, *, limit: int = DEFAULT_LIMIT) -> Trace:
    """A stored choice trace with the claim checks added after its steps (a post-hoc pass: the
    same checks `cot -S claim_check=N` makes while it runs). The trace's own case is used as it
    is; give a blinded one. Traces without options or without an answer come back unchanged.

    Raises:
        ConfigError: The trace's step ids are not s1, s2, ... (new ids would collide).
        BackendError: A re-ask failed.
    """
    if not trace.case.options or trace.answer is None or trace.answer.value is None:
        return trace
    if [s.id for s in trace.steps] != [f"s{k}" for k in range(1, len(trace.steps) + 1)]:
        raise ConfigError(f"case {trace.case.id}: step ids are not s1, s2, ...; cannot add steps")
    tb = TraceBuilder(trace.case, trace.strategy, trace.backend)
    tb.steps = list(trace.steps)
    path = set(trace.ancestors(trace.answer.support))
    thoughts = [s for s in trace.steps_of(Thought) if s.id in path]
    await check_claims(trace.case, thoughts, backend, tb, limit=limit)
    return trace.model_copy(update={"steps": tb.steps})
