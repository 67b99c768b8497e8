"""Reward functions for TRL's GRPO trainer, built from the verifiers. Pure and synchronous.

TRL calls each reward as `reward(prompts=..., completions=..., **columns)` where `columns`
holds every other dataset column as a list aligned with the batch (plus trainer extras such
as `completion_ids` or `trainer_state`, which are ignored). A completion is a string, or for
conversational datasets a list of messages `[{"role": "assistant", "content": ...}]`. Each
reward returns one float per completion, or `None` for "no verdict" (TRL skips those).

- `format_reward`: 1.0 for a reply with reasoning and an explicit answer (JSON
  `{"reasoning", "answer"}`, or text with a final 'Answer: ...' line after some reasoning),
  0.5 for an answer without reasoning, 0.0 otherwise.
- `make_accuracy_reward(gold_column="gold")`: 1.0 / 0.0 against the gold answer (option letter,
  number within `gold_range` or 1% when no range, or normalized text); None without a gold.
- `as_grpo_reward(verifier)` / `verification_reward`: the reply's reasoning becomes a trace
  (one thought per sentence) checked against the row's `context` (patient note) and
  `question`; the reward is the trace score (supported share of checkable claims,
  contradictions weighted), None when nothing was checkable.
- `trust_reward`: the trust score of `verify.trust` for the reply read as a chain of thought
  (`policy_trace`); a reply has no re-ask, so its trust comes from the claims alone.

>>> format_reward(["q"], ['{"reasoning": "Na is 128.", "answer": "B"}', "B", "hmm"])
[1.0, 0.5, 0.0]
>>> accuracy_reward(["q", "q"], ["Answer: B", [{"role": "assistant", "content": "Answer: C"}]],
...                 gold=["B", "B"])
[1.0, 0.0]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from clinreason.trace import (
    Answer,
    Case,
    ComponentSpec,
    GenerateRequest,
    Generation,
    LLMCall,
    Message,
    Thought,
    Trace,
)
from clinreason.verify.base import Verifier
from clinreason.verify.score import trace_score
from clinreason.verify.text import NUMBER, normalize, parse_number, sentences

Reward = Callable[..., list[float | None]]

_THINK = re.compile(r"<think>(.*?)(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_FINAL = re.compile(r"(?im)^\s*(?:\*\*)?(?:final\s+answer|answer)(?:\*\*)?\s*[:=]\s*(.+?)\s*$")


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or the last assistant message of a chat list.

    >>> completion_text([{"role": "assistant", "content": "Answer: A"}])
    'Answer: A'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    if isinstance(completion, Sequence):
        for message in reversed(list(completion)):
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant":
                return str(message.get("content") or "")
    return ""


def _prompt_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Sequence):
        users = [
            m.get("content", "") for m in prompt if isinstance(m, dict) and m.get("role") == "user"
        ]
        return str(users[-1]) if users else ""
    return ""


def _json_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch == "{":
            try:
                value, _ = decoder.raw_decode(text[i:])
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return None


def parse_completion(text: str) -> tuple[str, str | None]:
    """(reasoning, answer) of a reply; answer None when it states none.

    >>> parse_completion("<think>K is high.</think>Answer: (C)")
    ('K is high.', 'C')
    """
    obj = _json_object(text)
    if obj is not None and "answer" in obj:
        reasoning = obj.get("reasoning") or obj.get("rationale") or ""
        answer = obj["answer"]
        return str(reasoning), (str(answer).strip() or None) if answer is not None else None
    think = " ".join(m.group(1) for m in _THINK.finditer(text))
    body = _THINK.sub("", text)
    finals = list(_FINAL.finditer(body))
    if finals:
        answer = finals[-1].group(1).strip().strip("*").strip()
        m = re.fullmatch(r"\(?([A-Za-z])\)?(?:[.):](?:\s.*)?)?", answer)
        if m:
            answer = m.group(1).upper()
        reasoning = (think + " " + body[: finals[-1].start()]).strip()
        return reasoning, answer or None
    stripped = body.strip()
    if re.fullmatch(r"\(?[A-Ja-j]\)?\.?", stripped):
        return think.strip(), stripped.strip("().").upper()
    return (think + " " + body).strip(), None


def format_reward(prompts: list[Any], completions: list[Any], **_: Any) -> list[float | None]:
    """1.0 reasoning + explicit answer, 0.5 answer only, 0.0 no parseable answer."""
    out: list[float | None] = []
    for completion in completions:
        reasoning, answer = parse_completion(completion_text(completion))
        if answer is None:
            out.append(0.0)
        else:
            out.append(1.0 if len(reasoning.split()) >= 3 else 0.5)
    return out


def _number(text: str) -> float | None:
    m = NUMBER.search(normalize(text))
    if not m:
        return None
    value, _ = parse_number(m.group(0))
    negative = normalize(text)[: m.start()].strip().endswith("-")
    return -value if negative else value


def answer_matches(answer: str, gold: str, gold_range: Sequence[float] | None = None) -> bool:
    """Whether an answer equals the gold: letters, numbers (range or 1%), or normalized text.

    >>> answer_matches("52.3 mL/min", "52.1", [50.0, 54.0]), answer_matches("b", "B")
    (True, True)
    >>> answer_matches("11/17/2002", "11/23/2002"), answer_matches("1/9/2007", "01/09/2007")
    (False, True)
    """
    a, g = answer.strip(), gold.strip()
    if re.fullmatch(r"[A-Za-z]", g):
        return a.upper().strip("().") == g.upper()
    gold_date = _DATE.fullmatch(g)
    if gold_date:  # a date must match exactly (its first number is not its value)
        date = _DATE.search(a)
        return date is not None and [int(x) for x in date.groups()] == [
            int(x) for x in gold_date.groups()
        ]
    value, target = _number(a), _number(g)
    if target is not None and re.fullmatch(r"-?[\d.,]+\s*\S*", g):
        if value is None or not math.isfinite(value):
            return False
        if gold_range is not None and len(gold_range) == 2:
            return float(gold_range[0]) <= value <= float(gold_range[1])
        return abs(value - target) <= 0.01 * max(abs(target), 1e-9)
    norm = lambda s: " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())  # noqa: E731
    return bool(norm(a)) and norm(a) == norm(g)


def make_accuracy_reward(gold_column: str = "gold", range_column: str = "gold_range") -> Reward:
    """Accuracy against the dataset column `gold_column` (None where the gold is missing)."""

    def reward(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float | None]:
        golds = columns.get(gold_column) or [None] * len(completions)
        ranges = columns.get(range_column) or [None] * len(completions)
        out: list[float | None] = []
        for completion, gold, rng in zip(completions, golds, ranges, strict=True):
            if gold is None or str(gold).strip() == "":
                out.append(None)
                continue
            _, answer = parse_completion(completion_text(completion))
            out.append(
                1.0 if answer is not None and answer_matches(answer, str(gold), rng) else 0.0
            )
        return out

    reward.__name__ = (
        "accuracy_reward" if gold_column == "gold" else f"accuracy_{gold_column}_reward"
    )
    return reward


accuracy_reward = make_accuracy_reward()


def trace_from_completion(text: str, case: Case) -> Trace:
    """A trace of a reply: one thought per reasoning sentence, the answer supported by them."""
    reasoning, answer = parse_completion(text)
    thoughts = [
        Thought(id=f"s{i + 1}", text=sentence)
        for i, (_, sentence) in enumerate(sentences(reasoning))
    ]
    return Trace(
        case=case,
        strategy=ComponentSpec(name="completion"),
        steps=list(thoughts),
        answer=Answer(value=answer, support=[t.id for t in thoughts], raw=text),
    )


def _cases(
    prompts: list[Any],
    n: int,
    columns: dict[str, Any],
    context_column: str = "context",
    question_column: str = "question",
) -> list[Case]:
    """The case of each completion, from the row's columns (the prompt when no question)."""
    contexts = columns.get(context_column) or [""] * n
    questions = columns.get(question_column) or [None] * n
    options = columns.get("options") or [None] * n
    return [
        Case(
            id=f"grpo-{i}",
            question=str(
                questions[i] or _prompt_text(prompts[i] if i < len(prompts) else "") or "?"
            ),
            context=str(contexts[i] or ""),
            options=dict(options[i] or {}),
        )
        for i in range(n)
    ]


def as_grpo_reward(
    verifiers: Verifier | Sequence[Verifier],
    *,
    context_column: str = "context",
    question_column: str = "question",
    name: str | None = None,
    steps_only: bool = False,
) -> Reward:
    """Wrap verifiers as a GRPO reward: the trace score of each reply (None if uncheckable);
    with `steps_only`, of the verdicts on its reasoning steps alone (no trace-level ones)."""
    chosen = [verifiers] if not isinstance(verifiers, Sequence) else list(verifiers)

    def reward(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float | None]:
        cases = _cases(prompts, len(completions), columns, context_column, question_column)
        out: list[float | None] = []
        for completion, case in zip(completions, cases, strict=True):
            trace = trace_from_completion(completion_text(completion), case)
            verdicts = [v for verifier in chosen for v in verifier.verify(trace, case)]
            if steps_only:
                verdicts = [v for v in verdicts if v.step_id is not None]
            out.append(trace_score(verdicts))
        return out

    reward.__name__ = name or "_".join(v.name for v in chosen) + "_reward"
    return reward


def _default_verifiers() -> list[Verifier]:
    from clinreason.verify import VERIFIERS

    return [cls() for cls in VERIFIERS.values()]


def verification_reward(
    prompts: list[Any], completions: list[Any], **columns: Any
) -> list[float | None]:
    """All default verifiers as one reward (see `as_grpo_reward`)."""
    return as_grpo_reward(_default_verifiers(), name="verification_reward")(
        prompts, completions, **columns
    )


def policy_trace(text: str, case: Case) -> Trace:
    """A reply as the trace of a chain of thought: the policy's model call, one thought per
    reasoning sentence drawn from it, and the answer resting on the call and the thoughts (so
    `verify.trust` reads the sentences as the model's claims and the answer as its judgement)."""
    trace = trace_from_completion(text, case)
    call = LLMCall(
        id="s0",
        purpose="reason_and_answer",
        request=GenerateRequest(messages=(Message(role="user", content=case.question),)),
        response=Generation(texts=[text], model="policy"),
    )
    steps = [call, *(s.model_copy(update={"parents": ["s0"]}) for s in trace.steps)]
    answer = trace.answer.model_copy(update={"support": ["s0", *trace.answer.support]})
    return trace.model_copy(update={"steps": steps, "answer": answer})


def trust_reward(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float | None]:
    """The trust score of each reply (`verify.trust.assess` over the default verifiers'
    verdicts); 0.0 for a reply without an answer."""
    from clinreason.verify.trust import assess

    verifiers = _default_verifiers()
    out: list[float | None] = []
    for completion, case in zip(
        completions, _cases(prompts, len(completions), columns), strict=True
    ):
        trace = policy_trace(completion_text(completion), case)
        if trace.answer is None or trace.answer.value is None:
            out.append(0.0)
            continue
        verdicts = [v for verifier in verifiers for v in verifier.verify(trace, case)]
        out.append(assess(trace, verdicts)[1].score)
    return out
