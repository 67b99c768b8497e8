""" "Why?" on a step: the model explains one step, and every sentence it says is checked.

The prompt holds only the blinded case (note, question, options; never gold or a rationale) and
the step asked about with the steps it builds on (`Trace.ancestors`), numbered as the page shows
them. Each sentence of the reply becomes a `thought` step (parents: the step asked about and the
model call) in a copy of the trace that holds what the model was shown (the step and its
ancestors); the registered verifiers run on that copy, only their
verdicts on the new steps are kept, and the claim ledger (`verify.trust.thought_claims`) turns
them into claims. A sentence is `supported` only when every claim in it was supported by a
check, `contradicted` when any was contradicted, and otherwise `unverifiable`: said by the
model, not checked. A backend failure raises (502/503 over HTTP), never an answer.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from clinreason.backends.base import Backend
from clinreason.errors import BackendBadResponse, InputError
from clinreason.trace import (
    Claim,
    GenerateRequest,
    LLMCall,
    Message,
    Step,
    Thought,
    ToolCall,
    Trace,
    Verdict,
    VerdictStatus,
    trace_from_dict,
)
from clinreason.verify.text import sentences

MAX_QUESTION = 500
"""Longest follow-up question accepted (characters)."""
MAX_STEP_TEXT = 800
"""Each step is cut to this many characters in the prompt."""
MAX_STEPS = 40
"""At most this many steps go into the prompt: the step asked about and its nearest ancestors."""
MAX_SENTENCES = 12
"""Sentences of a reply checked and shown; the rest are dropped (and counted)."""
WORDS: dict[str, str] = {
    "supported": "checked",
    "contradicted": "contradicted",
    "unverifiable": "said by the model, not checked",
}
SYSTEM = (
    "You explain one step of a clinical reasoning trace to a clinician. Use only the patient "
    "note and the steps shown. Answer in at most four short plain sentences. State patient "
    "facts exactly as the note states them; when the note does not say, say so."
)
PROMPT = """Patient note:
{note}

Question of the case: {question}{options}

Steps of the reasoning (step {number} and the steps it builds on):
{steps}

About step {number}, the clinician asks: {ask}"""


class WhyRequest(BaseModel):
    """A trace, the step to explain, and the question asked about it."""

    model_config = ConfigDict(extra="forbid")

    trace: dict[str, JsonValue]
    """The trace (trace schema) the step belongs to."""
    step: str = Field(min_length=1, max_length=40)
    """The id of the step asked about (e.g. 's3')."""
    question: str = Field(default="Why?", max_length=MAX_QUESTION)
    """The clinician's question about the step (default 'Why?'); a follow-up is asked anew,
    grounded in the same step, its ancestors and the note."""

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return " ".join(value.split())


def _cut(text: str, limit: int = MAX_STEP_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def step_text(step: Step) -> str:
    """What a step says, for the prompt: a model call's reply, a calculation's working, or the
    step's one-line summary."""
    if isinstance(step, LLMCall):
        if step.response is None or not step.response.texts:
            return f"model call ({step.purpose}) failed"
        return f"model reply ({step.purpose}): {step.response.texts[0]}"
    if isinstance(step, ToolCall) and step.explanation:
        return f"{step.summary()}; working: {' | '.join(step.explanation)}"
    return step.summary()


def why_prompt(trace: Trace, step_id: str, ask: str) -> str:
    """The user message: the trace's case (blinded by the caller), the step and its ancestors
    (numbered 1, 2, 3 as the page shows them), and the question."""
    from clinreason.api.view import KIND_WORDS  # view imports whatif; keep imports one-way

    numbers = {s.id: n for n, s in enumerate(trace.steps, start=1)}
    chain = trace.ancestors([step_id])
    dropped = max(0, len(chain) - MAX_STEPS)
    lines = [f"({dropped} earlier steps left out)"] if dropped else []
    for sid in chain[dropped:]:
        step = trace.step(sid)
        parents = [f"step {numbers[p]}" for p in step.parents if p in numbers]
        on = f", builds on {', '.join(parents)}" if parents else ""
        kind = KIND_WORDS.get(step.kind, step.kind)
        lines.append(f"Step {numbers[sid]} ({kind}{on}): {_cut(step_text(step))}")
    case = trace.case
    options = "".join(f"\n{label}. {text}" for label, text in case.options.items())
    return PROMPT.format(
        note=case.context.strip() or "(no note given)",
        question=case.question,
        options=options,
        steps="\n".join(lines),
        number=numbers[step_id],
        ask=ask,
    )


def _new_id(taken: set[str]) -> str:
    n = len(taken) + 1
    while f"s{n}" in taken:
        n += 1
    taken.add(f"s{n}")
    return f"s{n}"


def sentence_status(claims: list[Claim]) -> VerdictStatus:
    """Contradicted when any claim is, supported only when every claim is, else unverifiable.

    >>> c = lambda s: Claim(step_id="s1", kind="patient_fact", text="x", status=s)
    >>> sentence_status([c("supported")]), sentence_status([c("supported"), c("unverifiable")])
    ('supported', 'unverifiable')
    >>> sentence_status([c("supported"), c("contradicted")]), sentence_status([])
    ('contradicted', 'unverifiable')
    """
    if any(c.status == "contradicted" for c in claims):
        return "contradicted"
    if claims and all(c.status == "supported" for c in claims):
        return "supported"
    return "unverifiable"


def check_reply(
    trace: Trace, call: LLMCall, texts: list[str]
) -> tuple[list[Thought], list[list[Claim]]]:
    """Each sentence as a `thought` step in a copy of the trace (the step asked about, its
    ancestors, the model call), checked by the registered verifiers: the thoughts and, per
    thought, its claims."""
    from clinreason.verify import verify_trace
    from clinreason.verify.trust import thought_claims

    taken = {s.id for s in trace.steps} | {call.id}
    thoughts = [Thought(id=_new_id(taken), text=t, parents=[*call.parents, call.id]) for t in texts]
    # the copy holds what the model was shown: the step asked about and its ancestors
    chain = set(trace.ancestors(call.parents))
    shown = [s for s in trace.steps if s.id in chain]
    copy = trace.model_copy(
        update={
            "steps": [*shown, call, *thoughts],
            "answer": None,
            "verdicts": [],
            "claims": [],
            "trust": None,
        }
    )
    new = {t.id for t in thoughts}
    verdicts = [v for v in verify_trace(copy) if v.step_id in new]
    claims = []
    for t in thoughts:
        mine: list[Verdict] = [v for v in verdicts if v.step_id == t.id]
        claims.append(thought_claims(copy, t, mine))
    return thoughts, claims


def plain_ids(text: str) -> str:
    """Step ids in words as the page numbers steps.

    >>> plain_ids("output of step s7")
    'output of step 7'
    """
    return re.sub(r"\b(steps?) s(\d+)\b", r"\1 \2", text)


def _sentence(thought: Thought, claims: list[Claim]) -> dict[str, Any]:
    status = sentence_status(claims)
    deciding = [c for c in claims if c.status == status] or claims
    evidence = plain_ids("; ".join(dict.fromkeys(c.evidence for c in deciding if c.evidence)))
    return {
        "text": thought.text,
        "status": status,
        "words": WORDS[status],
        "evidence": evidence,
        "claims": [
            {
                "kind": c.kind,
                "text": c.text,
                "status": c.status,
                "words": WORDS.get(c.status, c.status),
                "evidence": plain_ids(c.evidence),
                "checked_by": c.checked_by,
            }
            for c in claims
        ],
        "step": thought.id,
    }


async def why(req: WhyRequest, backend: Backend) -> dict[str, Any]:
    """Ask the model about one step and check what it says; see the module docstring.

    Returns:
        JSON-ready: `step` and `number` (the step asked about), `question`, `said_by` (the
        model), `sentences` (each: text, status, words, evidence, claims, its new step id),
        `dropped` (sentences beyond `MAX_SENTENCES`), `steps` (the model call and the
        sentences' thought steps, trace schema).

    Raises:
        InputError: the trace has no such step.
        TraceFormatError: the trace is not a valid trace.
        BackendError: the backend failed, or its reply was empty.
    """
    trace = trace_from_dict(req.trace)
    case = trace.case.blinded()
    assert case.is_blinded, "gold must never reach the prompt"
    trace = trace.model_copy(update={"case": case})
    if req.step not in {s.id for s in trace.steps}:
        raise InputError(f"the trace has no step {req.step!r}")
    request = GenerateRequest(
        messages=(
            Message(role="system", content=SYSTEM),
            Message(role="user", content=why_prompt(trace, req.step, req.question)),
        ),
        max_tokens=256,
    )
    started = time.perf_counter()
    generation = await backend.generate(request)  # a BackendError goes up: never an answer
    reply = generation.texts[0].strip() if generation.texts else ""
    texts = [s for _, s in sentences(reply)]
    if not texts:
        raise BackendBadResponse("the model's explanation was empty", backend=backend.spec.name)
    call = LLMCall(
        id=_new_id({s.id for s in trace.steps}),
        purpose="why",
        request=request,
        response=generation,
        usage=generation.usage,
        parents=[req.step],
        duration_s=time.perf_counter() - started,
    )
    shown = texts[:MAX_SENTENCES]
    thoughts, claims = await asyncio.to_thread(check_reply, trace, call, shown)
    return {
        "step": req.step,
        "number": [s.id for s in trace.steps].index(req.step) + 1,
        "question": req.question,
        "said_by": generation.model or backend.spec.name,
        "sentences": [_sentence(t, c) for t, c in zip(thoughts, claims, strict=True)],
        "dropped": len(texts) - len(shown),
        "steps": [s.model_dump(mode="json") for s in (call, *thoughts)],
    }
